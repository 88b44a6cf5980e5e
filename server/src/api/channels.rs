//! Channels over HTTP: my channels with unread counts, history paged backwards, and coordinators
//! opening channels. What is live (sending, receipts, typing, presence) is on the WebSocket.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List};
use super::programs::Access;
use super::validate;
use crate::bus::BusEvent;
use crate::gateway::protocol::ServerFrame;
use crate::state::AppState;
use crate::store::{Channel, ChannelKind, ChannelMemberView, ChannelView, Event, NewChannel, Role};

/// My channels, each with my read position and unread count.
#[utoipa::path(get, path = "/api/channels", tag = "messaging",
    responses((status = 200, body = List<ChannelView>), (status = 401, body = ErrorBody)))]
pub async fn list_channels(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<List<ChannelView>>, ApiError> {
    let items = state.store.user_channels(me.user.id).await?;
    Ok(Json(List { items, next_cursor: None }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages with a sequence number below this (omit for the newest).
    pub before: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
}

/// A page of a channel's messages, newest first.
#[derive(Serialize, ToSchema)]
pub struct History {
    /// Messages in their current state (deleted ones are tombstones with an empty body).
    pub items: Vec<Event>,
    /// Pass as `before` for the previous page; null at the beginning of the channel.
    pub next_before: Option<i64>,
}

/// History of a channel I belong to, paged backwards by sequence number.
#[utoipa::path(get, path = "/api/channels/{id}/messages", tag = "messaging", params(("id" = Uuid, Path), HistoryQuery),
    responses((status = 200, body = History), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    if state.store.channel_access(id, me.user.id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 200".into()));
    }
    if q.before.is_some_and(|b| b < 1) {
        return Err(ApiError::BadRequest("before must be a positive sequence number".into()));
    }
    let items = state.store.history(id, q.before, limit).await?;
    let next_before = if items.len() == limit as usize { items.last().map(|e| e.seq).filter(|s| *s > 1) } else { None };
    Ok(Json(History { items, next_before }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    pub kind: ChannelKind,
    /// Shown in channel lists; for pairs, defaults to the two names.
    #[serde(default)]
    pub name: String,
    /// Every program member belongs, including people who join later (group and announcement).
    #[serde(default)]
    pub program_wide: bool,
    /// Members (user ids of program members). A pair names exactly two.
    #[serde(default)]
    pub members: Vec<Uuid>,
}

/// Open a channel in a program (coordinators). Pairs are opened once: asking again returns the
/// existing channel with 200.
#[utoipa::path(post, path = "/api/programs/{id}/channels", tag = "messaging", params(("id" = Uuid, Path)), request_body = ChannelInput,
    responses((status = 201, body = Channel), (status = 200, body = Channel, description = "The pair's existing channel"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ChannelInput>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    Access::of(&state, &me, program_id).await?.require_coordinator()?;
    let unique: HashSet<Uuid> = body.members.iter().copied().collect();
    if unique.len() != body.members.len() {
        return Err(ApiError::field("members", "lists someone twice"));
    }
    if body.members.len() > 10_000 {
        return Err(ApiError::field("members", "at most 10000 members; use program_wide for everyone"));
    }
    let mut roles = Vec::new();
    for member in &body.members {
        match state.store.role_in_program(program_id, *member).await? {
            Some(role) => roles.push(role),
            None => return Err(ApiError::field("members", format!("{member} is not a member of this program"))),
        }
    }
    let now = state.clock.now();
    let (channel, created) = match body.kind {
        ChannelKind::Pair => {
            if body.members.len() != 2 || body.program_wide {
                return Err(ApiError::field(
                    "members",
                    "a pair channel has exactly two members and is not program-wide",
                ));
            }
            let (a, b) = (state.store.get_user(body.members[0]).await?, state.store.get_user(body.members[1]).await?);
            let name = match body.name.trim() {
                "" => format!("{} & {}", a.name, b.name),
                n => validate::required("name", n, 100)?,
            };
            state.store.open_pair_channel(program_id, a.id, b.id, &name, now).await?
        }
        kind => {
            let name = validate::required("name", &body.name, 100)?;
            if !body.program_wide && body.members.is_empty() {
                return Err(ApiError::field("members", "name the members, or make the channel program-wide"));
            }
            let mut members: Vec<(Uuid, bool)> = body
                .members
                .iter()
                .zip(&roles)
                .map(|(id, role)| (*id, kind == ChannelKind::Group || *role == Role::Coordinator))
                .collect();
            // The coordinator who opens a channel is in it.
            if !unique.contains(&me.user.id) && state.store.role_in_program(program_id, me.user.id).await?.is_some() {
                members.push((me.user.id, true));
            }
            let fields = NewChannel { program_id, kind, name, program_wide: body.program_wide, members };
            (state.store.create_channel(fields, now).await?, true)
        }
    };
    if created {
        announce_channel(&state, &channel).await?;
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(channel)))
}

/// Tells every member's live connections about a new channel, so it appears without a reload.
pub(crate) async fn announce_channel(state: &AppState, channel: &Channel) -> Result<(), ApiError> {
    let member_ids = state.store.channel_member_ids(channel.id).await?;
    let mut members = Vec::with_capacity(member_ids.len());
    for id in &member_ids {
        if let Ok(user) = state.store.get_user(*id).await {
            members.push(ChannelMemberView { user_id: user.id, name: user.name, last_read_seq: 0 });
        }
    }
    for user in member_ids.iter().copied() {
        let Some(access) = state.store.channel_access(channel.id, user).await? else { continue };
        let view = ChannelView {
            channel: channel.clone(),
            can_post: access.can_post,
            last_read_seq: 0,
            unread: 0,
            members: members.clone(),
        };
        let frame = ServerFrame::ChannelAdded { channel: &view }.encode();
        state.gateway.publish(BusEvent::Joined { channel: channel.id, user, can_post: access.can_post, frame }).await;
    }
    // New channel-mates may see each other's presence now.
    let online = state.gateway.bus.presence_of(&member_ids).await.unwrap_or_default();
    for (user, presence) in online {
        state.gateway.publish(BusEvent::Presence { user, state: presence, channels: vec![channel.id] }).await;
    }
    Ok(())
}

//! Channels over HTTP (`domain::channels` owns the rules): my channels with unread counts,
//! history paged backwards, and coordinators opening channels. What is live (sending, receipts,
//! typing, presence) is on the WebSocket.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use crate::domain::channels::{self, Members, Opening};
use crate::state::AppState;
use crate::store::ChannelKind;
use crate::wire::{self, Channel, ChannelMemberView, ChannelView, Event};

/// My channels, most recently active first (by `last_activity_at`), a page at a time, each with
/// my read position and unread count. The WebSocket `welcome` carries the first page and the
/// cursor of the next.
#[utoipa::path(get, path = "/api/channels", tag = "messaging", params(PageQuery),
    responses((status = 200, body = List<ChannelView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_channels(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<List<ChannelView>>, ApiError> {
    Ok(Json(channels::mine(&state, &me.user, page.page()?).await?.into()))
}

/// One of my channels as my list shows it (a conversation opened by link, or one that had a
/// message and is not on the pages read yet); 404 for anyone who is not a member.
#[utoipa::path(get, path = "/api/channels/{id}", tag = "messaging", params(("id" = Uuid, Path)),
    responses((status = 200, body = ChannelView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ChannelView>, ApiError> {
    Ok(Json(channels::one(&state, &me.user, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockInput {
    pub locked: bool,
}

/// Lock or unlock a group channel of more than two people (its program's coordinators): while
/// locked only coordinators post; members are told live (`channel_changed`). Audited.
#[utoipa::path(post, path = "/api/channels/{id}/lock", tag = "messaging", params(("id" = Uuid, Path)), request_body = LockInput,
    responses((status = 200, body = Channel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<LockInput>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(channels::lock(&state, &me.user, id, body.locked).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowModeInput {
    /// Seconds between two messages of a member who is not a coordinator, 0 (off) to 3600.
    pub seconds: u32,
}

/// Set a group channel's slow mode (its program's coordinators; channels of more than two
/// people): members who are not coordinators post at most once every `seconds`; 0 turns it
/// off. Members are told live (`channel_changed`). Audited.
#[utoipa::path(post, path = "/api/channels/{id}/slow-mode", tag = "messaging", params(("id" = Uuid, Path)), request_body = SlowModeInput,
    responses((status = 200, body = Channel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn slow_mode(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SlowModeInput>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(channels::slow_mode(&state, &me.user, id, body.seconds).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// Comma-separated user ids: those of them who are members, at most 100 (the senders a
    /// conversation shows). Omit for a page of every member by user id.
    pub ids: Option<String>,
    /// Opaque cursor from a previous page's `next_cursor` (without `ids`).
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50; without `ids`).
    pub limit: Option<u32>,
}

/// Members of a channel I belong to, with their names and read positions. A channel of more than
/// 50 members carries only its `member_count` in the channel list and on the WebSocket; this is
/// where its members are read, a page at a time or by id.
#[utoipa::path(get, path = "/api/channels/{id}/members", tag = "messaging", params(("id" = Uuid, Path), MembersQuery),
    responses((status = 200, body = List<ChannelMemberView>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MembersQuery>,
) -> Result<Json<List<ChannelMemberView>>, ApiError> {
    let which = match q.ids.as_deref() {
        Some(ids) => {
            if q.cursor.is_some() || q.limit.is_some() {
                return Err(ApiError::BadRequest("ids cannot be combined with cursor or limit".into()));
            }
            let parsed: Result<Vec<Uuid>, _> =
                ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Uuid::parse_str).collect();
            Members::Among(parsed.map_err(|_| ApiError::BadRequest("ids must be comma-separated user ids".into()))?)
        }
        None => Members::Page(PageQuery { cursor: q.cursor, limit: q.limit }.page()?),
    };
    Ok(Json(channels::members(&state, &me.user, id, which).await?.into()))
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
    #[schema(required = true)]
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
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 200".into()));
    }
    if q.before.is_some_and(|b| b < 1) {
        return Err(ApiError::BadRequest("before must be a positive sequence number".into()));
    }
    let page = channels::history(&state, &me.user, id, q.before, limit).await?;
    Ok(Json(History { items: wire::all(page.items), next_before: page.next_before }))
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
    let opening = Opening { kind: body.kind, name: body.name, program_wide: body.program_wide, members: body.members };
    let (channel, created) = channels::open(&state, &me.user, program_id, opening).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(channel.into())))
}

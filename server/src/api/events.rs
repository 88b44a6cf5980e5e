//! Group events that coordinators host: create one for the whole program, a cohort or named
//! people, with speakers and a capacity; people RSVP, download it as `.ics`, find it in their
//! calendar feed and are reminded before it starts. Each event has a chat channel for the people
//! invited; its live room (docs/protocol.md, "Group event rooms") records who attended.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, CurrentUser, List};
use super::meetings::{CalendarEntry, REMINDER_BEFORE, calendar, ics_response};
use super::programs::Access;
use super::validate;
use crate::bus::BusEvent;
use crate::gateway::protocol::ServerFrame;
use crate::matching::views::PersonRef;
use crate::state::AppState;
use crate::store::{ChannelKind, GroupEventRow, NewChannel, NewEvent, Role, from_millis, jobs, to_millis};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventAudience {
    /// Everyone in the program.
    Program,
    /// The members of one cohort.
    Cohort,
    /// The people listed in `invitees`.
    People,
}

impl EventAudience {
    fn as_str(self) -> &'static str {
        match self {
            EventAudience::Program => "program",
            EventAudience::Cohort => "cohort",
            EventAudience::People => "people",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "cohort" => EventAudience::Cohort,
            "people" => EventAudience::People,
            _ => EventAudience::Program,
        }
    }
}

/// A group event as an invited person sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupEvent {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    /// How many may say they are going.
    pub capacity: i32,
    pub going: i64,
    pub audience: EventAudience,
    /// For `cohort` events.
    pub cohort: String,
    /// `scheduled` or `cancelled`.
    pub status: String,
    pub host: PersonRef,
    pub speakers: Vec<PersonRef>,
    /// My answer: `true` going, `false` not going, null not answered.
    pub my_rsvp: Option<bool>,
    /// The event's chat channel (everyone invited is a member).
    pub chat_channel: Option<Uuid>,
    /// When the host ended the live room; it cannot be entered after that.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
}

/// One stay in an event's live room.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Attendance {
    pub user: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Null while they are still in the room.
    #[serde(with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
    /// Minutes in the room, to the end of the stay or now.
    pub minutes: i64,
}

async fn view(state: &AppState, row: GroupEventRow, me: Uuid) -> Result<GroupEvent, ApiError> {
    let speakers = state
        .store
        .event_people(row.id)
        .await?
        .into_iter()
        .filter(|(_, _, role)| role == "speaker")
        .map(|(user_id, name, _)| PersonRef { user_id, name })
        .collect();
    let my_rsvp = state.store.my_rsvp(row.id, me).await?;
    Ok(GroupEvent {
        id: row.id,
        program_id: row.program_id,
        title: row.title,
        description: row.description,
        starts_at: from_millis(row.starts_at),
        duration_min: row.duration_min,
        capacity: row.capacity,
        going: row.going,
        audience: EventAudience::parse(&row.audience),
        cohort: row.cohort,
        status: row.status,
        host: PersonRef { user_id: row.host_id, name: row.host_name },
        speakers,
        my_rsvp,
        chat_channel: row.chat_channel_id,
        ended_at: row.ended_at.map(from_millis),
    })
}

pub fn calendar_entry(e: &GroupEventRow, public_url: &str) -> CalendarEntry {
    let starts_at = from_millis(e.starts_at);
    CalendarEntry {
        uid: format!("{}@kindred-events", e.id),
        starts_at,
        ends_at: starts_at + time::Duration::minutes(i64::from(e.duration_min)),
        summary: e.title.clone(),
        description: format!("Hosted by {}\n\n{}", e.host_name, e.description),
        url: format!("{public_url}/events/{}", e.id),
        status: if e.status == "cancelled" { "CANCELLED" } else { "CONFIRMED" },
        updated_at: from_millis(e.updated_at),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// RFC 3339, in the future (at most a year ahead).
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// 15 to 480 minutes.
    pub duration_min: i32,
    /// 2 to 1000 people.
    pub capacity: i32,
    pub audience: EventAudience,
    /// For `cohort` events: the cohort.
    #[serde(default)]
    pub cohort: String,
    /// For `people` events: who is invited (members of the program).
    #[serde(default)]
    pub invitees: Vec<Uuid>,
    /// Members of the program who speak (at most 20).
    #[serde(default)]
    pub speakers: Vec<Uuid>,
}

/// Create a group event (the caller hosts it).
#[utoipa::path(post, path = "/api/programs/{id}/events", tag = "events", params(("id" = Uuid, Path)), request_body = EventInput,
    responses((status = 201, body = GroupEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<(StatusCode, Json<GroupEvent>), ApiError> {
    Access::of(&state, &me, program_id).await?.require_coordinator()?;
    if state.store.role_in_program(program_id, me.user.id).await? != Some(Role::Coordinator) {
        return Err(ApiError::Forbidden("join the program as a coordinator to host its events"));
    }
    let title = validate::required("title", &input.title, 200)?;
    let description = validate::optional("description", Some(input.description), 4000)?.unwrap_or_default();
    let now = state.clock.now();
    let mut problems = std::collections::BTreeMap::new();
    if input.starts_at <= now {
        problems.insert("starts_at".to_owned(), "must be in the future".to_owned());
    } else if input.starts_at > now + time::Duration::days(366) {
        problems.insert("starts_at".to_owned(), "must be within a year".to_owned());
    }
    if !(15..=480).contains(&input.duration_min) {
        problems.insert("duration_min".to_owned(), "must be between 15 and 480 minutes".to_owned());
    }
    if !(2..=1000).contains(&input.capacity) {
        problems.insert("capacity".to_owned(), "must be between 2 and 1000".to_owned());
    }
    let cohort = input.cohort.trim().to_owned();
    match input.audience {
        EventAudience::Cohort if cohort.is_empty() => {
            problems.insert("cohort".to_owned(), "name the cohort invited".to_owned());
        }
        EventAudience::People if input.invitees.is_empty() => {
            problems.insert("invitees".to_owned(), "name the people invited".to_owned());
        }
        EventAudience::Program | EventAudience::Cohort if !input.invitees.is_empty() => {
            problems.insert("invitees".to_owned(), "only events for named people list invitees".to_owned());
        }
        _ => {}
    }
    if input.speakers.len() > 20 {
        problems.insert("speakers".to_owned(), "at most 20 speakers".to_owned());
    }
    if input.invitees.len() > 1000 {
        problems.insert("invitees".to_owned(), "at most 1000 people; invite the program or a cohort".to_owned());
    }
    for (field, people) in [("speakers", &input.speakers), ("invitees", &input.invitees)] {
        for person in people.iter() {
            if state.store.role_in_program(program_id, *person).await?.is_none() {
                problems.insert(field.to_owned(), format!("{person} is not a member of this program"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    let new = NewEvent {
        program_id,
        title,
        description,
        starts_at: to_millis(input.starts_at),
        duration_min: input.duration_min,
        capacity: input.capacity,
        audience: input.audience.as_str().to_owned(),
        cohort: if input.audience == EventAudience::Cohort { cohort } else { String::new() },
        host_id: me.user.id,
        speakers: input.speakers,
        invitees: input.invitees,
    };
    let program_wide = input.audience == EventAudience::Program;
    let title_for_chat = new.title.clone();
    let id = state.store.create_event(new, now).await?;
    // The event's chat: everyone invited may read and write; a program-wide event's channel
    // follows the program's membership.
    let members = state.store.event_audience(id).await?.into_iter().map(|u| (u, true)).collect();
    let channel = state
        .store
        .create_channel(
            NewChannel { program_id, kind: ChannelKind::Group, name: title_for_chat, program_wide, members },
            now,
        )
        .await?;
    state.store.set_event_channel(id, channel.id).await?;
    super::channels::announce_channel(&state, &channel).await?;
    let row = state.store.get_event(id).await?;
    let starts = row.starts_at;
    let at = (from_millis(starts) - REMINDER_BEFORE).max(now);
    state.store.schedule_job(jobs::EVENT_REMINDER, &format!("{id} {starts}"), &format!("event:{id}"), at, now).await?;
    state.work.notify_one();
    Ok((StatusCode::CREATED, Json(view(&state, row, me.user.id).await?)))
}

/// The program's events (coordinators), newest first.
#[utoipa::path(get, path = "/api/programs/{id}/events", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<GroupEvent>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn program_events(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<GroupEvent>>, ApiError> {
    Access::of(&state, &me, program_id).await?.require_coordinator()?;
    let mut items = Vec::new();
    for row in state.store.program_events(program_id).await? {
        items.push(view(&state, row, me.user.id).await?);
    }
    Ok(Json(List { items, next_cursor: None }))
}

/// Events I am invited to that have not ended, soonest first.
#[utoipa::path(get, path = "/api/me/events", tag = "events", responses((status = 200, body = List<GroupEvent>)))]
pub async fn mine(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<GroupEvent>>, ApiError> {
    let mut items = Vec::new();
    for row in state.store.user_events(me.user.id, state.clock.now()).await? {
        items.push(view(&state, row, me.user.id).await?);
    }
    Ok(Json(List { items, next_cursor: None }))
}

/// An event I am invited to (or host, or coordinate).
async fn invited(state: &AppState, me: &CurrentUser, id: Uuid) -> Result<GroupEventRow, ApiError> {
    let row = state.store.get_event(id).await?;
    if !state.store.event_invited(id, me.user.id).await? && !me.user.is_admin {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// One event.
#[utoipa::path(get, path = "/api/events/{id}", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupEvent), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<GroupEvent>, ApiError> {
    let row = invited(&state, &me, id).await?;
    Ok(Json(view(&state, row, me.user.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpInput {
    pub going: bool,
}

/// Say whether I am going; `409` when the event is full or cancelled.
#[utoipa::path(post, path = "/api/events/{id}/rsvp", tag = "events", params(("id" = Uuid, Path)), request_body = RsvpInput,
    responses((status = 200, body = GroupEvent), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rsvp(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RsvpInput>,
) -> Result<Json<GroupEvent>, ApiError> {
    invited(&state, &me, id).await?;
    state.store.rsvp(id, me.user.id, input.going, state.clock.now()).await?;
    let row = state.store.get_event(id).await?;
    Ok(Json(view(&state, row, me.user.id).await?))
}

/// Cancel an event (its program's coordinators); everyone going is told.
#[utoipa::path(post, path = "/api/events/{id}/cancel", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<GroupEvent>, ApiError> {
    let row = invited(&state, &me, id).await?;
    Access::of(&state, &me, row.program_id).await?.require_coordinator()?;
    if !state.store.cancel_event(id, state.clock.now()).await? {
        return Err(ApiError::Conflict("the event is already cancelled".into()));
    }
    let row = state.store.get_event(id).await?;
    publish(&state, &row, false).await?;
    Ok(Json(view(&state, row, me.user.id).await?))
}

/// One event as an `.ics` file.
#[utoipa::path(get, path = "/api/events/{id}/ics", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn ics(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let row = invited(&state, &me, id).await?;
    Ok(ics_response(calendar(&[calendar_entry(&row, &state.public_url)], state.clock.now()), "event.ics"))
}

/// Who was in the event's live room, from when to when (its program's coordinators).
#[utoipa::path(get, path = "/api/events/{id}/attendance", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Attendance>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attendance(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<List<Attendance>>, ApiError> {
    let row = invited(&state, &me, id).await?;
    Access::of(&state, &me, row.program_id).await?.require_coordinator()?;
    let now = state.clock.now();
    let items = state
        .store
        .event_attendance(id)
        .await?
        .into_iter()
        .map(|a| {
            let joined_at = from_millis(a.joined_at);
            let left_at = a.left_at.map(from_millis);
            Attendance {
                user: PersonRef { user_id: a.user_id, name: a.name },
                joined_at,
                left_at,
                minutes: (left_at.unwrap_or(now) - joined_at).whole_minutes().max(0),
            }
        })
        .collect();
    Ok(Json(List { items, next_cursor: None }))
}

/// Tells the people going, the speakers and the host about an event (a change, or a reminder).
pub async fn publish(state: &AppState, row: &GroupEventRow, reminder: bool) -> Result<Vec<Uuid>, ApiError> {
    let going: std::collections::HashSet<Uuid> = state.store.going(row.id).await?.into_iter().collect();
    let mut people: Vec<Uuid> = going.iter().copied().collect();
    people.extend(state.store.event_people(row.id).await?.into_iter().filter(|p| p.2 == "speaker").map(|p| p.0));
    people.push(row.host_id);
    people.sort_unstable();
    people.dedup();
    // One view for everyone; only the answer differs (read for the few not going: speakers, host).
    let mut event = view(state, row.clone(), row.host_id).await?;
    for user in &people {
        event.my_rsvp = if going.contains(user) { Some(true) } else { state.store.my_rsvp(row.id, *user).await? };
        let frame = ServerFrame::GroupEvent { event: &event, reminder }.encode();
        state.gateway.publish(BusEvent::User { user: *user, frame }).await;
    }
    Ok(people)
}

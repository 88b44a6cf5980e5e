//! HTTP for group events (`domain::events` owns the rules): create one for the whole program, a
//! cohort or named people, with speakers and a capacity; list, read, RSVP, cancel, `.ics`, and
//! the live room's attendance.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use super::ics_response;
use crate::domain::calendar;
use crate::domain::events::{self, Draft};
use crate::state::AppState;
use crate::vocab::EventAudience;
use crate::wire;
use crate::wire::events::{Attendance, GroupEvent};

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
    let draft = Draft {
        title: input.title,
        description: input.description,
        starts_at: input.starts_at,
        duration_min: input.duration_min,
        capacity: input.capacity,
        audience: input.audience,
        cohort: input.cohort,
        invitees: input.invitees,
        speakers: input.speakers,
    };
    Ok((StatusCode::CREATED, Json(events::create(&state, &me.user, program_id, draft).await?.into())))
}

/// The program's events (coordinators), latest start first, a page at a time.
#[utoipa::path(get, path = "/api/programs/{id}/events", tag = "events", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = List<GroupEvent>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn program_events(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<GroupEvent>>, ApiError> {
    Ok(Json(events::of_program(&state, &me.user, program_id, q.page()?).await?.into()))
}

/// Events I am invited to that have not ended, soonest first, a page at a time.
#[utoipa::path(get, path = "/api/me/events", tag = "events", params(PageQuery),
    responses((status = 200, body = List<GroupEvent>), (status = 400, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<GroupEvent>>, ApiError> {
    Ok(Json(events::mine(&state, &me.user, q.page()?).await?.into()))
}

/// One event.
#[utoipa::path(get, path = "/api/events/{id}", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupEvent), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<GroupEvent>, ApiError> {
    Ok(Json(events::get(&state, &me.user, id).await?.into()))
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
    Ok(Json(events::rsvp(&state, &me.user, id, input.going).await?.into()))
}

/// Cancel an event (its program's coordinators); everyone going is told./// Cancel an event (its program's coordinators); everyone going is told.
#[utoipa::path(post, path = "/api/events/{id}/cancel", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<GroupEvent>, ApiError> {
    Ok(Json(events::cancel(&state, &me.user, id).await?.into()))
}

/// One event as an `.ics` file.
#[utoipa::path(get, path = "/api/events/{id}/ics", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn ics(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let row = events::invited(&state, &me.user, id).await?;
    Ok(ics_response(
        calendar::calendar(&[calendar::event_entry(&row, &state.public_url)], state.clock.now()),
        "event.ics",
    ))
}

/// Who was in the event's live room, from when to when (its program's coordinators).
#[utoipa::path(get, path = "/api/events/{id}/attendance", tag = "events", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Attendance>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attendance(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<List<Attendance>>, ApiError> {
    Ok(Json(List { items: wire::all(events::attendance(&state, &me.user, id).await?), next_cursor: None }))
}

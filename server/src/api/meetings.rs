//! HTTP for meetings and check-ins (`domain::meetings` owns the rules): propose, accept, propose
//! again, decline or cancel; each meeting as an `.ics` file and a person's private calendar feed;
//! check-ins after calls and their aggregate for coordinators.

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
use super::ics_response;
use crate::domain::meetings::{self, Proposal};
use crate::state::AppState;
use crate::wire::{self, CheckinSummary, Meeting};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    /// The active match the meeting is for.
    pub match_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub agenda: String,
    /// RFC 3339, in the future (at most a year ahead).
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// 15 to 240 minutes.
    pub duration_min: i32,
    /// Chosen by the client; a retry with the same id returns the same meeting.
    pub client_id: String,
}

/// Propose a meeting to my match.
#[utoipa::path(post, path = "/api/meetings", tag = "meetings", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 200, body = Meeting, description = "The same client id again"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<(StatusCode, Json<Meeting>), ApiError> {
    let proposal = Proposal {
        match_id: input.match_id,
        title: input.title,
        agenda: input.agenda,
        starts_at: input.starts_at,
        duration_min: input.duration_min,
        client_id: input.client_id,
    };
    let (meeting, created) = meetings::propose(&state, &me.user, proposal).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(meeting.into())))
}

/// My meetings, soonest first.
#[utoipa::path(get, path = "/api/me/meetings", tag = "meetings", responses((status = 200, body = List<Meeting>)))]
pub async fn mine(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<Meeting>>, ApiError> {
    Ok(Json(List { items: wire::all(meetings::mine(&state, &me.user).await?), next_cursor: None }))
}

/// Accept the proposed time (the person who did not propose it).
#[utoipa::path(post, path = "/api/meetings/{id}/accept", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Meeting>, ApiError> {
    Ok(Json(meetings::accept(&state, &me.user, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeInput {
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// Keeps the current length when omitted.
    #[serde(default)]
    pub duration_min: Option<i32>,
}

/// Propose another time; the other person then accepts it or proposes again.
#[utoipa::path(post, path = "/api/meetings/{id}/propose", tag = "meetings", params(("id" = Uuid, Path)), request_body = ProposeInput,
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ProposeInput>,
) -> Result<Json<Meeting>, ApiError> {
    Ok(Json(meetings::repropose(&state, &me.user, id, input.starts_at, input.duration_min).await?.into()))
}

/// Decline (the invitee, before accepting) or cancel (either, any time before it ends).
#[utoipa::path(post, path = "/api/meetings/{id}/cancel", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Meeting>, ApiError> {
    Ok(Json(meetings::cancel(&state, &me.user, id).await?.into()))
}

// --- calendars ---

/// One meeting as an `.ics` file.
#[utoipa::path(get, path = "/api/meetings/{id}/ics", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn ics(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ics_response(meetings::ics(&state, &me.user, id).await?, "meeting.ics"))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarFeed {
    /// Private: anyone with this URL sees my meetings' times and titles. Creating a new one
    /// replaces (and disables) the old one.
    pub url: String,
}

/// A new private calendar feed URL for my meetings (the previous one stops working).
#[utoipa::path(post, path = "/api/me/calendar-feed", tag = "meetings", responses((status = 201, body = CalendarFeed)))]
pub async fn new_feed(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<(StatusCode, Json<CalendarFeed>), ApiError> {
    Ok((StatusCode::CREATED, Json(CalendarFeed { url: meetings::new_feed(&state, &me.user).await? })))
}

/// A person's calendar feed (no sign-in: the URL is the credential).
#[utoipa::path(get, path = "/api/calendar/{file}", tag = "meetings", security(()), params(("file" = String, Path, description = "<token>.ics")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    Ok(ics_response(meetings::feed(&state, token).await?, "kindred.ics"))
}

// --- check-ins ---

#[derive(Serialize, ToSchema)]
pub struct PendingCheckins {
    /// Calls I took part in (both joined) that I have not rated yet, newest first.
    pub calls: Vec<Uuid>,
}

#[utoipa::path(get, path = "/api/me/checkins", tag = "meetings", responses((status = 200, body = PendingCheckins)))]
pub async fn pending_checkins(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<PendingCheckins>, ApiError> {
    Ok(Json(PendingCheckins { calls: meetings::pending_checkins(&state, &me.user).await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// 1 (poor) to 5 (great).
    pub rating: i32,
    #[serde(default)]
    pub note: String,
}

/// After a check-in: what Kindred offers the person who sent it, and them alone.
#[derive(Serialize, ToSchema)]
pub struct CheckinResult {
    /// Set when this person's own ratings of calls with the other person are falling: they may
    /// ask a coordinator to get in touch (`POST /api/matches/{match_id}/support`). Nobody else
    /// learns the rating.
    #[schema(required = true)]
    pub support_offer: Option<SupportOffer>,
}

#[derive(Serialize, ToSchema)]
pub struct SupportOffer {
    pub match_id: Uuid,
    /// The other person of the match.
    pub with: crate::vocab::PersonRef,
}

/// Rate a call I took part in, once. Ratings reach coordinators only as program totals.
#[utoipa::path(post, path = "/api/calls/{id}/checkin", tag = "meetings", params(("id" = Uuid, Path)), request_body = CheckinInput,
    responses((status = 200, body = CheckinResult), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checkin(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(call): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CheckinInput>,
) -> Result<Json<CheckinResult>, ApiError> {
    let offer = meetings::checkin(&state, &me.user, call, input.rating, input.note).await?;
    Ok(Json(CheckinResult { support_offer: offer.map(|o| SupportOffer { match_id: o.match_id, with: o.with }) }))
}

/// Check-ins of the program's calls, in aggregate only (coordinators); the ratings only once at
/// least `minimum_people` people gave them.
#[utoipa::path(get, path = "/api/programs/{id}/checkins", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = CheckinSummary), (status = 403, body = ErrorBody)))]
pub async fn checkin_summary(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<CheckinSummary>, ApiError> {
    Ok(Json(meetings::checkin_summary(&state, &me.user, program_id).await?.into()))
}

//! Scheduled meetings between the two people of an active match: propose a time, accept it or
//! propose another, decline or cancel; each meeting as an `.ics` file and every accepted meeting
//! of a person in a private calendar feed; reminders before the start. And check-ins after a call
//! both people joined (a 1–5 rating and a note), which coordinators see only in aggregate.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, CurrentUser, List};
use super::programs::Access;
use super::validate;
use crate::auth::{new_secret, secret_hash};
use crate::bus::BusEvent;
use crate::gateway::protocol::ServerFrame;
use crate::state::AppState;
use crate::store::{CheckinSummary, MatchStatus, Meeting, MeetingStatus, NewMeeting, jobs, to_millis};

/// How long before a meeting both people are reminded.
pub const REMINDER_BEFORE: time::Duration = time::Duration::minutes(15);

/// Tells both people's connections about a meeting.
pub async fn publish_meeting(state: &AppState, meeting: &Meeting, reminder: bool) {
    let frame = ServerFrame::Meeting { meeting, reminder }.encode();
    for user in [meeting.organizer.user_id, meeting.invitee.user_id] {
        state.gateway.publish(BusEvent::User { user, frame: frame.clone() }).await;
    }
}

/// Queues the reminder of an accepted meeting (a moved meeting gets a new one; the old one finds
/// the time changed and does nothing).
async fn schedule_reminder(state: &AppState, m: &Meeting) -> Result<(), ApiError> {
    let now = state.clock.now();
    let at = (m.starts_at - REMINDER_BEFORE).max(now);
    let starts = to_millis(m.starts_at);
    let payload = format!("{} {starts}", m.id);
    let key = format!("remind:{}:{starts}", m.id);
    state.store.schedule_job(jobs::MEETING_REMINDER, &payload, &key, at, now).await?;
    state.work.notify_one();
    Ok(())
}

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

fn check_time(state: &AppState, starts_at: OffsetDateTime, duration_min: i32) -> Result<(), ApiError> {
    let now = state.clock.now();
    if starts_at <= now {
        return Err(ApiError::field("starts_at", "must be in the future"));
    }
    if starts_at > now + time::Duration::days(366) {
        return Err(ApiError::field("starts_at", "must be within a year"));
    }
    if !(15..=240).contains(&duration_min) {
        return Err(ApiError::field("duration_min", "must be between 15 and 240 minutes"));
    }
    Ok(())
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
    let record = state.store.get_match(input.match_id).await?;
    let invitee = if record.mentee_id == me.user.id {
        record.mentor_id
    } else if record.mentor_id == me.user.id {
        record.mentee_id
    } else {
        return Err(ApiError::NotFound);
    };
    if record.status != MatchStatus::Active {
        return Err(ApiError::Conflict("meetings are for active matches".into()));
    }
    let title = validate::required("title", &input.title, 200)?;
    let agenda = validate::optional("agenda", Some(input.agenda), 4000)?.unwrap_or_default();
    let client_id = validate::required("client_id", &input.client_id, 64)?;
    check_time(&state, input.starts_at, input.duration_min)?;
    let new = NewMeeting {
        program_id: record.program_id,
        match_id: record.id,
        organizer: me.user.id,
        invitee,
        title,
        agenda,
        starts_at: to_millis(input.starts_at),
        duration_min: input.duration_min,
        client_id,
    };
    let (meeting, created) = state.store.create_meeting(new, state.clock.now()).await?;
    if created {
        publish_meeting(&state, &meeting, false).await;
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(meeting)))
}

/// My meetings, soonest first.
#[utoipa::path(get, path = "/api/me/meetings", tag = "meetings", responses((status = 200, body = List<Meeting>)))]
pub async fn mine(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<Meeting>>, ApiError> {
    Ok(Json(List { items: state.store.user_meetings(me.user.id).await?, next_cursor: None }))
}

async fn my_meeting(state: &AppState, me: &CurrentUser, id: Uuid) -> Result<Meeting, ApiError> {
    let meeting = state.store.get_meeting(id).await?;
    if !meeting.involves(me.user.id) {
        return Err(ApiError::NotFound);
    }
    Ok(meeting)
}

/// Accept the proposed time (the person who did not propose it).
#[utoipa::path(post, path = "/api/meetings/{id}/accept", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Meeting>, ApiError> {
    let meeting = my_meeting(&state, &me, id).await?;
    if meeting.proposed_by == me.user.id {
        return Err(ApiError::Conflict("the other person accepts the time you proposed".into()));
    }
    if meeting.starts_at <= state.clock.now() {
        return Err(ApiError::Conflict("this time has passed; propose another".into()));
    }
    let meeting = state
        .store
        .set_meeting_status(id, &[MeetingStatus::Proposed], MeetingStatus::Accepted, state.clock.now())
        .await?;
    schedule_reminder(&state, &meeting).await?;
    publish_meeting(&state, &meeting, false).await;
    Ok(Json(meeting))
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
    let meeting = my_meeting(&state, &me, id).await?;
    let duration = input.duration_min.unwrap_or(meeting.duration_min);
    check_time(&state, input.starts_at, duration)?;
    let now = state.clock.now();
    let meeting = state.store.repropose_meeting(id, me.user.id, to_millis(input.starts_at), duration, now).await?;
    publish_meeting(&state, &meeting, false).await;
    Ok(Json(meeting))
}

/// Decline (the invitee, before accepting) or cancel (either, any time before it ends).
#[utoipa::path(post, path = "/api/meetings/{id}/cancel", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Meeting>, ApiError> {
    let meeting = my_meeting(&state, &me, id).await?;
    let to = if meeting.status == MeetingStatus::Proposed && meeting.proposed_by != me.user.id {
        MeetingStatus::Declined
    } else {
        MeetingStatus::Cancelled
    };
    let open = [MeetingStatus::Proposed, MeetingStatus::Accepted];
    let meeting = state.store.set_meeting_status(id, &open, to, state.clock.now()).await?;
    publish_meeting(&state, &meeting, false).await;
    Ok(Json(meeting))
}

// --- calendars ---

/// Text escaped for an iCalendar property value (RFC 5545, 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// Folds a content line at 75 octets, without splitting a character (RFC 5545, 3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn ics_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// One entry of a calendar: a meeting of a pair or a group event.
pub struct CalendarEntry {
    pub uid: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub summary: String,
    pub description: String,
    pub url: String,
    /// `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'static str,
    pub updated_at: OffsetDateTime,
}

impl CalendarEntry {
    pub fn meeting(m: &Meeting, public_url: &str) -> Self {
        CalendarEntry {
            uid: format!("{}@kindred", m.id),
            starts_at: m.starts_at,
            ends_at: m.ends_at(),
            summary: m.title.clone(),
            description: format!("{} and {}\n\n{}", m.organizer.name, m.invitee.name, m.agenda),
            url: format!("{public_url}/meetings"),
            status: match m.status {
                MeetingStatus::Accepted => "CONFIRMED",
                MeetingStatus::Proposed => "TENTATIVE",
                MeetingStatus::Declined | MeetingStatus::Cancelled => "CANCELLED",
            },
            updated_at: m.updated_at,
        }
    }
}

/// An iCalendar document with the given entries.
pub fn calendar(entries: &[CalendarEntry], now: OffsetDateTime) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kindred//Mentoring meetings//EN", "CALSCALE:GREGORIAN"] {
        out.push_str(&fold(line));
    }
    for e in entries {
        let lines = [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{}", ics_time(now)),
            format!("DTSTART:{}", ics_time(e.starts_at)),
            format!("DTEND:{}", ics_time(e.ends_at)),
            format!("SUMMARY:{}", ics_text(&e.summary)),
            format!("DESCRIPTION:{}", ics_text(&e.description)),
            format!("URL:{}", e.url),
            format!("STATUS:{}", e.status),
            format!("LAST-MODIFIED:{}", ics_time(e.updated_at)),
            "END:VEVENT".to_owned(),
        ];
        for line in lines {
            out.push_str(&fold(&line));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

pub(crate) fn ics_response(body: String, filename: &str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
}

/// One meeting as an `.ics` file.
#[utoipa::path(get, path = "/api/meetings/{id}/ics", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn ics(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let meeting = my_meeting(&state, &me, id).await?;
    let body = calendar(&[CalendarEntry::meeting(&meeting, &state.public_url)], state.clock.now());
    Ok(ics_response(body, "meeting.ics"))
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
    let token = new_secret("kc_");
    state.store.set_calendar_feed(me.user.id, &secret_hash(&token), state.clock.now()).await?;
    let url = format!("{}/api/calendar/{token}.ics", state.public_url);
    Ok((StatusCode::CREATED, Json(CalendarFeed { url })))
}

/// A person's calendar feed (no sign-in: the URL is the credential).
#[utoipa::path(get, path = "/api/calendar/{file}", tag = "meetings", params(("file" = String, Path, description = "<token>.ics")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    let user = state.store.calendar_feed_user(&secret_hash(token)).await?.ok_or(ApiError::NotFound)?;
    let meetings: Vec<Meeting> = state
        .store
        .user_meetings(user)
        .await?
        .into_iter()
        .filter(|m| matches!(m.status, MeetingStatus::Accepted | MeetingStatus::Proposed | MeetingStatus::Cancelled))
        .collect();
    let mut entries: Vec<CalendarEntry> =
        meetings.iter().map(|m| CalendarEntry::meeting(m, &state.public_url)).collect();
    for event in state.store.calendar_events(user).await? {
        entries.push(super::events::calendar_entry(&event, &state.public_url));
    }
    entries.sort_by_key(|e| e.starts_at);
    Ok(ics_response(calendar(&entries, state.clock.now()), "kindred.ics"))
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
    Ok(Json(PendingCheckins { calls: state.store.pending_checkins(me.user.id).await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// 1 (poor) to 5 (great).
    pub rating: i32,
    #[serde(default)]
    pub note: String,
}

/// Rate a call I took part in, once.
#[utoipa::path(post, path = "/api/calls/{id}/checkin", tag = "meetings", params(("id" = Uuid, Path)), request_body = CheckinInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checkin(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(call): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CheckinInput>,
) -> Result<StatusCode, ApiError> {
    if !(1..=5).contains(&input.rating) {
        return Err(ApiError::field("rating", "must be between 1 and 5"));
    }
    let note = validate::optional("note", Some(input.note), 2000)?.unwrap_or_default();
    // Someone else's call is not found; one of mine that cannot be rated (already rated, not
    // ended, or not joined by both) is a conflict. Nothing is written in either case.
    if !state.store.pending_checkins(me.user.id).await?.contains(&call) {
        return Err(if is_participant(&state, call, me.user.id).await? {
            ApiError::Conflict("this call cannot be rated: already rated, not over, or not joined by both".into())
        } else {
            ApiError::NotFound
        });
    }
    state.store.add_checkin(call, me.user.id, input.rating, &note, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn is_participant(state: &AppState, call: Uuid, user: Uuid) -> Result<bool, ApiError> {
    let Some(stored) = state.store.load_call(call).await? else { return Ok(false) };
    let machine: kindred_signaling::Call = serde_json::from_str(&stored.machine).map_err(ApiError::internal)?;
    Ok(machine.peer_of(user).is_some())
}

/// Check-ins of the program's calls, in aggregate only (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/checkins", tag = "meetings", params(("id" = Uuid, Path)),
    responses((status = 200, body = CheckinSummary), (status = 403, body = ErrorBody)))]
pub async fn checkin_summary(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<CheckinSummary>, ApiError> {
    Access::of(&state, &me, program_id).await?.require_coordinator()?;
    Ok(Json(state.store.checkin_summary(program_id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_text_is_escaped_and_folded() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        for line in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(ics_time(t), "20270115T080000Z");
    }
}

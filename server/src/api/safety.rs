//! Safety: blocking people, reporting, and the moderation queue (docs/safety.md).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use crate::domain::safety::{self, Closing, ConductView, QueuedReport, ReportDraft};
use crate::state::AppState;
use crate::store::{BlockRow, ConductRow, PersonRef, ReportMessage, ReportRow, from_millis};
use crate::vocab::{ReportCategory, ReportKind, ReportOutcome};

/// Someone I blocked.
#[derive(Serialize, ToSchema)]
pub struct Block {
    pub user_id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<BlockRow> for Block {
    fn from(b: BlockRow) -> Self {
        Block { user_id: b.user_id, name: b.name, created_at: from_millis(b.created_at) }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    /// The person to block: someone I share a program with.
    pub user_id: Uuid,
}

/// The people I blocked.
#[utoipa::path(get, path = "/api/me/blocks", tag = "safety", params(PageQuery),
    responses((status = 200, body = List<Block>), (status = 401, body = ErrorBody)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Block>>, ApiError> {
    let page = safety::blocks(&state, &me.user, q.page()?).await?;
    Ok(Json(List {
        items: page.items.into_iter().map(Block::from).collect(),
        next_cursor: page.next.map(|i| i.to_string()),
    }))
}

/// Block someone I share a program with. At once, on every node, neither of us reaches the other
/// directly: our conversation closes to new messages, calls and meetings are refused, typing,
/// read receipts and presence stop, and matching never proposes us. An open match between us
/// ends quietly (the other person sees that it ended, not why) and both of us are matched again;
/// our upcoming meetings are cancelled. Group channels and events stay usable.
#[utoipa::path(post, path = "/api/me/blocks", tag = "safety", request_body = NewBlock,
    responses((status = 201, body = Block), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_block(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<NewBlock>,
) -> Result<(StatusCode, Json<Block>), ApiError> {
    let block = safety::block(&state, &me.user, body.user_id).await?;
    Ok((StatusCode::CREATED, Json(block.into())))
}

/// Lift my block of someone. Contact returns (unless they blocked me too); an ended match stays
/// ended.
#[utoipa::path(delete, path = "/api/me/blocks/{user_id}", tag = "safety", params(("user_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_block(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(user_id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    safety::unblock(&state, &me.user, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- reports ---

/// Something to report. Which ids a report needs depends on its kind: `message`: `channel_id`
/// and `seq`; `person`: `user_id` and `program_id`; `meeting`: `meeting_id`; `event`: `event_id`
/// and the `user_id` of the person.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[schema(required = true)]
    pub kind: Option<ReportKind>,
    #[schema(required = true)]
    pub category: Option<ReportCategory>,
    /// Words of one's own for the coordinators (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub channel_id: Option<Uuid>,
    /// The reported message's sequence number in `channel_id`.
    #[serde(default)]
    pub seq: Option<i64>,
    /// Sequence numbers of messages in `channel_id` the reporter shares with the coordinators (at
    /// most 20; the reported message only if listed). Coordinators see copies of exactly these.
    #[serde(default)]
    pub share: Vec<i64>,
    #[serde(default)]
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub program_id: Option<Uuid>,
    #[serde(default)]
    pub meeting_id: Option<Uuid>,
    #[serde(default)]
    pub event_id: Option<Uuid>,
}

/// Where a report is, as its reporter sees it: `open`, or `reviewed` by the coordinators (what
/// they did is not shown).
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Open,
    Reviewed,
}

/// A report as its reporter sees it.
#[derive(Serialize, ToSchema)]
pub struct MyReport {
    pub id: Uuid,
    pub program_id: Uuid,
    pub kind: ReportKind,
    pub category: ReportCategory,
    pub note: String,
    /// Who was reported.
    pub subject: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub status: ReportStatus,
}

impl From<ReportRow> for MyReport {
    fn from(r: ReportRow) -> Self {
        MyReport {
            id: r.id,
            program_id: r.program_id,
            kind: r.kind,
            category: r.category,
            note: r.note,
            subject: PersonRef { user_id: r.subject_id, name: r.subject_name },
            created_at: from_millis(r.created_at),
            status: if r.closed_at.is_some() { ReportStatus::Reviewed } else { ReportStatus::Open },
        }
    }
}

/// A copy of a message its reporter shared.
#[derive(Serialize, ToSchema)]
pub struct ReportedMessage {
    pub channel_id: Uuid,
    pub seq: i64,
    pub sender: PersonRef,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

impl From<ReportMessage> for ReportedMessage {
    fn from(m: ReportMessage) -> Self {
        ReportedMessage {
            channel_id: m.channel_id,
            seq: m.seq,
            sender: PersonRef { user_id: m.sender_id, name: m.sender_name },
            body: m.body,
            sent_at: from_millis(m.sent_at),
        }
    }
}

/// An earlier report about the same person in the program.
#[derive(Serialize, ToSchema)]
pub struct EarlierReport {
    pub id: Uuid,
    pub kind: ReportKind,
    pub category: ReportCategory,
    pub reporter: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// How it was closed; null while open.
    #[schema(required = true)]
    pub outcome: Option<ReportOutcome>,
}

fn outcome(r: &ReportRow) -> Option<ReportOutcome> {
    r.outcome.clone().and_then(|o| ReportOutcome::try_from(o).ok())
}

/// A report in the moderation queue, as the program's coordinators see it.
#[derive(Serialize, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub program_id: Uuid,
    pub kind: ReportKind,
    /// The message, meeting or event reported (the person, for a person).
    pub target_id: Uuid,
    pub category: ReportCategory,
    /// 1 (spam) to 5 (a safety concern); the queue shows the most severe first.
    pub severity: i32,
    pub note: String,
    pub reporter: PersonRef,
    pub subject: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// How it was closed; null while open.
    #[schema(required = true)]
    pub outcome: Option<ReportOutcome>,
    /// The closing coordinator's why.
    #[schema(required = true)]
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub closed_at: Option<OffsetDateTime>,
    /// Copies of exactly the messages the reporter shared.
    pub messages: Vec<ReportedMessage>,
    /// Earlier reports about the same person in this program, newest first (at most 20).
    pub earlier: Vec<EarlierReport>,
    /// The person was reported by someone else too, or often.
    pub repeat: bool,
}

impl From<QueuedReport> for Report {
    fn from(q: QueuedReport) -> Self {
        let repeat = q.repeat();
        let r = q.report;
        Report {
            id: r.id,
            program_id: r.program_id,
            kind: r.kind,
            target_id: r.target_id,
            category: r.category,
            severity: r.severity,
            outcome: outcome(&r),
            note: r.note,
            reporter: PersonRef { user_id: r.reporter_id, name: r.reporter_name },
            subject: PersonRef { user_id: r.subject_id, name: r.subject_name },
            created_at: from_millis(r.created_at),
            reason: r.reason,
            closed_at: r.closed_at.map(from_millis),
            messages: q.messages.into_iter().map(ReportedMessage::from).collect(),
            earlier: q
                .earlier
                .into_iter()
                .map(|e| EarlierReport {
                    id: e.id,
                    kind: e.kind,
                    category: e.category,
                    outcome: outcome(&e),
                    reporter: PersonRef { user_id: e.reporter_id, name: e.reporter_name },
                    created_at: from_millis(e.created_at),
                })
                .collect(),
            repeat,
        }
    }
}

/// Report a message, a person, a meeting or someone in an event to the program's coordinators.
/// They see the report, who made it, and copies of exactly the messages listed in `share`; the
/// reported person is never told who reported them. One open report per thing reported.
#[utoipa::path(post, path = "/api/reports", tag = "safety", request_body = ReportInput,
    responses((status = 201, body = MyReport), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_report(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ReportInput>,
) -> Result<(StatusCode, Json<MyReport>), ApiError> {
    let draft = ReportDraft {
        kind: body.kind,
        category: body.category,
        note: body.note,
        channel_id: body.channel_id,
        seq: body.seq,
        share: body.share,
        user_id: body.user_id,
        program_id: body.program_id,
        meeting_id: body.meeting_id,
        event_id: body.event_id,
    };
    let row = safety::report(&state, &me.user, draft).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The reports I made, newest first, with whether coordinators reviewed them.
#[utoipa::path(get, path = "/api/me/reports", tag = "safety", params(PageQuery),
    responses((status = 200, body = List<MyReport>), (status = 401, body = ErrorBody)))]
pub async fn my_reports(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<MyReport>>, ApiError> {
    let page = safety::my_reports(&state, &me.user, q.page()?).await?;
    Ok(Json(List {
        items: page.items.into_iter().map(MyReport::from).collect(),
        next_cursor: page.next.map(|i| i.to_string()),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsQuery {
    /// Closed reports too.
    #[serde(default)]
    pub all: bool,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// The program's moderation queue (coordinators): open reports, most severe first, then newest.
#[utoipa::path(get, path = "/api/programs/{id}/reports", tag = "safety", params(("id" = Uuid, Path), ReportsQuery),
    responses((status = 200, body = List<Report>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn program_reports(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ReportsQuery>,
) -> Result<Json<List<Report>>, ApiError> {
    let page = PageQuery { cursor: q.cursor, limit: q.limit }.page()?;
    let page = safety::queue(&state, &me.user, program_id, q.all, page).await?;
    Ok(Json(List {
        items: page.items.into_iter().map(Report::from).collect(),
        next_cursor: page.next.map(|i| i.to_string()),
    }))
}

/// One report of the program's (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/reports/{report_id}", tag = "safety",
    params(("id" = Uuid, Path), ("report_id" = Uuid, Path)),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(safety::queued_report(&state, &me.user, program_id, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseReportInput {
    /// `dismissed`; `warned` (sends `warning` to the reported person alone, from you);
    /// `match_ended` (ends the active match between the reporter and the reported person);
    /// `muted` (in the program's group channels for `minutes`); `removed` (from the channel of
    /// the reported message); or `suspended` (from the program).
    pub outcome: ReportOutcome,
    /// Why (required; in the audit log and shown to the program's coordinators).
    pub reason: String,
    /// For `warned`: the words the reported person reads.
    #[serde(default)]
    pub warning: Option<String>,
    /// For `muted`: for how many minutes (1 to 43,200, i.e. 30 days).
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// Close a report with an action (coordinators). Recorded in the audit log with who and why; the
/// reporter is told it was reviewed, not what was done.
#[utoipa::path(post, path = "/api/programs/{id}/reports/{report_id}/close", tag = "safety",
    params(("id" = Uuid, Path), ("report_id" = Uuid, Path)), request_body = CloseReportInput,
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close_report(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<CloseReportInput>,
) -> Result<Json<Report>, ApiError> {
    let closing = Closing { outcome: body.outcome, reason: body.reason, warning: body.warning, minutes: body.minutes };
    Ok(Json(safety::close(&state, &me.user, program_id, id, closing).await?.into()))
}

// --- code of conduct ---

/// A program's code of conduct, and where I stand with it.
#[derive(Serialize, ToSchema)]
pub struct Conduct {
    pub program_id: Uuid,
    /// The current version (1, 2, …); null when the program has none.
    #[schema(required = true)]
    pub version: Option<i32>,
    /// Markdown; empty when the program has none.
    pub text: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub updated_at: Option<OffsetDateTime>,
    /// The latest version I accepted; null if none.
    #[schema(required = true)]
    pub accepted_version: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub accepted_at: Option<OffsetDateTime>,
    /// I must accept the current version before I post, call or join events in this program.
    pub required: bool,
}

fn conduct_of(program_id: Uuid, v: ConductView) -> Conduct {
    Conduct {
        program_id,
        version: v.current.as_ref().map(|c| c.version),
        updated_at: v.current.as_ref().map(|c| from_millis(c.created_at)),
        text: v.current.map(|c| c.text).unwrap_or_default(),
        accepted_version: v.accepted.map(|(version, _)| version),
        accepted_at: v.accepted.map(|(_, at)| from_millis(at)),
        required: v.required,
    }
}

/// A code of conduct I have yet to accept.
#[derive(Serialize, ToSchema)]
pub struct PendingConduct {
    pub program_id: Uuid,
    pub program_name: String,
    pub version: i32,
    /// Markdown.
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<ConductRow> for PendingConduct {
    fn from(c: ConductRow) -> Self {
        PendingConduct {
            program_id: c.program_id,
            program_name: c.program_name,
            version: c.version,
            text: c.text,
            updated_at: from_millis(c.created_at),
        }
    }
}

/// The program's code of conduct (any member).
#[utoipa::path(get, path = "/api/programs/{id}/conduct", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = Conduct), (status = 404, body = ErrorBody)))]
pub async fn get_conduct(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<Conduct>, ApiError> {
    Ok(Json(conduct_of(program_id, safety::conduct(&state, &me.user, program_id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConductInput {
    /// Markdown, 1 to 20,000 characters.
    pub text: String,
}

/// Set the program's code of conduct (coordinators). A changed text is a new version that every
/// member accepts again before they post, call or join events; recorded in the audit log.
#[utoipa::path(put, path = "/api/programs/{id}/conduct", tag = "safety", params(("id" = Uuid, Path)), request_body = ConductInput,
    responses((status = 200, body = Conduct), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_conduct(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ConductInput>,
) -> Result<Json<Conduct>, ApiError> {
    Ok(Json(conduct_of(program_id, safety::set_conduct(&state, &me.user, program_id, &body.text).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptConductInput {
    /// The version I read (the current one).
    pub version: i32,
}

/// Accept the program's current code of conduct.
#[utoipa::path(post, path = "/api/programs/{id}/conduct/accept", tag = "safety", params(("id" = Uuid, Path)),
    request_body = AcceptConductInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept_conduct(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AcceptConductInput>,
) -> Result<StatusCode, ApiError> {
    safety::accept_conduct(&state, &me.user, program_id, body.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The codes of conduct I have yet to accept, one per program (a person belongs to a few).
#[utoipa::path(get, path = "/api/me/conduct", tag = "safety",
    responses((status = 200, body = List<PendingConduct>), (status = 401, body = ErrorBody)))]
pub async fn my_pending_conduct(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<List<PendingConduct>>, ApiError> {
    let items = safety::pending_conduct(&state, &me.user).await?;
    Ok(Json(List { items: items.into_iter().map(PendingConduct::from).collect(), next_cursor: None }))
}

// --- mutes and removals ---

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MuteInput {
    /// 1 to 43,200 (30 days).
    pub minutes: u32,
    /// Why (required; in the audit log).
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Why (required; in the audit log).
    pub reason: String,
}

/// A mute in a program's group channels.
#[derive(Serialize, ToSchema)]
pub struct Mute {
    pub program_id: Uuid,
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// Mute a member in the program's group channels for a time (coordinators): they read but do not
/// post there, at once on every node; their conversations of two stay theirs. Replaces an
/// earlier mute. Audited with why.
#[utoipa::path(post, path = "/api/programs/{id}/members/{user_id}/mute", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = MuteInput,
    responses((status = 200, body = Mute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mute_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<MuteInput>,
) -> Result<Json<Mute>, ApiError> {
    let until = safety::mute(&state, &me.user, program_id, user_id, Some(body.minutes), &body.reason).await?;
    let until = from_millis(until.unwrap_or_default());
    Ok(Json(Mute { program_id, user_id, until }))
}

/// Lift a member's mute (coordinators; 404 when they are not muted). Audited with why.
#[utoipa::path(post, path = "/api/programs/{id}/members/{user_id}/unmute", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unmute_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::mute(&state, &me.user, program_id, user_id, None, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspend a member from the program (coordinators): until reinstated they are no member for
/// anything the program offers (pages, channels, calls, events, matching); their data is kept,
/// and every device of theirs reconnects without the program at once. Audited with why.
#[utoipa::path(post, path = "/api/programs/{id}/members/{user_id}/suspend", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suspend_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::suspend(&state, &me.user, program_id, user_id, true, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reinstate a suspended member (coordinators). Audited with why.
#[utoipa::path(post, path = "/api/programs/{id}/members/{user_id}/reinstate", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reinstate_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::suspend(&state, &me.user, program_id, user_id, false, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a member out of a group event (its program's coordinators; not its host or a
/// coordinator): no longer invited, whatever its audience, so no RSVP and no room; their RSVP
/// goes and they leave its chat. Audited with why.
#[utoipa::path(post, path = "/api/events/{id}/people/{user_id}/remove", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_from_event(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((event_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::remove_from_event(&state, &me.user, event_id, user_id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a member's removal from a group event (coordinators; 404 when there is none): invited
/// again as its audience says. Audited with why.
#[utoipa::path(post, path = "/api/events/{id}/people/{user_id}/restore", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn restore_to_event(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((event_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::restore_to_event(&state, &me.user, event_id, user_id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a member out of a group channel of more than two people (the program's coordinators):
/// their screens drop it at once (`channel_removed`). Audited with why.
#[utoipa::path(post, path = "/api/channels/{id}/members/{user_id}/remove", tag = "safety",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((channel_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    safety::remove_from_channel(&state, &me.user, channel_id, user_id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

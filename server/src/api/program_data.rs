//! Program data over HTTP (docs/program-data.md): surveys, engagement, pairs at risk, the
//! dashboard, exports and the audit log, notification settings and unsubscribe links, and each
//! person's own data (download, delete). Nothing here returns the text of a private message.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use crate::domain::program_data::coordinate::{self, SurveyDraft};
use crate::domain::program_data::export::ExportFile;
use crate::domain::program_data::personal;
use crate::domain::program_data::surveys::Question;
use crate::state::AppState;
use crate::store::{NotificationPrefsRow, RiskSettingsRow};
use crate::vocab::{EmailKind, SurveyAudience, SurveyQuestionKind, Trigger};
use crate::wire;
use crate::wire::program_data::{Alert, Overview, PairEngagement, Survey, SurveyInvitation, SurveyResults};

// --- support ---

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SupportInput {
    /// Words of one's own for the coordinators (at most 1,000 characters); optional.
    #[serde(default)]
    pub note: Option<String>,
}

/// Ask the program's coordinators to get in touch about my active match. They see an alert naming
/// me and my words; the other person is not told. Once while the request is open.
#[utoipa::path(post, path = "/api/matches/{id}/support", tag = "program-data", params(("id" = Uuid, Path)),
    request_body = SupportInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ask_for_support(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(match_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SupportInput>,
) -> Result<StatusCode, ApiError> {
    personal::ask_for_support(&state, &me.user, match_id, input.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- help ---

/// A program's "get help now" panel: its own words and contacts.
#[derive(Serialize, ToSchema)]
pub struct ProgramHelp {
    pub program_id: Uuid,
    pub program_name: String,
    /// Plain text, line breaks kept; empty when the program has none.
    pub text: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub updated_at: Option<OffsetDateTime>,
}

impl From<crate::store::ProgramHelpRow> for ProgramHelp {
    fn from(r: crate::store::ProgramHelpRow) -> Self {
        ProgramHelp {
            program_id: r.program_id,
            program_name: r.program_name,
            text: r.text,
            updated_at: r.updated_at.map(crate::store::from_millis),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramHelpInput {
    /// At most 4,000 characters; empty removes the panel.
    pub text: String,
}

/// The program's "get help now" panel (any member).
#[utoipa::path(get, path = "/api/programs/{id}/help", tag = "program-data", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgramHelp), (status = 404, body = ErrorBody)))]
pub async fn get_help(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<ProgramHelp>, ApiError> {
    Ok(Json(coordinate::help(&state, &me.user, program_id).await?.into()))
}

/// Set the program's "get help now" panel (coordinators; recorded in the audit log).
#[utoipa::path(put, path = "/api/programs/{id}/help", tag = "program-data", params(("id" = Uuid, Path)), request_body = ProgramHelpInput,
    responses((status = 200, body = ProgramHelp), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_help(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ProgramHelpInput>,
) -> Result<Json<ProgramHelp>, ApiError> {
    Ok(Json(coordinate::save_help(&state, &me.user, program_id, &input.text).await?.into()))
}

/// The "get help now" panels of my programs that have one, by program name.
#[utoipa::path(get, path = "/api/me/help", tag = "program-data", responses((status = 200, body = List<ProgramHelp>)))]
pub async fn my_help(State(state): State<AppState>, me: CurrentUser) -> Result<Json<List<ProgramHelp>>, ApiError> {
    // A person belongs to few programs: one list, never more than a page.
    Ok(Json(List { items: wire::all(personal::my_help(&state, &me.user).await?), next_cursor: None }))
}

// --- surveys ---

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    pub title: String,
    pub trigger: Trigger,
    /// For `date`: when it goes out (RFC 3339, within a year).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    pub audience: SurveyAudience,
    /// An anonymous response is never linked to its person.
    #[serde(default)]
    pub anonymous: bool,
    pub questions: Vec<SurveyQuestionInput>,
}

/// Create a survey.
#[utoipa::path(post, path = "/api/programs/{id}/surveys", tag = "program-data", params(("id" = Uuid, Path)), request_body = SurveyInput,
    responses((status = 201, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_survey(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<(StatusCode, Json<Survey>), ApiError> {
    let draft = SurveyDraft {
        title: input.title,
        trigger: input.trigger,
        due_at: input.due_at,
        audience: input.audience,
        anonymous: input.anonymous,
        questions: input.questions.into_iter().map(Question::from).collect(),
    };
    Ok((StatusCode::CREATED, Json(coordinate::create_survey(&state, &me.user, program_id, draft).await?.into())))
}

/// The program's surveys, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/programs/{id}/surveys", tag = "program-data", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = List<Survey>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_surveys(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Survey>>, ApiError> {
    Ok(Json(coordinate::surveys(&state, &me.user, program_id, q.page()?).await?.into()))
}

/// A survey's results in aggregate.
#[utoipa::path(get, path = "/api/programs/{id}/surveys/{survey_id}/results", tag = "program-data",
    params(("id" = Uuid, Path), ("survey_id" = Uuid, Path)),
    responses((status = 200, body = SurveyResults), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn survey_results(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, survey_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<SurveyResults>, ApiError> {
    Ok(Json(coordinate::survey_results(&state, &me.user, program_id, survey_id).await?.into()))
}

/// Surveys waiting for my answers.
#[utoipa::path(get, path = "/api/me/surveys", tag = "program-data", responses((status = 200, body = List<SurveyInvitation>)))]
pub async fn my_surveys(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<List<SurveyInvitation>>, ApiError> {
    Ok(Json(List { items: wire::all(personal::open_surveys(&state, &me.user).await?), next_cursor: None }))
}

/// A survey question as a coordinator writes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestionInput {
    /// Given by the server when left out (`q1`, `q2`, …); unique within the survey.
    #[serde(default)]
    pub id: Option<String>,
    pub kind: SurveyQuestionKind,
    pub prompt: String,
    #[serde(default)]
    pub required: bool,
    /// For `single` and `multiple`: 2 to 20 distinct options.
    #[serde(default)]
    pub options: Vec<String>,
    /// Options whose choice in a named response flags the pair (e.g. "Not a good fit").
    #[serde(default)]
    pub at_risk_options: Vec<String>,
}

impl From<SurveyQuestionInput> for Question {
    fn from(q: SurveyQuestionInput) -> Self {
        Question {
            id: q.id.unwrap_or_default(),
            kind: q.kind,
            prompt: q.prompt,
            required: q.required,
            options: q.options,
            at_risk_options: q.at_risk_options,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// Question id → its answer. The values' shapes are checked against each question, so a
    /// wrong one is named with its question rather than refused as malformed JSON.
    #[schema(value_type = BTreeMap<String, AnswerValue>)]
    pub answers: BTreeMap<String, Value>,
}

/// One answer: a number 1–5 (`scale`), an option (`single`), a list of options (`multiple`) or
/// text. Describes `ResponseInput.answers` in the document; the server reads answers as JSON
/// values and checks each against its question.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AnswerValue {
    Scale(i64),
    Text(String),
    Options(Vec<String>),
}

#[derive(Serialize, ToSchema)]
pub struct Answered {
    pub survey_id: Uuid,
    pub anonymous: bool,
}

/// Answer a survey I was invited to, once.
#[utoipa::path(post, path = "/api/me/surveys/{id}/response", tag = "program-data", params(("id" = Uuid, Path, description = "The invitation")),
    request_body = ResponseInput,
    responses((status = 201, body = Answered), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_survey(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> Result<(StatusCode, Json<Answered>), ApiError> {
    let (survey_id, anonymous) = personal::answer(&state, &me.user, id, &input.answers).await?;
    Ok((StatusCode::CREATED, Json(Answered { survey_id, anonymous })))
}

// --- engagement, alerts ---

/// Engagement of every pair that became active, a page at a time.
#[utoipa::path(get, path = "/api/programs/{id}/engagement", tag = "program-data", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = List<PairEngagement>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn engagement(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<PairEngagement>>, ApiError> {
    Ok(Json(coordinate::engagement(&state, &me.user, program_id, q.page()?).await?.into()))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskSettings {
    /// Whether pairs are checked at all.
    pub enabled: bool,
    /// Days without a message or meeting before a pair is flagged, 1–365.
    pub no_contact_days: i32,
    /// How far the latest check-in rating may fall below the earlier mean, 0.5–4.
    pub rating_drop: f64,
    /// Whether a fit check's at-risk answer flags the pair.
    pub fit_check: bool,
}

impl From<RiskSettingsRow> for RiskSettings {
    fn from(r: RiskSettingsRow) -> Self {
        RiskSettings {
            enabled: r.enabled,
            no_contact_days: r.no_contact_days,
            rating_drop: r.rating_drop,
            fit_check: r.fit_check,
        }
    }
}

/// The program's at-risk rules.
#[utoipa::path(get, path = "/api/programs/{id}/risk-settings", tag = "program-data", params(("id" = Uuid, Path)),
    responses((status = 200, body = RiskSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_risk_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<RiskSettings>, ApiError> {
    Ok(Json(coordinate::risk_settings(&state, &me.user, program_id).await?.into()))
}

/// Tune the program's at-risk rules.
#[utoipa::path(put, path = "/api/programs/{id}/risk-settings", tag = "program-data", params(("id" = Uuid, Path)), request_body = RiskSettings,
    responses((status = 200, body = RiskSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_risk_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RiskSettings>,
) -> Result<Json<RiskSettings>, ApiError> {
    let row = RiskSettingsRow {
        enabled: input.enabled,
        no_contact_days: input.no_contact_days,
        rating_drop: input.rating_drop,
        fit_check: input.fit_check,
    };
    Ok(Json(coordinate::save_risk_settings(&state, &me.user, program_id, row).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// Closed alerts too.
    #[serde(default)]
    pub all: bool,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// Pairs at risk, newest first.
#[utoipa::path(get, path = "/api/programs/{id}/alerts", tag = "program-data", params(("id" = Uuid, Path), AlertsQuery),
    responses((status = 200, body = List<Alert>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_alerts(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> Result<Json<List<Alert>>, ApiError> {
    let page = PageQuery { cursor: q.cursor, limit: q.limit }.page()?;
    Ok(Json(coordinate::alerts(&state, &me.user, program_id, q.all, page).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairMessageInput {
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct PairMessageSent {
    /// The channel written in: the coordinator's with the pair, or with the one person who raised
    /// the alert.
    pub channel_id: Uuid,
}

/// Write about an alert: to the pair, in a group channel of the coordinator and the two; or, for an
/// alert one person raised (`raised_by`), to that person alone, in a channel of the coordinator
/// and them. Each channel is opened once.
#[utoipa::path(post, path = "/api/programs/{id}/alerts/{alert_id}/message", tag = "program-data",
    params(("id" = Uuid, Path), ("alert_id" = Uuid, Path)), request_body = PairMessageInput,
    responses((status = 200, body = PairMessageSent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn alert_message(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<PairMessageInput>,
) -> Result<Json<PairMessageSent>, ApiError> {
    let channel_id = coordinate::message_pair(&state, &me.user, program_id, id, &input.text).await?;
    Ok(Json(PairMessageSent { channel_id }))
}

/// End the pair's match so both can be matched again, and close the alert.
#[utoipa::path(post, path = "/api/programs/{id}/alerts/{alert_id}/rematch", tag = "program-data",
    params(("id" = Uuid, Path), ("alert_id" = Uuid, Path)),
    responses((status = 200, body = Alert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn alert_rematch(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Alert>, ApiError> {
    Ok(Json(coordinate::rematch_pair(&state, &me.user, program_id, id).await?.into()))
}

/// Close an alert.
#[utoipa::path(post, path = "/api/programs/{id}/alerts/{alert_id}/resolve", tag = "program-data",
    params(("id" = Uuid, Path), ("alert_id" = Uuid, Path)),
    responses((status = 200, body = Alert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn alert_resolve(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Alert>, ApiError> {
    Ok(Json(coordinate::resolve(&state, &me.user, program_id, id).await?.into()))
}

// --- dashboard ---

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Only this cohort's people and pairs.
    pub cohort: Option<String>,
    /// `YYYY-MM-DD`: activity from this day.
    pub from: Option<String>,
    /// `YYYY-MM-DD`: activity up to this day, inclusive.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    #[serde(flatten)]
    pub overview: Overview,
    pub surveys: Vec<SurveyResults>,
}

/// The program at a glance.
#[utoipa::path(get, path = "/api/programs/{id}/dashboard", tag = "program-data", params(("id" = Uuid, Path), DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let (overview, surveys) =
        coordinate::dashboard(&state, &me.user, program_id, q.cohort, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(Dashboard { overview: overview.into(), surveys: wire::all(surveys) }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// The cohort's name (up to 60 characters; empty for none).
    pub cohort: String,
}

/// Put a member in a cohort.
#[utoipa::path(patch, path = "/api/programs/{id}/members/{user_id}", tag = "program-data",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = MemberPatch,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_member(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<MemberPatch>,
) -> Result<StatusCode, ApiError> {
    coordinate::set_cohort(&state, &me.user, program_id, user_id, input.cohort).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- exports and audit ---

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Pseudonymous ids; no names, emails or free text.
    #[serde(default)]
    pub deidentified: bool,
}

/// Download program data as CSV (`participants`, `matches`, `engagement`, `survey-responses`,
/// `event-attendance`, `conduct-acceptances`).
/// Every export is written to the audit log.
#[utoipa::path(get, path = "/api/programs/{id}/exports/{kind}", tag = "program-data",
    params(("id" = Uuid, Path), ("kind" = String, Path), ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, kind)): ApiPath<(Uuid, String)>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let file = coordinate::export(&state, &me.user, program_id, &kind, q.deidentified).await?;
    Ok(download(file, "text/csv; charset=utf-8"))
}

/// An export as a download, written as it is read: a page of rows at a time. A failure after the
/// first byte can no longer change the status, so it ends the response early (the download is
/// incomplete).
fn download(file: ExportFile, content_type: &'static str) -> impl IntoResponse {
    let body = axum::body::Body::from_stream(file.chunks.map(|chunk| {
        chunk.map(axum::body::Bytes::from).map_err(|e| {
            tracing::warn!(error = %e, "export failed while it was written");
            std::io::Error::other(e.to_string())
        })
    }));
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.filename)),
        ],
        body,
    )
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    #[schema(required = true)]
    pub actor_id: Option<Uuid>,
    #[schema(required = true)]
    pub actor_name: Option<String>,
    pub action: String,
    #[schema(required = true)]
    pub program_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub detail: Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub cursor: Option<Uuid>,
    /// 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = List<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<List<AuditEntry>>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 200".into()));
    }
    let (entries, more) = coordinate::audit(&state, &me.user, q.cursor, limit).await?;
    let items: Vec<AuditEntry> = entries
        .into_iter()
        .map(|e| AuditEntry {
            id: e.id,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            program_id: e.program_id,
            detail: e.detail,
            created_at: e.created_at,
        })
        .collect();
    let next_cursor = if more { items.last().map(|i| i.id.to_string()) } else { None };
    Ok(Json(List { items, next_cursor }))
}

// --- notifications ---

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Emails about unread messages while I am offline.
    pub message_digest: bool,
    pub meeting_reminders: bool,
    pub survey_invitations: bool,
    pub match_proposals: bool,
}

impl From<NotificationPrefsRow> for NotificationSettings {
    fn from(p: NotificationPrefsRow) -> Self {
        NotificationSettings {
            message_digest: p.message_digest,
            meeting_reminders: p.meeting_reminders,
            survey_invitations: p.survey_invitations,
            match_proposals: p.match_proposals,
        }
    }
}

/// Which emails I get.
#[utoipa::path(get, path = "/api/me/notifications", tag = "program-data", responses((status = 200, body = NotificationSettings)))]
pub async fn get_notifications(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<NotificationSettings>, ApiError> {
    Ok(Json(personal::email_settings(&state, &me.user).await?.into()))
}

/// Choose which emails I get.
#[utoipa::path(put, path = "/api/me/notifications", tag = "program-data", request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 422, body = ErrorBody)))]
pub async fn put_notifications(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(input): ApiJson<NotificationSettings>,
) -> Result<Json<NotificationSettings>, ApiError> {
    let prefs = NotificationPrefsRow {
        message_digest: input.message_digest,
        meeting_reminders: input.meeting_reminders,
        survey_invitations: input.survey_invitations,
        match_proposals: input.match_proposals,
    };
    Ok(Json(personal::save_email_settings(&state, &me.user, prefs).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeInput {
    /// The `token` of an email's unsubscribe link.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Unsubscribed {
    /// The kind of email turned off.
    pub kind: EmailKind,
    /// The address it was going to.
    pub email: String,
}

/// Turn off one kind of email from its link (no sign-in needed).
#[utoipa::path(post, path = "/api/unsubscribe", tag = "program-data", security(()), request_body = UnsubscribeInput,
    responses((status = 200, body = Unsubscribed), (status = 400, body = ErrorBody)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<UnsubscribeInput>,
) -> Result<Json<Unsubscribed>, ApiError> {
    let (kind, email) = personal::unsubscribe(&state, &input.token).await?;
    Ok(Json(Unsubscribed { kind, email }))
}

// --- privacy ---

/// Everything Kindred holds about me, as JSON.
#[utoipa::path(get, path = "/api/me/export", tag = "program-data",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn export_me(State(state): State<AppState>, me: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    let file = personal::export(&state, &me.user).await?;
    Ok(download(file, "application/json"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountInput {
    /// My password, to confirm.
    pub password: String,
}

/// Delete my account: my messages become tombstones, my matches end and each counterpart is told.
#[utoipa::path(post, path = "/api/me/delete", tag = "program-data", request_body = DeleteAccountInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_me(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(input): ApiJson<DeleteAccountInput>,
) -> Result<impl IntoResponse, ApiError> {
    crate::domain::accounts::delete_account(&state, &me.user, input.password).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, super::extract::clear_cookie(&state))]))
}

//! Program data over HTTP (docs/program-data.md): surveys, engagement, pairs at risk, the
//! dashboard, exports and the audit log, notification settings and unsubscribe links, and each
//! person's own data (download, delete). Nothing here returns the text of a private message.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List};
use super::validate;
use crate::domain::access::ProgramAccess as Access;
use crate::domain::accounts::new_secret;
use crate::domain::program_data::engagement::{self, Filter, Overview, PairEngagement};
use crate::domain::program_data::export::{self, ExportKind, Namer};
use crate::domain::program_data::notify::{self, Kind};
use crate::domain::program_data::surveys::{self, Audience, Question, SurveyResults, Trigger};
use crate::domain::program_data::{Alert, Survey, SurveyInvitation, parse_questions, raise, sweep};
use crate::state::AppState;
use crate::store::{
    ChannelKind, NewChannel, NotificationPrefsRow, RiskRule, RiskSettingsRow, SurveyRecord, from_millis, to_millis,
};

async fn coordinator(state: &AppState, me: &CurrentUser, program_id: Uuid) -> Result<(), ApiError> {
    Ok(Access::of(state, &me.user, program_id).await?.require_coordinator()?)
}

fn parse_date(field: &str, value: Option<&str>) -> Result<Option<Date>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Date::parse(v, &time::format_description::well_known::Iso8601::DATE)
            .map(Some)
            .map_err(|_| ApiError::field(field, "must be a date as YYYY-MM-DD")),
    }
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
    pub audience: Audience,
    /// An anonymous response is never linked to its person.
    #[serde(default)]
    pub anonymous: bool,
    pub questions: Vec<Question>,
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
    coordinator(&state, &me, program_id).await?;
    let title = validate::required("title", &input.title, 200)?;
    let questions = surveys::check_questions(input.questions)?;
    let now = state.clock.now();
    let program = state.store.get_program(program_id, me.user.id).await?;
    let due_at = match input.trigger {
        Trigger::Date => {
            let due = input.due_at.ok_or_else(|| ApiError::field("due_at", "a dated survey needs its date"))?;
            if due > now + time::Duration::days(366) {
                return Err(ApiError::field("due_at", "must be within a year"));
            }
            Some(to_millis(due))
        }
        other => {
            if input.due_at.is_some() {
                return Err(ApiError::field("due_at", "only dated surveys have one"));
            }
            if matches!(other, Trigger::Midpoint | Trigger::End)
                && sweep::due_ms(other, None, program.starts_on.as_deref(), program.ends_on.as_deref()).is_none()
            {
                return Err(ApiError::field("trigger", "the program needs start and end dates for this"));
            }
            None
        }
    };
    let record = SurveyRecord {
        id: Uuid::now_v7(),
        program_id,
        title,
        trigger: input.trigger.as_str().to_owned(),
        due_at,
        audience: input.audience.as_str().to_owned(),
        anonymous: input.anonymous,
        questions: serde_json::to_string(&questions).map_err(ApiError::internal)?,
        created_by: me.user.id,
        created_at: to_millis(now),
        sent_at: None,
        responses: 0,
    };
    state.store.create_survey(&record).await?;
    state.work.notify_one();
    Ok((StatusCode::CREATED, Json(Survey::from_record(&record))))
}

/// The program's surveys.
#[utoipa::path(get, path = "/api/programs/{id}/surveys", tag = "program-data", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<Survey>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_surveys(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<Survey>>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let items = state.store.list_surveys(program_id).await?.iter().map(Survey::from_record).collect();
    Ok(Json(List { items, next_cursor: None }))
}

async fn results_of(state: &AppState, survey: &SurveyRecord) -> Result<SurveyResults, ApiError> {
    let responses: Vec<Value> = state
        .store
        .survey_responses(survey.id)
        .await?
        .iter()
        .map(|r| serde_json::from_str(&r.answers).unwrap_or_default())
        .collect();
    Ok(surveys::results(survey.id, &survey.title, &parse_questions(&survey.questions), &responses))
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
    coordinator(&state, &me, program_id).await?;
    let survey = state.store.get_survey(survey_id).await?;
    if survey.program_id != program_id {
        return Err(ApiError::NotFound);
    }
    Ok(Json(results_of(&state, &survey).await?))
}

/// Surveys waiting for my answers.
#[utoipa::path(get, path = "/api/me/surveys", tag = "program-data", responses((status = 200, body = List<SurveyInvitation>)))]
pub async fn my_surveys(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<List<SurveyInvitation>>, ApiError> {
    let items =
        state.store.open_survey_invitations(me.user.id).await?.iter().map(SurveyInvitation::from_record).collect();
    Ok(Json(List { items, next_cursor: None }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// Question id → a number 1–5 (`scale`), an option (`single`), a list of options
    /// (`multiple`) or text.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
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
    let invitation = state.store.get_survey_invitation(id).await?;
    if invitation.user_id != me.user.id {
        return Err(ApiError::NotFound);
    }
    if invitation.answered_at.is_some() {
        return Err(ApiError::Conflict("this survey is already answered".into()));
    }
    let questions = parse_questions(&invitation.questions);
    let (answers, at_risk) = surveys::check_answers(&questions, &input.answers)?;
    let json = serde_json::to_string(&answers).map_err(ApiError::internal)?;
    state.store.answer_survey(&invitation, &json, invitation.anonymous, state.clock.now()).await?;
    if at_risk
        && !invitation.anonymous
        && let Some(match_id) = invitation.match_id
    {
        let settings = state.store.risk_settings(invitation.program_id).await?.unwrap_or(sweep::DEFAULT_RISK);
        if settings.enabled && settings.fit_check {
            let detail = format!("a response to \"{}\" said the match is not working", invitation.title);
            raise(&state, invitation.program_id, match_id, RiskRule::NotAGoodFit, &detail)
                .await
                .map_err(ApiError::internal)?;
        }
    }
    Ok((StatusCode::CREATED, Json(Answered { survey_id: invitation.survey_id, anonymous: invitation.anonymous })))
}

// --- engagement, alerts ---

/// Engagement of every pair that became active.
#[utoipa::path(get, path = "/api/programs/{id}/engagement", tag = "program-data", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<PairEngagement>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn engagement(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<PairEngagement>>, ApiError> {
    coordinator(&state, &me, program_id).await?;
    let activity = state.store.program_activity(program_id).await?;
    let alerts = state.store.list_alerts(program_id, true).await?;
    Ok(Json(List { items: engagement::engagement(&activity, &alerts), next_cursor: None }))
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
    coordinator(&state, &me, program_id).await?;
    Ok(Json(state.store.risk_settings(program_id).await?.unwrap_or(sweep::DEFAULT_RISK).into()))
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
    coordinator(&state, &me, program_id).await?;
    let mut problems = BTreeMap::new();
    if !(1..=365).contains(&input.no_contact_days) {
        problems.insert("no_contact_days".to_owned(), "must be between 1 and 365".to_owned());
    }
    if !input.rating_drop.is_finite() || !(0.5..=4.0).contains(&input.rating_drop) {
        problems.insert("rating_drop".to_owned(), "must be between 0.5 and 4".to_owned());
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    let row = RiskSettingsRow {
        enabled: input.enabled,
        no_contact_days: input.no_contact_days,
        rating_drop: input.rating_drop,
        fit_check: input.fit_check,
    };
    state.store.put_risk_settings(program_id, &row).await?;
    state.work.notify_one();
    Ok(Json(row.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// Closed alerts too.
    #[serde(default)]
    pub all: bool,
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
    coordinator(&state, &me, program_id).await?;
    let items = state.store.list_alerts(program_id, !q.all).await?.iter().map(Alert::from_row).collect();
    Ok(Json(List { items, next_cursor: None }))
}

async fn program_alert(state: &AppState, me: &CurrentUser, program_id: Uuid, id: Uuid) -> Result<Alert, ApiError> {
    coordinator(state, me, program_id).await?;
    let alert = Alert::from_row(&state.store.get_alert(id).await?);
    if alert.program_id != program_id {
        return Err(ApiError::NotFound);
    }
    Ok(alert)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairMessageInput {
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct PairMessageSent {
    /// The group channel of the coordinator and the pair.
    pub channel_id: Uuid,
}

/// Write to the pair of an alert: in a group channel of the coordinator and the two, opened once.
#[utoipa::path(post, path = "/api/programs/{id}/alerts/{alert_id}/message", tag = "program-data",
    params(("id" = Uuid, Path), ("alert_id" = Uuid, Path)), request_body = PairMessageInput,
    responses((status = 200, body = PairMessageSent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn alert_message(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((program_id, id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<PairMessageInput>,
) -> Result<Json<PairMessageSent>, ApiError> {
    let alert = program_alert(&state, &me, program_id, id).await?;
    let text = validate::required("text", &input.text, 4000)?;
    if state.store.role_in_program(program_id, me.user.id).await?.is_none() {
        return Err(ApiError::Forbidden("join the program as a coordinator to write to its pairs"));
    }
    let now = state.clock.now();
    let channel_id = match state.store.checkin_channel(alert.match_id, me.user.id).await? {
        Some(c) => c,
        None => {
            let name = format!("Check-in: {} & {}", alert.mentee.name, alert.mentor.name);
            let members = vec![(me.user.id, true), (alert.mentee.user_id, true), (alert.mentor.user_id, true)];
            let fields = NewChannel { program_id, kind: ChannelKind::Group, name, program_wide: false, members };
            let channel = state.store.create_channel(fields, now).await?;
            let kept = state.store.set_checkin_channel(alert.match_id, me.user.id, channel.id).await?;
            if kept == channel.id {
                state.notify.channel_opened(&channel).await?;
            }
            kept
        }
    };
    state.notify.post(channel_id, me.user.id, new_secret("alert-"), text, now).await?;
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
    let alert = program_alert(&state, &me, program_id, id).await?;
    let now = state.clock.now();
    let record = state.store.end_match(alert.match_id, me.user.id, Some("rematch after a check-in"), now).await?;
    crate::domain::matching::worker::publish_match(&state, &record).await;
    crate::domain::matching::worker::rematch_later(&state, program_id).await?;
    state.store.resolve_alert(id, "rematched", now).await?;
    Ok(Json(Alert::from_row(&state.store.get_alert(id).await?)))
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
    program_alert(&state, &me, program_id, id).await?;
    if !state.store.resolve_alert(id, "resolved", state.clock.now()).await? {
        return Err(ApiError::Conflict("the alert is already closed".into()));
    }
    Ok(Json(Alert::from_row(&state.store.get_alert(id).await?)))
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
    coordinator(&state, &me, program_id).await?;
    let filter = Filter {
        cohort: q.cohort.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        from: parse_date("from", q.from.as_deref())?,
        to: parse_date("to", q.to.as_deref())?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(ApiError::field("to", "must not be before from"));
    }
    let participants = state.store.roster(program_id).await?;
    let activity = state.store.program_activity(program_id).await?;
    let alerts = state.store.list_alerts(program_id, true).await?;
    let pairs = engagement::engagement(&activity, &alerts);
    let overview = engagement::overview(&participants, &activity, &pairs, &alerts, &filter);
    let mut results = Vec::new();
    for survey in state.store.list_surveys(program_id).await? {
        results.push(results_of(&state, &survey).await?);
    }
    Ok(Json(Dashboard { overview, surveys: results }))
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
    coordinator(&state, &me, program_id).await?;
    let cohort = validate::optional("cohort", Some(input.cohort), 60)?.unwrap_or_default();
    state.store.set_cohort(program_id, user_id, &cohort).await?;
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
/// `event-attendance`).
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
    coordinator(&state, &me, program_id).await?;
    let kind = ExportKind::parse(&kind).ok_or(ApiError::NotFound)?;
    let namer = if q.deidentified {
        Namer::pseudonymous(state.store.secret(&format!("export:{program_id}"), &new_secret("")).await?)
    } else {
        Namer::identified()
    };
    let body = match kind {
        ExportKind::Participants => {
            let participants = state.store.roster(program_id).await?;
            let activity = state.store.program_activity(program_id).await?;
            export::participants(&participants, &engagement::statuses(&participants, &activity), &namer)
        }
        ExportKind::Matches => export::matches(&state.store.program_activity(program_id).await?.pairs, &namer),
        ExportKind::Engagement => {
            let activity = state.store.program_activity(program_id).await?;
            let alerts = state.store.list_alerts(program_id, true).await?;
            export::engagement(&engagement::engagement(&activity, &alerts), &namer)
        }
        ExportKind::SurveyResponses => {
            let mut all = Vec::new();
            for survey in state.store.list_surveys(program_id).await? {
                let responses = state.store.survey_responses(survey.id).await?;
                let questions = parse_questions(&survey.questions);
                all.push((survey, questions, responses));
            }
            export::survey_responses(&all, &namer)
        }
        ExportKind::EventAttendance => {
            export::event_attendance(&state.store.program_attendance(program_id).await?, &namer)
        }
    };
    let detail = json!({"kind": kind.as_str(), "deidentified": q.deidentified, "bytes": body.len()}).to_string();
    state.store.record_audit(me.user.id, "export", Some(program_id), &detail, state.clock.now()).await?;
    let suffix = if q.deidentified { "-deidentified" } else { "" };
    let filename = format!("{}{suffix}.csv", kind.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    ))
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
    if !me.user.is_admin {
        return Err(ApiError::Forbidden("only administrators can do this"));
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 200".into()));
    }
    let rows = state.store.list_audit(q.cursor, limit + 1).await?;
    let more = rows.len() > limit as usize;
    let items: Vec<AuditEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            program_id: r.program_id,
            detail: serde_json::from_str(&r.detail).unwrap_or(Value::String(r.detail)),
            created_at: from_millis(r.created_at),
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
    Ok(Json(state.store.notification_prefs(me.user.id).await?.into()))
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
    state.store.put_notification_prefs(me.user.id, prefs).await?;
    Ok(Json(prefs.into()))
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
    pub kind: Kind,
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
    let key = notify::signing_key(&state).await?;
    let (user, kind) = notify::verify(&key, input.token.trim(), state.clock.now()).map_err(|e| {
        ApiError::BadRequest(
            match e {
                notify::TokenError::Expired => {
                    "this unsubscribe link has expired; change your email settings in Kindred"
                }
                _ => "this unsubscribe link is not valid",
            }
            .into(),
        )
    })?;
    let account = state
        .store
        .get_user(user)
        .await
        .map_err(|_| ApiError::BadRequest("this unsubscribe link is not valid".into()))?;
    let mut prefs = state.store.notification_prefs(user).await?;
    kind.set(&mut prefs, false);
    state.store.put_notification_prefs(user, prefs).await?;
    Ok(Json(Unsubscribed { kind, email: account.email }))
}

// --- privacy ---

/// Everything Kindred holds about me, as JSON.
#[utoipa::path(get, path = "/api/me/export", tag = "program-data",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn export_me(State(state): State<AppState>, me: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    let id = me.user.id;
    let store = &state.store;
    let time = |ms: i64| from_millis(ms).format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let memberships: Vec<Value> = store
        .memberships(id)
        .await?
        .into_iter()
        .map(|(program, name, role)| json!({"program_id": program, "program": name, "role": role}))
        .collect();
    let questionnaires: Vec<Value> = store
        .own_questionnaires(id)
        .await?
        .into_iter()
        .map(|(program, answers, completed)| {
            json!({"program_id": program, "answers": serde_json::from_str::<Value>(&answers).unwrap_or_default(),
                   "completed_at": completed.map(time)})
        })
        .collect();
    let mut matches = Vec::new();
    for m in store.user_matches(id).await? {
        matches.push(json!({
            "id": m.id, "program_id": m.program_id, "status": m.status, "mentee": m.mentee_name, "mentor": m.mentor_name,
            "created_at": time(to_millis(m.created_at)),
        }));
    }
    let messages: Vec<Value> = store
        .authored_messages(id)
        .await?
        .into_iter()
        .map(|(channel, seq, body, created, edited, deleted)| {
            json!({"channel_id": channel, "seq": seq, "text": body, "sent_at": time(created),
                   "edited_at": edited.map(time), "deleted_at": deleted.map(time)})
        })
        .collect();
    let meetings = store.user_meetings(id).await?;
    let checkins: Vec<Value> = store
        .own_checkins(id)
        .await?
        .into_iter()
        .map(|(call, rating, note, at)| json!({"call_id": call, "rating": rating, "note": note, "at": time(at)}))
        .collect();
    let responses: Vec<Value> = store
        .own_survey_responses(id)
        .await?
        .into_iter()
        .map(|(title, answers, at)| {
            json!({"survey": title, "answers": serde_json::from_str::<Value>(&answers).unwrap_or_default(), "at": time(at)})
        })
        .collect();
    let notifications = NotificationSettings::from(store.notification_prefs(id).await?);
    let document = json!({
        "exported_at": time(to_millis(state.clock.now())),
        "profile": me.user,
        "memberships": memberships,
        "questionnaires": questionnaires,
        "matches": matches,
        "messages": messages,
        "meetings": meetings,
        "checkins": checkins,
        "survey_responses": responses,
        "notifications": notifications,
    });
    let body = serde_json::to_string_pretty(&document).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"kindred-my-data.json\"".to_owned()),
        ],
        body,
    ))
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

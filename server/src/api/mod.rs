//! The HTTP API under `/api`, plus `/healthz`, `/readyz` and `/metrics`. Handlers are thin: they
//! authenticate, validate, call the store, and shape the answer.

pub mod admin;
pub mod auth;
pub mod calls;
pub mod channels;
pub mod error;
pub mod events;
pub mod extract;
pub mod invitations;
pub mod matching;
pub mod me;
pub mod meetings;
pub mod program_data;
pub mod programs;
pub mod validate;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::state::AppState;
use error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(title = "Kindred API", description = "HTTP API of Kindred, an open mentoring platform. Browser clients authenticate with the session cookie and send `X-CSRF-Token` on writes; other clients send `Authorization: Bearer <token>`. Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Lists are paged with `cursor` and `limit`."),
    paths(
        auth::login, auth::session, auth::logout, auth::logout_all, auth::forgot_password, auth::reset_password,
        me::get_me, me::update_me, me::list_tokens, me::create_token, me::delete_token,
        programs::list_programs, programs::create_program, programs::get_program, programs::update_program, programs::list_members,
        programs::list_invitations, programs::create_invitation, programs::import_invitations, programs::resend_invitation, programs::revoke_invitation,
        invitations::preview, invitations::accept,
        admin::outbox, admin::list_users, admin::create_user,
        channels::list_channels, channels::history, channels::create_channel,
        matching::get_questionnaire, matching::put_questionnaire, matching::list_interests, matching::create_interest, matching::delete_interest,
        matching::list_questions, matching::create_question, matching::delete_question, matching::get_settings, matching::put_settings,
        matching::preview, matching::create_round, matching::list_rounds, matching::get_round, matching::approve_round, matching::discard_round,
        matching::score, matching::place, matching::program_matches, matching::list_exclusions, matching::create_exclusion, matching::delete_exclusion,
        matching::my_matches, matching::respond, matching::rematch,
        calls::ice_servers, calls::program_calls,
        meetings::create, meetings::mine, meetings::accept, meetings::propose, meetings::cancel, meetings::ics,
        meetings::new_feed, meetings::feed, meetings::pending_checkins, meetings::checkin, meetings::checkin_summary,
        program_data::create_survey, program_data::list_surveys, program_data::survey_results, program_data::my_surveys,
        program_data::answer_survey, program_data::engagement, program_data::get_risk_settings, program_data::put_risk_settings,
        program_data::list_alerts, program_data::alert_message, program_data::alert_rematch, program_data::alert_resolve,
        program_data::dashboard, program_data::patch_member, program_data::export, program_data::audit,
        program_data::get_notifications, program_data::put_notifications, program_data::unsubscribe,
        program_data::export_me, program_data::delete_me,
        events::create, events::program_events, events::mine, events::get, events::rsvp, events::cancel, events::ics, events::attendance,
        healthz, readyz,
    ),
    tags(
        (name = "auth", description = "Signing in and out, password resets"),
        (name = "profile", description = "My profile and API tokens"),
        (name = "programs", description = "Programs and their members"),
        (name = "invitations", description = "Recruitment by single-use invitation links"),
        (name = "admin", description = "Instance administration"),
        (name = "messaging", description = "Channels and history; live messaging is on the WebSocket at /ws (docs/protocol.md)"),
        (name = "matching", description = "Questionnaires, scoring, rounds, proposals and answers (docs/matching.md)"),
        (name = "calls", description = "ICE servers and TURN credentials for calls, and call records; call signaling is on the WebSocket (docs/protocol.md)"),
        (name = "meetings", description = "Scheduled meetings of a pair, calendars, and check-ins after calls"),
        (name = "events", description = "Group events coordinators host: invitations, RSVPs, calendars and reminders"),
        (name = "program-data", description = "Surveys, engagement, pairs at risk, the dashboard, exports, notification settings and my own data (docs/program-data.md)"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// Every API route. Unknown `/api` paths answer with the JSON 404.
pub fn router() -> Router<AppState> {
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/session", get(auth::session))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/logout-all", post(auth::logout_all))
        .route("/auth/password/forgot", post(auth::forgot_password))
        .route("/auth/password/reset", post(auth::reset_password))
        .route("/me", get(me::get_me).patch(me::update_me))
        .route("/me/tokens", get(me::list_tokens).post(me::create_token))
        .route("/me/tokens/{id}", delete(me::delete_token))
        .route("/programs", get(programs::list_programs).post(programs::create_program))
        .route("/programs/{id}", get(programs::get_program).patch(programs::update_program))
        .route("/programs/{id}/members", get(programs::list_members))
        .route("/programs/{id}/invitations", get(programs::list_invitations).post(programs::create_invitation))
        .route("/programs/{id}/invitations/import", post(programs::import_invitations))
        .route("/programs/{id}/invitations/{invitation_id}/resend", post(programs::resend_invitation))
        .route("/programs/{id}/invitations/{invitation_id}/revoke", post(programs::revoke_invitation))
        .route("/invitations/{token}", get(invitations::preview))
        .route("/invitations/{token}/accept", post(invitations::accept))
        .route("/channels", get(channels::list_channels))
        .route("/channels/{id}/messages", get(channels::history))
        .route("/programs/{id}/channels", post(channels::create_channel))
        .route("/programs/{id}/questionnaire", get(matching::get_questionnaire).put(matching::put_questionnaire))
        .route("/programs/{id}/interests", get(matching::list_interests).post(matching::create_interest))
        .route("/programs/{id}/interests/{interest_id}", delete(matching::delete_interest))
        .route("/programs/{id}/questions", get(matching::list_questions).post(matching::create_question))
        .route("/programs/{id}/questions/{question_id}", delete(matching::delete_question))
        .route("/programs/{id}/matching/settings", get(matching::get_settings).put(matching::put_settings))
        .route("/programs/{id}/matching/preview", post(matching::preview))
        .route("/programs/{id}/matching/rounds", get(matching::list_rounds).post(matching::create_round))
        .route("/programs/{id}/matching/rounds/{round_id}", get(matching::get_round))
        .route("/programs/{id}/matching/rounds/{round_id}/approve", post(matching::approve_round))
        .route("/programs/{id}/matching/rounds/{round_id}/discard", post(matching::discard_round))
        .route("/programs/{id}/matching/score", get(matching::score))
        .route("/programs/{id}/matching/matches", get(matching::program_matches).post(matching::place))
        .route("/programs/{id}/matching/exclusions", get(matching::list_exclusions).post(matching::create_exclusion))
        .route("/programs/{id}/matching/exclusions/{exclusion_id}", delete(matching::delete_exclusion))
        .route("/me/matches", get(matching::my_matches))
        .route("/matches/{id}/respond", post(matching::respond))
        .route("/matches/{id}/rematch", post(matching::rematch))
        .route("/calls/ice-servers", get(calls::ice_servers))
        .route("/programs/{id}/calls", get(calls::program_calls))
        .route("/meetings", post(meetings::create))
        .route("/me/meetings", get(meetings::mine))
        .route("/meetings/{id}/accept", post(meetings::accept))
        .route("/meetings/{id}/propose", post(meetings::propose))
        .route("/meetings/{id}/cancel", post(meetings::cancel))
        .route("/meetings/{id}/ics", get(meetings::ics))
        .route("/me/calendar-feed", post(meetings::new_feed))
        .route("/calendar/{file}", get(meetings::feed))
        .route("/me/checkins", get(meetings::pending_checkins))
        .route("/calls/{id}/checkin", post(meetings::checkin))
        .route("/programs/{id}/checkins", get(meetings::checkin_summary))
        .route("/programs/{id}/surveys", get(program_data::list_surveys).post(program_data::create_survey))
        .route("/programs/{id}/surveys/{survey_id}/results", get(program_data::survey_results))
        .route("/me/surveys", get(program_data::my_surveys))
        .route("/me/surveys/{id}/response", post(program_data::answer_survey))
        .route("/programs/{id}/engagement", get(program_data::engagement))
        .route(
            "/programs/{id}/risk-settings",
            get(program_data::get_risk_settings).put(program_data::put_risk_settings),
        )
        .route("/programs/{id}/alerts", get(program_data::list_alerts))
        .route("/programs/{id}/alerts/{alert_id}/message", post(program_data::alert_message))
        .route("/programs/{id}/alerts/{alert_id}/rematch", post(program_data::alert_rematch))
        .route("/programs/{id}/alerts/{alert_id}/resolve", post(program_data::alert_resolve))
        .route("/programs/{id}/dashboard", get(program_data::dashboard))
        .route("/programs/{id}/members/{user_id}", patch(program_data::patch_member))
        .route("/programs/{id}/exports/{kind}", get(program_data::export))
        .route("/admin/audit", get(program_data::audit))
        .route("/me/notifications", get(program_data::get_notifications).put(program_data::put_notifications))
        .route("/unsubscribe", post(program_data::unsubscribe))
        .route("/me/export", get(program_data::export_me))
        .route("/me/delete", post(program_data::delete_me))
        .route("/programs/{id}/events", get(events::program_events).post(events::create))
        .route("/me/events", get(events::mine))
        .route("/events/{id}", get(events::get))
        .route("/events/{id}/rsvp", post(events::rsvp))
        .route("/events/{id}/cancel", post(events::cancel))
        .route("/events/{id}/ics", get(events::ics))
        .route("/events/{id}/attendance", get(events::attendance))
        .route("/admin/outbox", get(admin::outbox))
        .route("/admin/users", get(admin::list_users).post(admin::create_user))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> impl IntoResponse {
    let body = error::ErrorBody {
        error: error::ErrorDetail {
            code: "method_not_allowed",
            message: "method not allowed on this path".into(),
            fields: None,
        },
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body))
}

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<&'static str>,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", database: None, redis: None })
}

/// The database (and Redis, when configured) answer.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.store.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "unreachable"
        }
    };
    let redis = match state.gateway.bus.backend() {
        "redis" => {
            Some(match tokio::time::timeout(std::time::Duration::from_secs(2), state.gateway.bus.ping()).await {
                Ok(Ok(())) => "ok",
                _ => "unreachable",
            })
        }
        _ => None,
    };
    let ready = database == "ok" && redis.is_none_or(|r| r == "ok");
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Health { status: if ready { "ok" } else { "unavailable" }, database: Some(database), redis }))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

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
pub mod safety;
pub mod validate;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use serde::Serialize;
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(title = "Kindred API", description = "HTTP API of Kindred, an open mentoring platform. Browser clients authenticate with the session cookie and send `X-CSRF-Token` on writes; other clients send `Authorization: Bearer <token>`. Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Lists are paged with `cursor` and `limit`."),
    modifiers(&SecuritySchemes),
    security(("session" = []), ("bearer" = [])),
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
        (name = "safety", description = "Blocking people, reporting, the moderation queue and the code of conduct (docs/safety.md)"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// Every API route, each declared once: `routes!` registers the handler in the router and its
/// `#[utoipa::path]` in the OpenAPI document, so the two cannot drift. Unknown `/api` paths
/// answer with the JSON 404 (see [`crate::app::router`]).
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::session))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::logout_all))
        .routes(routes!(auth::forgot_password))
        .routes(routes!(auth::reset_password))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::delete_token))
        .routes(routes!(safety::list_blocks, safety::create_block))
        .routes(routes!(safety::delete_block))
        .routes(routes!(safety::create_report))
        .routes(routes!(safety::my_reports))
        .routes(routes!(safety::program_reports))
        .routes(routes!(safety::get_report))
        .routes(routes!(safety::close_report))
        .routes(routes!(safety::get_conduct, safety::put_conduct))
        .routes(routes!(safety::accept_conduct))
        .routes(routes!(safety::my_pending_conduct))
        .routes(routes!(safety::mute_member))
        .routes(routes!(safety::unmute_member))
        .routes(routes!(safety::remove_member))
        .routes(routes!(safety::suspend_member))
        .routes(routes!(safety::reinstate_member))
        .routes(routes!(safety::remove_from_event))
        .routes(routes!(safety::restore_to_event))
        .routes(routes!(programs::list_programs, programs::create_program))
        .routes(routes!(programs::get_program, programs::update_program))
        .routes(routes!(programs::list_members))
        .routes(routes!(programs::list_invitations, programs::create_invitation))
        .routes(routes!(programs::import_invitations))
        .routes(routes!(programs::resend_invitation))
        .routes(routes!(programs::revoke_invitation))
        .routes(routes!(invitations::preview))
        .routes(routes!(invitations::accept))
        .routes(routes!(channels::list_channels))
        .routes(routes!(channels::get_channel))
        .routes(routes!(channels::history))
        .routes(routes!(channels::create_channel))
        .routes(routes!(channels::members))
        .routes(routes!(channels::lock_channel))
        .routes(routes!(channels::slow_mode))
        .routes(routes!(matching::get_questionnaire, matching::put_questionnaire))
        .routes(routes!(matching::list_interests, matching::create_interest))
        .routes(routes!(matching::delete_interest))
        .routes(routes!(matching::list_questions, matching::create_question))
        .routes(routes!(matching::delete_question))
        .routes(routes!(matching::get_settings, matching::put_settings))
        .routes(routes!(matching::preview))
        .routes(routes!(matching::list_rounds, matching::create_round))
        .routes(routes!(matching::get_round))
        .routes(routes!(matching::approve_round))
        .routes(routes!(matching::discard_round))
        .routes(routes!(matching::score))
        .routes(routes!(matching::program_matches, matching::place))
        .routes(routes!(matching::list_exclusions, matching::create_exclusion))
        .routes(routes!(matching::delete_exclusion))
        .routes(routes!(matching::my_matches))
        .routes(routes!(matching::respond))
        .routes(routes!(matching::rematch))
        .routes(routes!(calls::ice_servers))
        .routes(routes!(calls::program_calls))
        .routes(routes!(meetings::create))
        .routes(routes!(meetings::mine))
        .routes(routes!(meetings::accept))
        .routes(routes!(meetings::propose))
        .routes(routes!(meetings::cancel))
        .routes(routes!(meetings::ics))
        .routes(routes!(meetings::new_feed))
        .routes(routes!(meetings::feed))
        .routes(routes!(meetings::pending_checkins))
        .routes(routes!(meetings::checkin))
        .routes(routes!(meetings::checkin_summary))
        .routes(routes!(program_data::list_surveys, program_data::create_survey))
        .routes(routes!(program_data::survey_results))
        .routes(routes!(program_data::my_surveys))
        .routes(routes!(program_data::answer_survey))
        .routes(routes!(program_data::engagement))
        .routes(routes!(program_data::get_risk_settings, program_data::put_risk_settings))
        .routes(routes!(program_data::list_alerts))
        .routes(routes!(program_data::alert_message))
        .routes(routes!(program_data::ask_for_support))
        .routes(routes!(program_data::get_help, program_data::put_help))
        .routes(routes!(program_data::my_help))
        .routes(routes!(program_data::alert_rematch))
        .routes(routes!(program_data::alert_resolve))
        .routes(routes!(program_data::dashboard))
        .routes(routes!(program_data::patch_member))
        .routes(routes!(program_data::export))
        .routes(routes!(program_data::audit))
        .routes(routes!(program_data::get_notifications, program_data::put_notifications))
        .routes(routes!(program_data::unsubscribe))
        .routes(routes!(program_data::export_me))
        .routes(routes!(program_data::delete_me))
        .routes(routes!(events::program_events, events::create))
        .routes(routes!(events::mine))
        .routes(routes!(events::get))
        .routes(routes!(events::rsvp))
        .routes(routes!(events::cancel))
        .routes(routes!(events::ics))
        .routes(routes!(events::attendance))
        .routes(routes!(admin::outbox))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The router and the OpenAPI document it was declared with.
pub fn router() -> Router<AppState> {
    let (router, doc) = routes().split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router
        .route("/api/openapi.json", get(move || std::future::ready(Json(doc.as_ref().clone()))))
        .route("/metrics", get(metrics))
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
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

/// An iCalendar document as a download.
pub(crate) fn ics_response(body: String, filename: &str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
}

/// The OpenAPI document as pretty JSON, as `kindred openapi` prints it and the web client's
/// generated types are made from.
pub fn openapi_json() -> String {
    routes().into_openapi().to_pretty_json().expect("the OpenAPI document serializes")
}

/// The security schemes the document's operations name: the browser's session cookie (writes
/// also send `X-CSRF-Token`) or a bearer API token. Operations anyone may call say `security(())`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                extract::SESSION_COOKIE,
                "The browser session; writes also send the session's CSRF token as `X-CSRF-Token`.",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `POST /api/me/tokens`."))
                    .build(),
            ),
        );
    }
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
#[utoipa::path(get, path = "/healthz", tag = "ops", security(()), responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", database: None, redis: None })
}

/// The database (and Redis, when configured) answer.
#[utoipa::path(get, path = "/readyz", tag = "ops", security(()), responses((status = 200, body = Health), (status = 503, body = Health)))]
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

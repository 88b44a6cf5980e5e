//! Signing in and out, password resets, and the session view the web client starts from.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, CurrentUser};
use super::extract::{SessionView, clear_cookie, client_address, session_view, start_browser_session};
use super::validate;
use crate::domain::accounts;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotRequest {
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    pub token: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusView {
    pub status: &'static str,
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = SessionView, description = "Signed in; sets the session cookie"),
              (status = 401, body = ErrorBody, description = "Wrong email or password"),
              (status = 429, body = ErrorBody, description = "Too many attempts")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let address = client_address(&state, &headers, peer);
    let user = accounts::sign_in(&state, &body.email, body.password, &address).await?;
    let (cookie, csrf) = start_browser_session(&state, &user).await?;
    let view = session_view(&state, user, csrf).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(view)))
}

/// The current session: who is signed in, their programs, and the CSRF token.
#[utoipa::path(get, path = "/api/auth/session", tag = "auth",
    responses((status = 200, body = SessionView), (status = 401, body = ErrorBody)))]
pub async fn session(State(state): State<AppState>, me: CurrentUser) -> Result<Json<SessionView>, ApiError> {
    let csrf = me.session.csrf_token.clone();
    Ok(Json(session_view(&state, me.user, csrf).await?))
}

/// Sign out of this browser (or revoke the bearer token used).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, me: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    accounts::sign_out(&state, me.user.id, me.session.id).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&state))]))
}

/// Sign out everywhere: every session and API token of this person stops working.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth",
    responses((status = 204, description = "All sessions revoked"), (status = 401, body = ErrorBody)))]
pub async fn logout_all(State(state): State<AppState>, me: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    let n = accounts::sign_out_everywhere(&state, me.user.id).await?;
    tracing::info!(user = %me.user.id, sessions = n, "signed out everywhere");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&state))]))
}

/// Ask for a password-reset link by email. Always answers the same, whether or not the account
/// exists.
#[utoipa::path(post, path = "/api/auth/password/forgot", tag = "auth", security(()), request_body = ForgotRequest,
    responses((status = 202, body = StatusView), (status = 422, body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ForgotRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = validate::email("email", &body.email)?;
    // The lookup and the mail happen after the answer, so response time says nothing about
    // whether the account exists.
    let tasks = state.tasks.clone();
    tasks.spawn(async move {
        if let Err(e) = accounts::send_reset_link(&state, &email).await {
            tracing::error!(error = %e, "could not send a password-reset link");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(StatusView { status: "sent" })))
}

/// Set a new password with a reset link's token. Signs the account out everywhere.
#[utoipa::path(post, path = "/api/auth/password/reset", tag = "auth", security(()), request_body = ResetRequest,
    responses((status = 204, description = "Password changed"), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody, description = "Link expired or already used"), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    accounts::reset_password(&state, &body.token, body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

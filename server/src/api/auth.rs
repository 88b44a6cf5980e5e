//! Signing in and out, password resets, and the session view the web client starts from.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, CurrentUser, SESSION_COOKIE};
use super::validate;
use crate::auth::{self, new_secret, secret_hash};
use crate::bus::BusEvent;
use crate::state::AppState;
use crate::store::{Role, SessionKind, SessionRecord, User};

/// What the web client needs after signing in.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub user: User,
    /// Send back as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
    pub memberships: Vec<MembershipView>,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipView {
    pub program_id: Uuid,
    pub program_name: String,
    pub role: Role,
}

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

pub(super) async fn session_view(state: &AppState, user: User, csrf_token: String) -> Result<SessionView, ApiError> {
    let memberships = state
        .store
        .memberships(user.id)
        .await?
        .into_iter()
        .map(|(program_id, program_name, role)| MembershipView { program_id, program_name, role })
        .collect();
    Ok(SessionView { user, csrf_token, memberships })
}

/// Starts a browser session for `user`: stores it and returns the cookie to set.
pub(super) async fn start_browser_session(state: &AppState, user: &User) -> Result<(HeaderValue, String), ApiError> {
    let now = state.clock.now();
    let secret = new_secret("ks_");
    let csrf = new_secret("");
    let ttl = time::Duration::hours(state.config.session_ttl_hours as i64);
    let record = SessionRecord {
        id: Uuid::now_v7(),
        user_id: user.id,
        kind: SessionKind::Browser,
        name: String::new(),
        csrf_token: csrf.clone(),
        created_at: now,
        last_used_at: now,
        expires_at: Some(now + ttl),
    };
    state.store.create_session(&record, &secret_hash(&secret)).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ttl.whole_seconds(),
        if state.secure_cookies() { "; Secure" } else { "" }
    );
    Ok((HeaderValue::from_str(&cookie).map_err(ApiError::internal)?, csrf))
}

/// The client's address for rate limits: the TCP peer, or, behind a trusted reverse proxy
/// (`trust_forwarded_for`), the last address the proxy appended to `X-Forwarded-For`.
pub(super) fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    peer.ip().to_string()
}

pub(crate) fn clear_cookie(state: &AppState) -> HeaderValue {
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if state.secure_cookies() { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&cookie).expect("static cookie is a valid header")
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionView, description = "Signed in; sets the session cookie"),
              (status = 401, body = ErrorBody, description = "Wrong email or password"),
              (status = 429, body = ErrorBody, description = "Too many attempts")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let account_key = body.email.trim().to_lowercase();
    let address_key = client_address(&state, &headers, peer);
    if state.login_by_address.is_blocked(&address_key) || state.login_by_account.is_blocked(&account_key) {
        metrics::counter!("kindred_login_total", "outcome" => "rate_limited").increment(1);
        return Err(ApiError::RateLimited);
    }
    let found = if body.password.len() > auth::MAX_PASSWORD_LEN || account_key.len() > 254 {
        None
    } else {
        state.store.find_user_by_email(&account_key).await?
    };
    let hash = found.as_ref().and_then(|(_, h)| h.clone()).unwrap_or_else(|| auth::dummy_hash().to_owned());
    let password = if body.password.len() > auth::MAX_PASSWORD_LEN { String::new() } else { body.password };
    let ok = auth::verify_password_async(password, hash).await;
    let user = match (ok, found) {
        (true, Some((user, Some(_)))) => user,
        _ => {
            state.login_by_address.record_failure(&address_key);
            state.login_by_account.record_failure(&account_key);
            metrics::counter!("kindred_login_total", "outcome" => "failed").increment(1);
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.login_by_account.reset(&account_key);
    metrics::counter!("kindred_login_total", "outcome" => "ok").increment(1);
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
    state.store.delete_session(me.session.id).await?;
    state.gateway.publish(BusEvent::Revoke { user: me.user.id, session: Some(me.session.id) }).await;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&state))]))
}

/// Sign out everywhere: every session and API token of this person stops working.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth",
    responses((status = 204, description = "All sessions revoked"), (status = 401, body = ErrorBody)))]
pub async fn logout_all(State(state): State<AppState>, me: CurrentUser) -> Result<impl IntoResponse, ApiError> {
    let n = state.store.delete_user_sessions(me.user.id).await?;
    state.gateway.publish(BusEvent::Revoke { user: me.user.id, session: None }).await;
    tracing::info!(user = %me.user.id, sessions = n, "signed out everywhere");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&state))]))
}

/// Ask for a password-reset link by email. Always answers the same, whether or not the account
/// exists.
#[utoipa::path(post, path = "/api/auth/password/forgot", tag = "auth", request_body = ForgotRequest,
    responses((status = 202, body = StatusView), (status = 422, body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ForgotRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = validate::email("email", &body.email)?;
    // The lookup and the mail happen after the answer, so response time says nothing about
    // whether the account exists.
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&state, &email).await {
            tracing::error!(error = %e, "could not send a password-reset link");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(StatusView { status: "sent" })))
}

async fn send_reset_link(state: &AppState, email: &str) -> Result<(), crate::store::StoreError> {
    let Some((user, _)) = state.store.find_user_by_email(email).await? else {
        return Ok(());
    };
    let link = issue_reset_link(state, &user).await?;
    let body = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Kindred account. To choose a new password, open this link within {} minutes:\n\n{link}\n\nIf it was not you, ignore this email; your password stays the same.\n",
        user.name, state.config.reset_ttl_minutes
    );
    state.mailer.send(&user.email, "Reset your Kindred password", &body, state.clock.now()).await;
    Ok(())
}

/// Creates a single-use link that sets the password of `user`.
pub(crate) async fn issue_reset_link(state: &AppState, user: &User) -> Result<String, crate::store::StoreError> {
    let now = state.clock.now();
    let token = new_secret("kr_");
    let expires = now + time::Duration::minutes(state.config.reset_ttl_minutes as i64);
    state.store.create_password_reset(user.id, &secret_hash(&token), expires, now).await?;
    Ok(format!("{}/reset-password/{token}", state.public_url))
}

/// Set a new password with a reset link's token. Signs the account out everywhere.
#[utoipa::path(post, path = "/api/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 204, description = "Password changed"), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody, description = "Link expired or already used"), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    validate::password("password", &body.password)?;
    if body.token.len() > 200 {
        return Err(ApiError::NotFound);
    }
    let hash = auth::hash_password_async(body.password).await;
    let user = state.store.consume_password_reset(&secret_hash(&body.token), &hash, state.clock.now()).await?;
    state.gateway.publish(BusEvent::Revoke { user, session: None }).await;
    Ok(StatusCode::NO_CONTENT)
}

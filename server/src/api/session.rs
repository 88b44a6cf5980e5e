//! Browser sessions in the HTTP shell: the cookie that carries one, the view the web client
//! starts from, and the client address sign-in limits count by. Shared by the handlers that sign
//! people in (sign-in, accepting an invitation) and out (sign-out, account deletion).

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::ApiError;
use super::extract::SESSION_COOKIE;
use crate::domain::accounts;
use crate::state::AppState;
use crate::store::{Role, User};

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

pub async fn session_view(state: &AppState, user: User, csrf_token: String) -> Result<SessionView, ApiError> {
    let memberships = state
        .store
        .memberships(user.id)
        .await?
        .into_iter()
        .map(|(program_id, program_name, role)| MembershipView { program_id, program_name, role })
        .collect();
    Ok(SessionView { user, csrf_token, memberships })
}

/// Starts a browser session for `user`: returns the cookie to set and the CSRF token.
pub async fn start_browser_session(state: &AppState, user: &User) -> Result<(HeaderValue, String), ApiError> {
    let session = accounts::start_session(state, user).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        session.secret,
        session.ttl.whole_seconds(),
        if state.secure_cookies() { "; Secure" } else { "" }
    );
    Ok((HeaderValue::from_str(&cookie).map_err(ApiError::internal)?, session.csrf))
}

/// The client's address for rate limits: the TCP peer, or, behind a trusted reverse proxy
/// (`trust_forwarded_for`), the last address the proxy appended to `X-Forwarded-For`.
pub fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    peer.ip().to_string()
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if state.secure_cookies() { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&cookie).expect("static cookie is a valid header")
}

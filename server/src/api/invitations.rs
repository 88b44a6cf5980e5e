//! The public side of an invitation: what a link shows before signing in, and redeeming it.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use super::extract::{SessionView, client_address, session_view, start_browser_session};
use crate::domain::accounts;
use crate::state::AppState;
use crate::store::Role;

#[derive(Serialize, ToSchema)]
pub struct ProgramRef {
    pub id: Uuid,
    pub name: String,
}

/// What an invitation link shows before it is accepted.
#[derive(Serialize, ToSchema)]
pub struct InvitationPreview {
    pub program: ProgramRef,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Whether the invited email already has an account (then accepting asks for its password).
    pub account_exists: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// A new password, or the existing account's password when `account_exists`.
    pub password: String,
    /// The name to use for a new account (defaults to the name on the invitation).
    pub name: Option<String>,
}

/// Look at an invitation link.
#[utoipa::path(get, path = "/api/invitations/{token}", tag = "invitations", security(()), params(("token" = String, Path)),
    responses((status = 200, body = InvitationPreview), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody, description = "Expired, revoked or already used")))]
pub async fn preview(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<InvitationPreview>, ApiError> {
    let seen = accounts::preview_invitation(&state, &token).await?;
    let invitation = seen.invitation;
    Ok(Json(InvitationPreview {
        program: ProgramRef { id: seen.program_id, name: seen.program_name },
        email: invitation.email,
        name: invitation.name,
        role: invitation.role,
        expires_at: invitation.expires_at,
        account_exists: seen.account_exists,
    }))
}

/// Accept an invitation: creates the account (or joins an existing one, given its password), adds
/// the membership and signs in. A link works once.
#[utoipa::path(post, path = "/api/invitations/{token}/accept", tag = "invitations", security(()), params(("token" = String, Path)),
    request_body = AcceptRequest,
    responses((status = 200, body = SessionView, description = "Accepted and signed in; sets the session cookie"),
              (status = 401, body = ErrorBody, description = "Wrong password for the existing account"),
              (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let address = client_address(&state, &headers, peer);
    let user = accounts::accept_invitation(&state, &token, body.password, body.name.as_deref(), &address).await?;
    let (cookie, csrf) = start_browser_session(&state, &user).await?;
    let view = session_view(&state, user, csrf).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(view)))
}

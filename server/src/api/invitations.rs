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
use super::session::{SessionView, client_address, session_view, start_browser_session};
use super::validate;
use crate::domain::accounts::{self, secret_hash};
use crate::state::AppState;
use crate::store::{Acceptance, Invitation, InvitationStatus, NewUser, Role};

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

/// The invitation behind a link, refusing links that can no longer be used.
async fn usable_invitation(state: &AppState, token: &str) -> Result<Invitation, ApiError> {
    if token.len() > 200 {
        return Err(ApiError::NotFound);
    }
    let invitation = state
        .store
        .find_invitation_by_token(&secret_hash(token), state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    match invitation.status {
        InvitationStatus::Pending => Ok(invitation),
        InvitationStatus::Accepted => {
            Err(ApiError::Gone("this invitation has already been used; sign in instead".into()))
        }
        InvitationStatus::Expired => {
            Err(ApiError::Gone("this invitation has expired; ask the coordinator to send it again".into()))
        }
        InvitationStatus::Revoked => Err(ApiError::Gone("this invitation was revoked".into())),
    }
}

/// Look at an invitation link.
#[utoipa::path(get, path = "/api/invitations/{token}", tag = "invitations", security(()), params(("token" = String, Path)),
    responses((status = 200, body = InvitationPreview), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody, description = "Expired, revoked or already used")))]
pub async fn preview(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<InvitationPreview>, ApiError> {
    let invitation = usable_invitation(&state, &token).await?;
    let program = state.store.get_program(invitation.program_id, Uuid::nil()).await?;
    let account_exists = state.store.find_user_by_email(&invitation.email).await?.is_some();
    Ok(Json(InvitationPreview {
        program: ProgramRef { id: program.id, name: program.name },
        email: invitation.email,
        name: invitation.name,
        role: invitation.role,
        expires_at: invitation.expires_at,
        account_exists,
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
    let invitation = usable_invitation(&state, &token).await?;
    let acceptance = match state.store.find_user_by_email(&invitation.email).await? {
        Some((user, hash)) => {
            // Joining with an existing account proves ownership with its password, under the
            // same limits as signing in.
            let account_key = user.email.to_lowercase();
            let address_key = client_address(&state, &headers, peer);
            if state.login_by_address.is_blocked(&address_key) || state.login_by_account.is_blocked(&account_key) {
                return Err(ApiError::RateLimited);
            }
            let Some(hash) = hash else {
                return Err(ApiError::Forbidden(
                    "this account has no password yet; use the link in your account email first",
                ));
            };
            if body.password.len() > accounts::MAX_PASSWORD_LEN
                || !accounts::verify_password_async(body.password, hash).await
            {
                state.login_by_address.record_failure(&address_key);
                state.login_by_account.record_failure(&account_key);
                return Err(ApiError::InvalidCredentials);
            }
            Acceptance::Existing(user.id)
        }
        None => {
            validate::password("password", &body.password)?;
            let name = match body.name.as_deref() {
                Some(n) => validate::required("name", n, 100)?,
                None => invitation.name.clone(),
            };
            let password_hash = Some(accounts::hash_password_async(body.password).await);
            Acceptance::New(NewUser {
                email: invitation.email.clone(),
                name,
                password_hash,
                is_admin: false,
                can_create_programs: false,
            })
        }
    };
    let user = state.store.accept_invitation(&secret_hash(&token), acceptance, state.clock.now()).await?;
    tracing::info!(user = %user.id, program = %invitation.program_id, "invitation accepted");
    let (cookie, csrf) = start_browser_session(&state, &user).await?;
    let view = session_view(&state, user, csrf).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(view)))
}

//! Instance administration: accounts and the mail outbox. Admins only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiQuery, CurrentUser, List, PageQuery};
use crate::domain::accounts;
use crate::state::AppState;
use crate::wire::{Mail, User};

/// Mail kept because no SMTP server is configured, newest first.
#[utoipa::path(get, path = "/api/admin/outbox", tag = "admin", params(PageQuery),
    responses((status = 200, body = List<Mail>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn outbox(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Mail>>, ApiError> {
    Ok(Json(accounts::outbox(&state, &me.user, q.page()?).await?.into()))
}

/// Every account.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", params(PageQuery),
    responses((status = 200, body = List<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<User>>, ApiError> {
    Ok(Json(accounts::accounts(&state, &me.user, q.page()?).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub is_admin: bool,
    /// Lets the account create programs (a coordinator).
    #[serde(default)]
    pub can_create_programs: bool,
}

/// Create an account; its owner gets an email with a link to choose a password.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewAccount,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let account = accounts::NewAccount {
        email: body.email,
        name: body.name,
        is_admin: body.is_admin,
        can_create_programs: body.can_create_programs,
    };
    let user = accounts::create_account(&state, &me.user, account).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

//! Instance administration: accounts and the mail outbox. Admins only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiQuery, CurrentUser, List, PageQuery};
use super::validate;
use crate::state::AppState;
use crate::store::{Mail, NewUser, User};

fn require_admin(me: &CurrentUser) -> Result<(), ApiError> {
    if me.user.is_admin { Ok(()) } else { Err(ApiError::Forbidden("only administrators can do this")) }
}

/// Mail kept because no SMTP server is configured, newest first.
#[utoipa::path(get, path = "/api/admin/outbox", tag = "admin", params(PageQuery),
    responses((status = 200, body = List<Mail>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn outbox(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Mail>>, ApiError> {
    require_admin(&me)?;
    Ok(Json(state.store.list_mail(q.page()?).await?.into()))
}

/// Every account.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", params(PageQuery),
    responses((status = 200, body = List<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<User>>, ApiError> {
    require_admin(&me)?;
    Ok(Json(state.store.list_users(q.page()?).await?.into()))
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
    require_admin(&me)?;
    let email = validate::email("email", &body.email)?;
    let name = validate::required("name", &body.name, 100)?;
    let now = state.clock.now();
    let user = state
        .store
        .create_user(
            NewUser {
                email,
                name,
                password_hash: None,
                is_admin: body.is_admin,
                can_create_programs: body.can_create_programs,
            },
            now,
        )
        .await?;
    let link = crate::domain::accounts::issue_reset_link(&state, &user).await?;
    let text = format!(
        "Hello {},\n\nAn administrator created a Kindred account for you. Choose your password here (the link works once, for {} minutes; after that use \"Forgot password\" on the sign-in page):\n\n{link}\n",
        user.name, state.config.reset_ttl_minutes
    );
    state.mailer.send(&user.email, "Your Kindred account", &text, now).await;
    Ok((StatusCode::CREATED, Json(user)))
}

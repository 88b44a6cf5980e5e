//! The signed-in person's own profile and API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use super::validate;
use crate::domain::accounts::{self, ProfileChanges};
use crate::state::AppState;
use crate::store::{CareerStage, SessionRecord};
use crate::wire::User;

/// Profile fields to change; omitted fields stay as they are, `null` clears an optional one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub pronouns: Option<Option<String>>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub institution: Option<Option<String>>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<CareerStage>)]
    pub career_stage: Option<Option<CareerStage>>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<Option<String>>,
}

/// My account and profile.
#[utoipa::path(get, path = "/api/me", tag = "profile",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn get_me(me: CurrentUser) -> Json<User> {
    Json(me.user.into())
}

/// Edit my profile.
#[utoipa::path(patch, path = "/api/me", tag = "profile", request_body = ProfileUpdate,
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> Result<Json<User>, ApiError> {
    let changes = ProfileChanges {
        name: body.name,
        pronouns: body.pronouns,
        institution: body.institution,
        career_stage: body.career_stage,
        time_zone: body.time_zone,
    };
    Ok(Json(accounts::update_profile(&state, &me.user, changes).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<SessionRecord> for ApiToken {
    fn from(s: SessionRecord) -> Self {
        let used = (s.last_used_at != s.created_at).then_some(s.last_used_at);
        ApiToken { id: s.id, name: s.name, created_at: s.created_at, last_used_at: used }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Shown once: send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// My API tokens.
#[utoipa::path(get, path = "/api/me/tokens", tag = "profile", params(PageQuery),
    responses((status = 200, body = List<ApiToken>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<ApiToken>>, ApiError> {
    let page = accounts::api_tokens(&state, &me.user, q.page()?).await?;
    Ok(Json(List {
        items: page.items.into_iter().map(ApiToken::from).collect(),
        next_cursor: page.next.map(|i| i.to_string()),
    }))
}

/// Create an API token for scripts and other clients.
#[utoipa::path(post, path = "/api/me/tokens", tag = "profile", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (record, secret) = accounts::create_api_token(&state, &me.user, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token: record.into(), secret })))
}

/// Revoke one of my API tokens.
#[utoipa::path(delete, path = "/api/me/tokens/{id}", tag = "profile", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_token(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_api_token(&state, &me.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! HTTP for programs, their members, and recruitment by invitation, one at a time or by CSV
//! (`domain::programs` owns the rules; `domain::access` says who may do what).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, ApiText, CurrentUser, List, PageQuery};
use super::validate;
use crate::domain::programs::{self, Draft, Patch};
use crate::state::AppState;
use crate::store::{InvitationStatus, Role};
use crate::wire::{self, Invitation, Member, Program};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `YYYY-MM-DD`
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`
    pub ends_on: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub starts_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub ends_on: Option<Option<String>>,
}

/// Programs I belong to (admins: every program).
#[utoipa::path(get, path = "/api/programs", tag = "programs", params(PageQuery),
    responses((status = 200, body = List<Program>), (status = 401, body = ErrorBody)))]
pub async fn list_programs(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Program>>, ApiError> {
    Ok(Json(programs::mine(&state, &me.user, q.page()?).await?.into()))
}

/// Create a program; its creator becomes its first coordinator.
#[utoipa::path(post, path = "/api/programs", tag = "programs", request_body = ProgramInput,
    responses((status = 201, body = Program), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_program(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ProgramInput>,
) -> Result<(StatusCode, Json<Program>), ApiError> {
    let draft =
        Draft { name: body.name, description: body.description, starts_on: body.starts_on, ends_on: body.ends_on };
    Ok((StatusCode::CREATED, Json(programs::create(&state, &me.user, draft).await?.into())))
}

/// One program.
#[utoipa::path(get, path = "/api/programs/{id}", tag = "programs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Program), (status = 404, body = ErrorBody)))]
pub async fn get_program(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Program>, ApiError> {
    Ok(Json(programs::get(&state, &me.user, id).await?.into()))
}

/// Change a program's name, description or dates (coordinators).
#[utoipa::path(patch, path = "/api/programs/{id}", tag = "programs", params(("id" = Uuid, Path)), request_body = ProgramPatch,
    responses((status = 200, body = Program), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_program(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ProgramPatch>,
) -> Result<Json<Program>, ApiError> {
    let patch =
        Patch { name: body.name, description: body.description, starts_on: body.starts_on, ends_on: body.ends_on };
    Ok(Json(programs::update(&state, &me.user, id, patch).await?.into()))
}

/// The program's members (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/members", tag = "programs", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = List<Member>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Member>>, ApiError> {
    Ok(Json(programs::members(&state, &me.user, id, q.page()?).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// `pending`, `accepted`, `expired` or `revoked`; omit for all.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Invitations of a program, newest first (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/invitations", tag = "invitations", params(("id" = Uuid, Path), InvitationQuery),
    responses((status = 200, body = List<Invitation>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<InvitationQuery>,
) -> Result<Json<List<Invitation>>, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(s) => Some(
            InvitationStatus::parse(s)
                .ok_or_else(|| ApiError::BadRequest("status must be pending, accepted, expired or revoked".into()))?,
        ),
    };
    let page = PageQuery { cursor: q.cursor, limit: q.limit }.page()?;
    Ok(Json(programs::invitations(&state, &me.user, id, status, page).await?.into()))
}

/// Invite one person (coordinators). The response carries the link, which is also emailed.
#[utoipa::path(post, path = "/api/programs/{id}/invitations", tag = "invitations", params(("id" = Uuid, Path)), request_body = InvitationInput,
    responses((status = 201, body = Invitation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Already a member or already invited"), (status = 422, body = ErrorBody)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let invitation = programs::invite(&state, &me.user, id, &body.name, &body.email, body.role).await?;
    Ok((StatusCode::CREATED, Json(invitation.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub created: Vec<Invitation>,
    pub errors: Vec<ImportError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportError {
    /// Line of the CSV file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// Invite many people from a CSV file with the columns `name,email,role` (coordinators). Good rows
/// are invited; each bad row is reported with its line and reason.
#[utoipa::path(post, path = "/api/programs/{id}/invitations/import", tag = "invitations", params(("id" = Uuid, Path)),
    request_body(content = String, content_type = "text/csv", description = "CSV with a header line: name,email,role"),
    responses((status = 200, body = ImportResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_invitations(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiText(body): ApiText,
) -> Result<Json<ImportResult>, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(mime.as_str(), "text/csv" | "text/plain" | "application/vnd.ms-excel") {
        return Err(ApiError::UnsupportedMediaType("send the file with Content-Type: text/csv".into()));
    }
    let (created, refused) = programs::import(&state, &me.user, id, &body).await?;
    let errors = refused.into_iter().map(|r| ImportError { line: r.line, reason: r.reason }).collect();
    Ok(Json(ImportResult { created: wire::all(created), errors }))
}

/// Send a pending or expired invitation again with a new link and expiry (coordinators).
#[utoipa::path(post, path = "/api/programs/{id}/invitations/{invitation_id}/resend", tag = "invitations",
    params(("id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses((status = 200, body = Invitation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((id, invitation_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(programs::resend(&state, &me.user, id, invitation_id).await?.into()))
}

/// Revoke an invitation so its link stops working (coordinators).
#[utoipa::path(post, path = "/api/programs/{id}/invitations/{invitation_id}/revoke", tag = "invitations",
    params(("id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses((status = 200, body = Invitation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath((id, invitation_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(programs::revoke(&state, &me.user, id, invitation_id).await?.into()))
}

//! Programs, their members, and recruitment by invitation (one at a time or by CSV).
//!
//! Access: admins reach every program; coordinators of a program manage it; other members may read
//! the program itself. Anyone else gets 404, so program ids reveal nothing.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, ApiText, CurrentUser, List, PageQuery};
use super::validate;
use crate::domain::access::ProgramAccess as Access;
use crate::domain::accounts::{new_secret, secret_hash};
use crate::state::AppState;
use crate::store::{Invitation, InvitationStatus, Member, NewInvitation, Program, ProgramFields, Role, StoreError};

/// Most rows one CSV import may hold.
pub const MAX_IMPORT_ROWS: usize = 5_000;

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

fn program_fields(
    name: &str,
    description: &str,
    starts: Option<String>,
    ends: Option<String>,
) -> Result<ProgramFields, ApiError> {
    let name = validate::required("name", name, 200)?;
    let description = validate::optional("description", Some(description.to_owned()), 5_000)?.unwrap_or_default();
    let starts_on = validate::date("starts_on", starts)?;
    let ends_on = validate::date("ends_on", ends)?;
    if let (Some(s), Some(e)) = (&starts_on, &ends_on)
        && e < s
    {
        return Err(ApiError::field("ends_on", "must not be before the start date"));
    }
    Ok(ProgramFields { name, description, starts_on, ends_on })
}

/// Programs I belong to (admins: every program).
#[utoipa::path(get, path = "/api/programs", tag = "programs", params(PageQuery),
    responses((status = 200, body = List<Program>), (status = 401, body = ErrorBody)))]
pub async fn list_programs(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Program>>, ApiError> {
    Ok(Json(state.store.list_programs(me.user.id, me.user.is_admin, q.page()?).await?.into()))
}

/// Create a program; its creator becomes its first coordinator.
#[utoipa::path(post, path = "/api/programs", tag = "programs", request_body = ProgramInput,
    responses((status = 201, body = Program), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_program(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ProgramInput>,
) -> Result<(StatusCode, Json<Program>), ApiError> {
    if !(me.user.is_admin || me.user.can_create_programs) {
        return Err(ApiError::Forbidden("only coordinators and admins can create programs"));
    }
    let fields = program_fields(&body.name, &body.description, body.starts_on, body.ends_on)?;
    let program = state.store.create_program(fields, me.user.id, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(program)))
}

/// One program.
#[utoipa::path(get, path = "/api/programs/{id}", tag = "programs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Program), (status = 404, body = ErrorBody)))]
pub async fn get_program(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Program>, ApiError> {
    Access::of(&state, &me.user, id).await?;
    Ok(Json(state.store.get_program(id, me.user.id).await?))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    let current = state.store.get_program(id, me.user.id).await?;
    let fields = program_fields(
        body.name.as_deref().unwrap_or(&current.name),
        body.description.as_deref().unwrap_or(&current.description),
        body.starts_on.unwrap_or(current.starts_on),
        body.ends_on.unwrap_or(current.ends_on),
    )?;
    Ok(Json(state.store.update_program(id, fields, me.user.id).await?))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    Ok(Json(state.store.list_members(id, q.page()?).await?.into()))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    let status = match q.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(s) => Some(
            InvitationStatus::parse(s)
                .ok_or_else(|| ApiError::BadRequest("status must be pending, accepted, expired or revoked".into()))?,
        ),
    };
    let page = PageQuery { cursor: q.cursor, limit: q.limit }.page()?;
    Ok(Json(state.store.list_invitations(id, status, state.clock.now(), page).await?.into()))
}

/// Creates one invitation and mails its link.
async fn invite(
    state: &AppState,
    me: &CurrentUser,
    program: &Program,
    name: String,
    email: String,
    role: Role,
) -> Result<Invitation, StoreError> {
    let now = state.clock.now();
    let token = new_secret("ki_");
    let expires_at = now + time::Duration::hours(state.config.invitation_ttl_hours as i64);
    let mut invitation = state
        .store
        .create_invitation(
            NewInvitation {
                program_id: program.id,
                email,
                name,
                role,
                token_hash: secret_hash(&token),
                expires_at,
                invited_by: me.user.id,
            },
            now,
        )
        .await?;
    send_invitation(state, program, &mut invitation, &token).await;
    Ok(invitation)
}

async fn send_invitation(state: &AppState, program: &Program, invitation: &mut Invitation, token: &str) {
    let link = format!("{}/invite/{token}", state.public_url);
    let format = time::macros::format_description!("[month repr:long] [day padding:none], [year]");
    let expires = invitation.expires_at.format(&format).unwrap_or_default();
    let body = format!(
        "Hello {},\n\nYou are invited to join {} on Kindred as a {}.\n\nTo accept, open this link (it works once, until {expires}):\n\n{link}\n",
        invitation.name,
        program.name,
        invitation.role.as_str()
    );
    state
        .mailer
        .send(&invitation.email, &format!("You're invited to {} on Kindred", program.name), &body, state.clock.now())
        .await;
    invitation.link = Some(link);
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    let name = validate::required("name", &body.name, 100)?;
    let email = validate::email("email", &body.email)?;
    let program = state.store.get_program(id, me.user.id).await?;
    let invitation = invite(&state, &me, &program, name, email, body.role).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
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

/// One CSV row that passed validation.
struct Row {
    line: u64,
    name: String,
    email: String,
    role: Role,
}

/// The 1-based line a record starting at `byte` is on. The reader reports a record as starting
/// where the previous one ended, so blank lines before it are skipped here.
fn line_of(text: &str, byte: usize) -> u64 {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// Parses an invitation CSV (`name,email,role` in any column order, header required). Good rows
/// and per-line problems are returned side by side; only a file that cannot be read at all is an
/// error.
fn parse_invitation_csv(text: &str) -> Result<(Vec<Row>, Vec<ImportError>), ApiError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers =
        reader.headers().map_err(|e| ApiError::BadRequest(format!("could not read the CSV header: {e}")))?.clone();
    let column = |want: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(want));
    let (Some(name_col), Some(email_col), Some(role_col)) = (column("name"), column("email"), column("role")) else {
        return Err(ApiError::field("file", "the first line must be a header with the columns name, email and role"));
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_IMPORT_ROWS {
            return Err(ApiError::field("file", format!("at most {MAX_IMPORT_ROWS} rows per file")));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_of(text, p.byte() as usize)).unwrap_or(0);
                errors.push(ImportError { line, reason: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = record.position().map(|p| line_of(text, p.byte() as usize)).unwrap_or(i as u64 + 2);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: usize| record.get(c).unwrap_or("");
        let mut reasons = Vec::new();
        let name = validate::required("name", get(name_col), 100)
            .map_err(|_| reasons.push("name is missing or too long".to_owned()))
            .ok();
        let email = validate::email("email", get(email_col))
            .map_err(|_| reasons.push(format!("\"{}\" is not a valid email address", get(email_col))))
            .ok();
        let role = Role::parse(get(role_col));
        if role.is_none() {
            reasons.push(format!("role \"{}\" must be mentor, mentee or coordinator", get(role_col)));
        }
        if let Some(email) = &email
            && let Some(first) = seen.get(&email.to_lowercase())
        {
            reasons.push(format!("same email as line {first}"));
        }
        match (name, email, role) {
            (Some(name), Some(email), Some(role)) if reasons.is_empty() => {
                seen.insert(email.to_lowercase(), line);
                rows.push(Row { line, name, email, role });
            }
            _ => errors.push(ImportError { line, reason: reasons.join("; ") }),
        }
    }
    Ok((rows, errors))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(mime.as_str(), "text/csv" | "text/plain" | "application/vnd.ms-excel") {
        return Err(ApiError::UnsupportedMediaType("send the file with Content-Type: text/csv".into()));
    }
    let (rows, mut errors) = parse_invitation_csv(&body)?;
    let program = state.store.get_program(id, me.user.id).await?;
    let mut created = Vec::new();
    for row in rows {
        match invite(&state, &me, &program, row.name, row.email, row.role).await {
            Ok(invitation) => created.push(invitation),
            Err(StoreError::Conflict(reason)) => errors.push(ImportError { line: row.line, reason: reason.to_owned() }),
            Err(e) => return Err(e.into()),
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok(Json(ImportResult { created, errors }))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    let now = state.clock.now();
    let token = new_secret("ki_");
    let expires_at = now + time::Duration::hours(state.config.invitation_ttl_hours as i64);
    let mut invitation =
        state.store.reissue_invitation(id, invitation_id, &secret_hash(&token), expires_at, now).await?;
    let program = state.store.get_program(id, me.user.id).await?;
    send_invitation(&state, &program, &mut invitation, &token).await;
    Ok(Json(invitation))
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
    Access::of(&state, &me.user, id).await?.require_coordinator()?;
    Ok(Json(state.store.revoke_invitation(id, invitation_id, state.clock.now()).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_good_and_bad_rows_are_reported_by_line() {
        let text = "email,Name,role\nana@example.org,Ana,mentee\nnot-an-email,Bo,mentor\n\ncy@example.org,Cy,boss\nANA@example.org,Ana again,mentor\ndee@example.org,Dee,Mentor\n";
        let (rows, errors) = parse_invitation_csv(text).unwrap();
        assert_eq!(
            rows.iter().map(|r| (r.line, r.email.as_str())).collect::<Vec<_>>(),
            vec![(2, "ana@example.org"), (7, "dee@example.org")]
        );
        assert_eq!(rows[1].role, Role::Mentor);
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5, 6]);
        assert!(errors[0].reason.contains("not a valid email"));
        assert!(errors[1].reason.contains("role"));
        assert!(errors[2].reason.contains("line 2"));
    }

    #[test]
    fn csv_without_the_needed_header_is_refused() {
        assert!(parse_invitation_csv("a,b\n1,2\n").is_err());
        assert!(parse_invitation_csv("").is_err());
    }
}

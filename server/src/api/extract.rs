//! Extractors that turn axum's plain-text rejections into the JSON error body, the one that
//! authenticates a request (session cookie with CSRF check, or bearer token), and the rest of the
//! browser session in the HTTP shell: the cookie that starts and ends one, the view the web client
//! starts from, and the client address that sign-in limits count by.

use axum::extract::{FromRequest, FromRequestParts, Path, Query};
use axum::http::request::Parts;
use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::accounts::{self, constant_time_eq};
use crate::state::AppState;
use crate::store::{PageRequest, Role, SessionRecord, User};

/// `Json<T>` whose rejections are [`ApiError`]s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A UTF-8 text body (CSV uploads) whose rejections are [`ApiError`]s.
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiText(String::from_request(req, state).await?))
    }
}

/// `Path<T>` whose rejections are [`ApiError`]s (a malformed id is a 404).
#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query<T>` whose rejections are [`ApiError`]s.
#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

pub const SESSION_COOKIE: &str = "kindred_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Reads one cookie's value from the request headers.
pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in person making this request.
pub struct CurrentUser {
    pub user: User,
    pub session: SessionRecord,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (secret, via_cookie) = match bearer {
            Some(token) => (token, false),
            None => (cookie_value(parts, SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?, true),
        };
        let (session, user) = accounts::session(state, secret, via_cookie).await?.ok_or(ApiError::Unauthenticated)?;
        // Cookies are sent by the browser on its own; a write must also prove the page that made
        // it could read the session's CSRF token.
        if via_cookie && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !constant_time_eq(sent, &session.csrf_token) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(CurrentUser { user, session })
    }
}

/// `?cursor=…&limit=…` on every listing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

impl PageQuery {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(Uuid::parse_str(c).map_err(|_| ApiError::BadRequest("invalid cursor".into()))?),
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::BadRequest("limit must be between 1 and 200".into()));
        }
        Ok(PageRequest { after, limit })
    }
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A page of rows becomes a page of their wire type.
impl<R, T: ToSchema + From<R>> From<crate::store::Page<R>> for List<T> {
    fn from(page: crate::store::Page<R>) -> Self {
        List { items: page.items.into_iter().map(T::from).collect(), next_cursor: page.next.map(|id| id.to_string()) }
    }
}

// --- browser sessions ---

/// What the web client needs after signing in.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub user: crate::wire::User,
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
    Ok(SessionView { user: user.into(), csrf_token, memberships })
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

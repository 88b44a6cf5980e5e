//! Calls over HTTP: the ICE servers a browser needs before it starts or answers a call, with
//! short-lived TURN credentials in coturn's shared-secret scheme ("TURN REST API"): the username
//! is `<expiry unix time>:<user id>` and the password is base64(HMAC-SHA1(secret, username)), so
//! coturn can check them without asking Kindred, and they stop working on their own. And the
//! records of a program's calls for its coordinators (who met, when, how long; never what was said).

use axum::Json;
use axum::extract::State;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, CurrentUser, List};
use crate::domain::access::ProgramAccess as Access;
use crate::state::AppState;
use crate::store::CallSummary;

/// One entry of `RTCConfiguration.iceServers`.
#[derive(Serialize, ToSchema, Debug, PartialEq)]
pub struct IceServer {
    pub urls: Vec<String>,
    /// Left out (never null) for STUN servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub credential: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IceConfig {
    pub ice_servers: Vec<IceServer>,
    /// Seconds the TURN credentials stay valid; fetch again for a later call.
    pub ttl_secs: u64,
}

/// coturn's shared-secret credentials for `user`, valid until `expires` (unix seconds).
pub fn turn_credentials(secret: &str, user: Uuid, expires: i64) -> (String, String) {
    let username = format!("{expires}:{user}");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, credential)
}

/// ICE servers for my next call, with TURN credentials that expire.
#[utoipa::path(get, path = "/api/calls/ice-servers", tag = "calls",
    responses((status = 200, body = IceConfig), (status = 401, body = ErrorBody)))]
pub async fn ice_servers(State(state): State<AppState>, me: CurrentUser) -> Json<IceConfig> {
    let config = &state.config;
    let mut ice_servers = Vec::new();
    if !config.stun_urls.is_empty() {
        ice_servers.push(IceServer { urls: config.stun_urls.clone(), username: None, credential: None });
    }
    if let (false, Some(secret)) = (config.turn_urls.is_empty(), &config.turn_secret) {
        let expires = state.clock.now().unix_timestamp() + config.turn_ttl_secs as i64;
        let (username, credential) = turn_credentials(secret.expose(), me.user.id, expires);
        ice_servers.push(IceServer {
            urls: config.turn_urls.clone(),
            username: Some(username),
            credential: Some(credential),
        });
    }
    Json(IceConfig { ice_servers, ttl_secs: config.turn_ttl_secs })
}

/// The program's calls: who called whom, when, whether both joined, how long (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/calls", tag = "calls", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<CallSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn program_calls(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<CallSummary>>, ApiError> {
    Access::of(&state, &me.user, program_id).await?.require_coordinator()?;
    let items = state.store.program_calls(program_id, 200).await?;
    Ok(Json(List { items, next_cursor: None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_coturns_scheme() {
        // Computed independently: python3 -c "import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b'north', b'1800000000:00000000-0000-0000-0000-000000000001',
        // hashlib.sha1).digest()).decode())"
        let user = Uuid::from_u128(1);
        let (username, credential) = turn_credentials("north", user, 1_800_000_000);
        assert_eq!(username, "1800000000:00000000-0000-0000-0000-000000000001");
        assert_eq!(credential, EXPECTED);
    }

    const EXPECTED: &str = "Mg1AP6mr8Ko79Vx4uyedt9srLJQ=";
}

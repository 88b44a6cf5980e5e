//! Calls over HTTP: the ICE servers (with expiring TURN credentials) a browser needs before it
//! starts or answers a call, and a program's call records for its coordinators. The rules are
//! `domain::calls`'s.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, CurrentUser, List};
use crate::domain::calls;
use crate::state::AppState;
use crate::wire::{self, CallSummary};

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

impl From<calls::IceServer> for IceServer {
    fn from(s: calls::IceServer) -> Self {
        IceServer { urls: s.urls, username: s.username, credential: s.credential }
    }
}

/// ICE servers for my next call, with TURN credentials that expire.
#[utoipa::path(get, path = "/api/calls/ice-servers", tag = "calls",
    responses((status = 200, body = IceConfig), (status = 401, body = ErrorBody)))]
pub async fn ice_servers(State(state): State<AppState>, me: CurrentUser) -> Json<IceConfig> {
    let (servers, ttl_secs) = calls::ice_servers(&state, &me.user);
    Json(IceConfig { ice_servers: servers.into_iter().map(IceServer::from).collect(), ttl_secs })
}

/// The program's calls: who called whom, when, whether both joined, how long (coordinators).
#[utoipa::path(get, path = "/api/programs/{id}/calls", tag = "calls", params(("id" = Uuid, Path)),
    responses((status = 200, body = List<CallSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn program_calls(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(program_id): ApiPath<Uuid>,
) -> Result<Json<List<CallSummary>>, ApiError> {
    Ok(Json(List { items: wire::all(calls::program_calls(&state, &me.user, program_id).await?), next_cursor: None }))
}

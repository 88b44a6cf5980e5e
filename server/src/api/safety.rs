//! Safety: blocking people (docs/safety.md).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, List, PageQuery};
use crate::domain::safety;
use crate::state::AppState;
use crate::store::{BlockRow, from_millis};

/// Someone I blocked.
#[derive(Serialize, ToSchema)]
pub struct Block {
    pub user_id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<BlockRow> for Block {
    fn from(b: BlockRow) -> Self {
        Block { user_id: b.user_id, name: b.name, created_at: from_millis(b.created_at) }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    /// The person to block: someone I share a program with.
    pub user_id: Uuid,
}

/// The people I blocked.
#[utoipa::path(get, path = "/api/me/blocks", tag = "safety", params(PageQuery),
    responses((status = 200, body = List<Block>), (status = 401, body = ErrorBody)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<Block>>, ApiError> {
    let page = safety::blocks(&state, &me.user, q.page()?).await?;
    Ok(Json(List {
        items: page.items.into_iter().map(Block::from).collect(),
        next_cursor: page.next.map(|i| i.to_string()),
    }))
}

/// Block someone I share a program with. At once, on every node, neither of us reaches the other
/// directly: our conversation closes to new messages, calls and meetings are refused, typing,
/// read receipts and presence stop, and matching never proposes us. An open match between us
/// ends quietly (the other person sees that it ended, not why) and both of us are matched again;
/// our upcoming meetings are cancelled. Group channels and events stay usable.
#[utoipa::path(post, path = "/api/me/blocks", tag = "safety", request_body = NewBlock,
    responses((status = 201, body = Block), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_block(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<NewBlock>,
) -> Result<(StatusCode, Json<Block>), ApiError> {
    let block = safety::block(&state, &me.user, body.user_id).await?;
    Ok((StatusCode::CREATED, Json(block.into())))
}

/// Lift my block of someone. Contact returns (unless they blocked me too); an ended match stays
/// ended.
#[utoipa::path(delete, path = "/api/me/blocks/{user_id}", tag = "safety", params(("user_id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_block(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiPath(user_id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    safety::unblock(&state, &me.user, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

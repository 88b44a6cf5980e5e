//! Calls in the store: each 1:1 call's state machine, kept where every node can reach it, and its
//! record. Updates are optimistic (a version per call), so any node may apply any event and two
//! nodes never both win; a partial unique index allows one live call per pair.

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreResult;

/// A call as stored: its program, the machine (JSON) and the version it was read at.
#[derive(Clone, Debug)]
pub struct StoredCall {
    pub program_id: Uuid,
    pub machine: String,
    pub version: i64,
}

/// The record columns, kept beside the machine so coordinators' queries need no JSON.
#[derive(Clone, Debug, Default)]
pub struct CallColumns {
    pub live: bool,
    pub deadline: Option<i64>,
    pub answered_at: Option<i64>,
    pub started_at: Option<i64>,
    pub caller_joined_at: Option<i64>,
    pub callee_joined_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    pub duration_ms: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewCall {
    pub id: Uuid,
    pub program_id: Uuid,
    pub caller: Uuid,
    pub callee: Uuid,
    pub invited_at: i64,
    pub machine: String,
    pub columns: CallColumns,
}

/// What a coordinator or one of the two sees of a past or current call.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CallSummary {
    pub id: Uuid,
    pub program_id: Uuid,
    pub caller_id: Uuid,
    pub callee_id: Uuid,
    pub live: bool,
    pub invited_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    pub duration_ms: Option<i64>,
    pub caller_joined: bool,
    pub callee_joined: bool,
}

#[async_trait]
pub trait CallStore: Send + Sync {
    /// The program (and pair channel) of an active match between `a` and `b`, if they have one.
    async fn active_pair(&self, a: Uuid, b: Uuid) -> StoreResult<Option<(Uuid, Option<Uuid>)>>;
    /// The live call between two people, if any.
    async fn live_call(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>>;
    /// Stores a new call; false when the pair already has a live call (the caller retries on it).
    async fn create_call(&self, call: NewCall) -> StoreResult<bool>;
    async fn load_call(&self, id: Uuid) -> StoreResult<Option<StoredCall>>;
    /// Writes the machine back if nobody changed it since `version`; false means read again.
    async fn save_call(&self, id: Uuid, version: i64, machine: &str, columns: CallColumns) -> StoreResult<bool>;
    /// Live calls `user` is in.
    async fn live_calls_of(&self, user: Uuid) -> StoreResult<Vec<Uuid>>;
    /// Live calls whose deadline has passed.
    async fn due_calls(&self, now_ms: i64) -> StoreResult<Vec<Uuid>>;
    /// Calls of a program, newest first.
    async fn program_calls(&self, program_id: Uuid, limit: u32) -> StoreResult<Vec<CallSummary>>;
}

macro_rules! impl_call_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CallStore for $store {
            async fn active_pair(&self, a: Uuid, b: Uuid) -> StoreResult<Option<(Uuid, Option<Uuid>)>> {
                Ok(sqlx::query_as::<$db, (Uuid, Option<Uuid>)>(
                    "SELECT x.program_id, x.channel_id FROM matches x WHERE x.status = 'active' \
                     AND ((x.mentee_id = $1 AND x.mentor_id = $2) OR (x.mentee_id = $2 AND x.mentor_id = $1)) \
                     AND NOT EXISTS (SELECT 1 FROM memberships sx WHERE sx.program_id = x.program_id \
                       AND sx.user_id IN ($1, $2) AND sx.suspended_at IS NOT NULL) ORDER BY x.id DESC LIMIT 1",
                )
                .bind(a)
                .bind(b)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn live_call(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT id FROM calls WHERE pair_key = $1 AND live")
                    .bind(pair_key(a, b))
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn create_call(&self, c: NewCall) -> StoreResult<bool> {
                let k = &c.columns;
                let done = sqlx::query::<$db>(
                    "INSERT INTO calls (id, program_id, pair_key, caller_id, callee_id, machine, version, live, deadline, invited_at, \
                     answered_at, started_at, caller_joined_at, callee_joined_at, ended_at, end_reason, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                )
                .bind(c.id)
                .bind(c.program_id)
                .bind(pair_key(c.caller, c.callee))
                .bind(c.caller)
                .bind(c.callee)
                .bind(&c.machine)
                .bind(k.live)
                .bind(k.deadline)
                .bind(c.invited_at)
                .bind(k.answered_at)
                .bind(k.started_at)
                .bind(k.caller_joined_at)
                .bind(k.callee_joined_at)
                .bind(k.ended_at)
                .bind(&k.end_reason)
                .bind(k.duration_ms)
                .execute(self.writer())
                .await;
                match done {
                    Ok(_) => Ok(true),
                    Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }

            async fn load_call(&self, id: Uuid) -> StoreResult<Option<StoredCall>> {
                let row = sqlx::query_as::<$db, (Uuid, String, i64)>("SELECT program_id, machine, version FROM calls WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(|(program_id, machine, version)| StoredCall { program_id, machine, version }))
            }

            async fn save_call(&self, id: Uuid, version: i64, machine: &str, k: CallColumns) -> StoreResult<bool> {
                let done = sqlx::query::<$db>(
                    "UPDATE calls SET machine = $3, version = version + 1, live = $4, deadline = $5, answered_at = $6, started_at = $7, \
                     caller_joined_at = $8, callee_joined_at = $9, ended_at = $10, end_reason = $11, duration_ms = $12 \
                     WHERE id = $1 AND version = $2",
                )
                .bind(id)
                .bind(version)
                .bind(machine)
                .bind(k.live)
                .bind(k.deadline)
                .bind(k.answered_at)
                .bind(k.started_at)
                .bind(k.caller_joined_at)
                .bind(k.callee_joined_at)
                .bind(k.ended_at)
                .bind(&k.end_reason)
                .bind(k.duration_ms)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn live_calls_of(&self, user: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT id FROM calls WHERE live AND (caller_id = $1 OR callee_id = $1)")
                    .bind(user)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn due_calls(&self, now_ms: i64) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT id FROM calls WHERE live AND deadline <= $1 ORDER BY deadline LIMIT 100")
                    .bind(now_ms)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn program_calls(&self, program_id: Uuid, limit: u32) -> StoreResult<Vec<CallSummary>> {
                Ok(sqlx::query_as::<$db, CallSummary>(
                    "SELECT id, program_id, caller_id, callee_id, live, invited_at, started_at, ended_at, end_reason, duration_ms, \
                     caller_joined_at IS NOT NULL AS caller_joined, callee_joined_at IS NOT NULL AS callee_joined \
                     FROM calls WHERE program_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(program_id)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }
        }
    };
}

pub(super) use impl_call_store;

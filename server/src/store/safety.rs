//! Blocks in the store. A block is one row per direction; what it stops is the access policy's
//! business (`domain::access`). Blocking someone, in one transaction: the row, the channels of
//! just the two of them closed to posting, their open matches ended and their upcoming meetings
//! cancelled, so a crash never leaves half a block.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Page, PageRequest, StoreResult};

/// Someone a person blocked.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BlockRow {
    pub user_id: Uuid,
    pub name: String,
    pub created_at: i64,
}

/// What blocking changed.
#[derive(Clone, Debug, Default)]
pub struct Blocked {
    /// False when the block was already there (nothing else changed then).
    pub created: bool,
    /// The channels of just the two of them, now closed to posting for both.
    pub channels: Vec<Uuid>,
    /// Their open (proposed or active) matches, now ended.
    pub matches: Vec<Uuid>,
    /// Their upcoming meetings, now cancelled.
    pub meetings: Vec<Uuid>,
}

/// What lifting a block changed.
#[derive(Clone, Debug, Default)]
pub struct Unblocked {
    /// False when there was no such block.
    pub removed: bool,
    /// The other person still blocks this one: nothing reopens.
    pub still_blocked: bool,
    /// The channels of just the two of them, open to posting again.
    pub channels: Vec<Uuid>,
}

#[async_trait]
pub trait SafetyStore: Send + Sync {
    /// `blocker` blocks `blocked`: see [`Blocked`]. Ended matches record `reason`, said by the
    /// blocker.
    async fn block(&self, blocker: Uuid, blocked: Uuid, reason: &str, now: OffsetDateTime) -> StoreResult<Blocked>;
    /// Lifts `blocker`'s block of `blocked`. Ended matches stay ended.
    async fn unblock(&self, blocker: Uuid, blocked: Uuid) -> StoreResult<Unblocked>;
    /// The people `user` blocked, by id.
    async fn blocks_by(&self, user: Uuid, page: PageRequest) -> StoreResult<Page<BlockRow>>;
    /// Everyone with a block between them and `user`, either way.
    async fn block_relations(&self, user: Uuid) -> StoreResult<Vec<Uuid>>;
    /// Whether either of the two blocks the other.
    async fn blocked_between(&self, a: Uuid, b: Uuid) -> StoreResult<bool>;
    /// Blocks whose blocker belongs to the program, as (blocker, blocked).
    async fn program_blocks(&self, program_id: Uuid) -> StoreResult<Vec<(Uuid, Uuid)>>;
    /// Whether the two belong to a program together.
    async fn share_program(&self, a: Uuid, b: Uuid) -> StoreResult<bool>;
}

/// Opens or closes to posting the channels of just `a` and `b` (both members' rows); returns
/// those channels.
macro_rules! set_posting {
    ($db:ty, $tx:expr, $a:expr, $b:expr, $can_post:expr) => {{
        let mut channels = sqlx::query_scalar::<$db, Uuid>(
            "UPDATE channel_members SET can_post = $3 WHERE channel_id IN (\
             SELECT m1.channel_id FROM channel_members m1 \
             JOIN channel_members m2 ON m2.channel_id = m1.channel_id AND m2.user_id = $2 \
             JOIN channels c ON c.id = m1.channel_id AND c.member_count = 2 \
             WHERE m1.user_id = $1) RETURNING channel_id",
        )
        .bind($a)
        .bind($b)
        .bind($can_post)
        .fetch_all($tx)
        .await?;
        channels.sort();
        channels.dedup();
        channels
    }};
}

macro_rules! impl_safety_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::SafetyStore for $store {
            async fn block(&self, blocker: Uuid, blocked: Uuid, reason: &str, now: OffsetDateTime) -> StoreResult<$crate::store::Blocked> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let created = sqlx::query::<$db>(
                    "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(blocker)
                .bind(blocked)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if !created {
                    tx.rollback().await?;
                    return Ok($crate::store::Blocked::default());
                }
                let channels = $crate::store::safety::set_posting!($db, &mut *tx, blocker, blocked, false);
                let matches = sqlx::query_scalar::<$db, Uuid>(
                    "UPDATE matches SET status = 'ended', reason = $3, reason_by = $1, ended_at = $4 \
                     WHERE status IN ('proposed','active') \
                     AND ((mentee_id = $1 AND mentor_id = $2) OR (mentee_id = $2 AND mentor_id = $1)) RETURNING id",
                )
                .bind(blocker)
                .bind(blocked)
                .bind(reason)
                .bind(now_ms)
                .fetch_all(&mut *tx)
                .await?;
                let meetings = sqlx::query_scalar::<$db, Uuid>(
                    "UPDATE meetings SET status = 'cancelled', updated_at = $3 \
                     WHERE status IN ('proposed','accepted') AND starts_at + duration_min * 60000 > $3 \
                     AND ((organizer_id = $1 AND invitee_id = $2) OR (organizer_id = $2 AND invitee_id = $1)) RETURNING id",
                )
                .bind(blocker)
                .bind(blocked)
                .bind(now_ms)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::store::Blocked { created, channels, matches, meetings })
            }

            async fn unblock(&self, blocker: Uuid, blocked: Uuid) -> StoreResult<$crate::store::Unblocked> {
                let mut tx = self.begin().await?;
                let removed = sqlx::query::<$db>("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
                    .bind(blocker)
                    .bind(blocked)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
                let still_blocked = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM blocks WHERE blocker_id = $2 AND blocked_id = $1",
                )
                .bind(blocker)
                .bind(blocked)
                .fetch_one(&mut *tx)
                .await?
                    > 0;
                if !removed || still_blocked {
                    tx.rollback().await?;
                    return Ok($crate::store::Unblocked { removed, still_blocked, channels: Vec::new() });
                }
                let channels = $crate::store::safety::set_posting!($db, &mut *tx, blocker, blocked, true);
                tx.commit().await?;
                Ok($crate::store::Unblocked { removed, still_blocked, channels })
            }

            async fn blocks_by(&self, user: Uuid, page: PageRequest) -> StoreResult<Page<$crate::store::BlockRow>> {
                let rows = sqlx::query_as::<$db, $crate::store::BlockRow>(
                    "SELECT b.blocked_id AS user_id, u.name, b.created_at FROM blocks b JOIN users u ON u.id = b.blocked_id \
                     WHERE b.blocker_id = $1 AND ($2 IS NULL OR b.blocked_id > $2) ORDER BY b.blocked_id LIMIT $3",
                )
                .bind(user)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |b| b.user_id))
            }

            async fn block_relations(&self, user: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT blocked_id FROM blocks WHERE blocker_id = $1 UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?)
            }

            async fn blocked_between(&self, a: Uuid, b: Uuid) -> StoreResult<bool> {
                Ok(sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)",
                )
                .bind(a)
                .bind(b)
                .fetch_one(self.reader())
                .await?
                    > 0)
            }

            async fn program_blocks(&self, program_id: Uuid) -> StoreResult<Vec<(Uuid, Uuid)>> {
                Ok(sqlx::query_as::<$db, (Uuid, Uuid)>(
                    "SELECT b.blocker_id, b.blocked_id FROM blocks b \
                     JOIN memberships pm ON pm.user_id = b.blocker_id AND pm.program_id = $1",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn share_program(&self, a: Uuid, b: Uuid) -> StoreResult<bool> {
                Ok(sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM memberships p1 \
                     JOIN memberships p2 ON p2.program_id = p1.program_id AND p2.user_id = $2 WHERE p1.user_id = $1",
                )
                .bind(a)
                .bind(b)
                .fetch_one(self.reader())
                .await?
                    > 0)
            }
        }
    };
}

pub(super) use impl_safety_store;
pub(crate) use set_posting;

//! Blocks and reports in the store. A block is one row per direction; what it stops is the
//! access policy's business (`domain::access`). Blocking someone, in one transaction: the row,
//! the channels of just the two of them closed to posting, their open matches ended and their
//! upcoming meetings cancelled, so a crash never leaves half a block. A report is stored with
//! copies of exactly the messages its reporter shared, in one transaction.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Page, PageRequest, StoreResult};
use crate::vocab::{ReportCategory, ReportKind};

/// A report as stored, with the names of the two people.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub reporter_id: Uuid,
    pub reporter_name: String,
    pub subject_id: Uuid,
    pub subject_name: String,
    #[sqlx(try_from = "String")]
    pub kind: ReportKind,
    pub target_id: Uuid,
    #[sqlx(try_from = "String")]
    pub category: ReportCategory,
    pub severity: i32,
    pub note: String,
    /// `ReportOutcome` as stored, once closed.
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

/// A copy of one message a reporter shared.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportMessage {
    /// The message's id, when read from the channel (copies do not keep it).
    #[sqlx(default)]
    pub message_id: Option<Uuid>,
    pub channel_id: Uuid,
    pub seq: i64,
    pub sender_id: Uuid,
    pub sender_name: String,
    pub body: String,
    pub sent_at: i64,
}

/// A version of a program's code of conduct.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConductRow {
    pub program_id: Uuid,
    pub program_name: String,
    pub version: i32,
    pub text: String,
    pub created_at: i64,
}

/// Where one member of a program stands with its code of conduct (for the export).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConductStanding {
    pub user_id: Uuid,
    pub name: String,
    pub role: String,
    /// The latest version they accepted, and when.
    pub accepted_version: Option<i32>,
    pub accepted_at: Option<i64>,
}

/// A report to store.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub id: Uuid,
    pub program_id: Uuid,
    pub reporter: Uuid,
    pub subject: Uuid,
    pub kind: ReportKind,
    pub target_id: Uuid,
    pub category: ReportCategory,
    pub note: String,
    pub messages: Vec<ReportMessage>,
}

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

    /// Stores a report with its message copies; a conflict when the reporter already has an open
    /// report of this thing.
    async fn create_report(&self, report: &NewReport, now: OffsetDateTime) -> StoreResult<ReportRow>;
    async fn get_report(&self, id: Uuid) -> StoreResult<ReportRow>;
    /// The copies a report carries, in channel order.
    async fn report_messages(&self, id: Uuid) -> StoreResult<Vec<ReportMessage>>;
    /// A program's reports, most severe first and newest first within a severity; only open ones
    /// unless `all`.
    async fn program_reports(&self, program_id: Uuid, all: bool, page: PageRequest) -> StoreResult<Page<ReportRow>>;
    /// Reports about `subject` in a program, newest first (at most `limit`).
    async fn reports_about(&self, program_id: Uuid, subject: Uuid, limit: u32) -> StoreResult<Vec<ReportRow>>;
    /// Reports `reporter` made, newest first.
    async fn reports_by(&self, reporter: Uuid, page: PageRequest) -> StoreResult<Page<ReportRow>>;
    /// Reports about `subject` that coordinators closed with an action (a warning, an ended match).
    async fn actions_about(&self, subject: Uuid) -> StoreResult<Vec<ReportRow>>;
    /// Closes an open report (a conflict when it is closed already).
    async fn close_report(
        &self,
        id: Uuid,
        outcome: &str,
        reason: &str,
        by: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<ReportRow>;
    /// Copies of the messages (not edits or deletes, not deleted) of `channel` at `seqs`.
    async fn message_copies(&self, channel: Uuid, seqs: &[i64]) -> StoreResult<Vec<ReportMessage>>;

    /// The latest version of a program's code of conduct, if it has one.
    async fn conduct(&self, program_id: Uuid) -> StoreResult<Option<ConductRow>>;
    /// Stores `text` as the program's next version, unless it is the latest's; true when new.
    async fn put_conduct(
        &self,
        program_id: Uuid,
        text: &str,
        by: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<(ConductRow, bool)>;
    /// Records `user`'s acceptance of `version`, which must be the latest (a conflict otherwise).
    async fn accept_conduct(&self, program_id: Uuid, user: Uuid, version: i32, now: OffsetDateTime) -> StoreResult<()>;
    /// The latest version `user` accepted in a program, and when.
    async fn accepted_conduct(&self, program_id: Uuid, user: Uuid) -> StoreResult<Option<(i32, i64)>>;
    /// The latest codes of conduct of `user`'s programs (where they are not a coordinator) that
    /// they have not accepted.
    async fn pending_conduct(&self, user: Uuid) -> StoreResult<Vec<ConductRow>>;
    /// Every member of a program with the latest version they accepted, by user id.
    async fn conduct_standing(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<ConductStanding>>;
    /// Every acceptance of `user`'s: (program, version, when).
    async fn own_acceptances(&self, user: Uuid) -> StoreResult<Vec<(Uuid, i32, i64)>>;

    /// Locks or unlocks a group channel: while locked only the program's coordinators post
    /// (members' `can_post` follows, as do people who join it meanwhile).
    async fn set_channel_locked(&self, channel: Uuid, locked: bool) -> StoreResult<()>;

    /// Sets a channel's slow mode (0: off).
    async fn set_slow_mode(&self, channel: Uuid, seconds: i32) -> StoreResult<()>;
    /// Mutes `user` in the program's group channels until `until` (replacing an earlier mute),
    /// or lifts their mute (`None`; false when there was none).
    async fn set_mute(
        &self,
        program_id: Uuid,
        user: Uuid,
        until: Option<i64>,
        by: Uuid,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// The programs where `user` is muted at `now_ms`, with until when.
    async fn mutes_of(&self, user: Uuid, now_ms: i64) -> StoreResult<Vec<(Uuid, i64)>>;
    /// Takes `user` out of a channel; false when they were not in it.
    async fn remove_member(&self, channel: Uuid, user: Uuid) -> StoreResult<bool>;
    /// The channel a message is in.
    async fn message_channel(&self, message: Uuid) -> StoreResult<Option<Uuid>>;
    /// Takes `user` out of a group event (no longer invited; their RSVP goes); false when they
    /// were out already.
    async fn remove_from_event(
        &self,
        event: Uuid,
        user: Uuid,
        by: Uuid,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Lifts `user`'s removal from a group event; false when there was none.
    async fn restore_to_event(&self, event: Uuid, user: Uuid) -> StoreResult<bool>;
    /// A member's role in a program and whether they are suspended, suspended or not.
    async fn membership_standing(&self, program_id: Uuid, user: Uuid) -> StoreResult<Option<(String, bool)>>;
    /// The programs `user` is suspended from.
    async fn suspended_programs(&self, user: Uuid) -> StoreResult<Vec<Uuid>>;
    /// Suspends (`true`) or reinstates a member; false when nothing changed.
    async fn set_suspended(
        &self,
        program_id: Uuid,
        user: Uuid,
        suspended: bool,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
}

macro_rules! report_select {
    () => {
        "SELECT r.id, r.program_id, r.reporter_id, ur.name AS reporter_name, r.subject_id, us.name AS subject_name, \
         r.kind, r.target_id, r.category, r.severity, r.note, r.outcome, r.reason, r.created_at, r.closed_at \
         FROM reports r JOIN users ur ON ur.id = r.reporter_id JOIN users us ON us.id = r.subject_id "
    };
}

/// Opens or closes to posting the conversations of just `a` and `b` (both members' rows; not an
/// announcement channel, whose posting rights are its own); returns those channels.
macro_rules! set_posting {
    ($db:ty, $tx:expr, $a:expr, $b:expr, $can_post:expr) => {{
        let mut channels = sqlx::query_scalar::<$db, Uuid>(
            "UPDATE channel_members SET can_post = $3 WHERE channel_id IN (\
             SELECT m1.channel_id FROM channel_members m1 \
             JOIN channel_members m2 ON m2.channel_id = m1.channel_id AND m2.user_id = $2 \
             JOIN channels c ON c.id = m1.channel_id AND c.member_count = 2 AND c.kind <> 'announcement' \
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

            async fn create_report(&self, r: &$crate::store::NewReport, now: OffsetDateTime) -> StoreResult<$crate::store::ReportRow> {
                let mut tx = self.begin().await?;
                let inserted = sqlx::query::<$db>(
                    "INSERT INTO reports (id, program_id, reporter_id, subject_id, kind, target_id, category, severity, note, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(r.id)
                .bind(r.program_id)
                .bind(r.reporter)
                .bind(r.subject)
                .bind(r.kind.as_str())
                .bind(r.target_id)
                .bind(r.category.as_str())
                .bind(r.category.severity())
                .bind(&r.note)
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await;
                match inserted {
                    Ok(_) => {}
                    Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                        return Err(StoreError::Conflict("you have already reported this; the coordinators have your report"));
                    }
                    Err(e) => return Err(e.into()),
                }
                for m in &r.messages {
                    sqlx::query::<$db>(
                        "INSERT INTO report_messages (report_id, channel_id, seq, sender_id, sender_name, body, sent_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(r.id)
                    .bind(m.channel_id)
                    .bind(m.seq)
                    .bind(m.sender_id)
                    .bind(&m.sender_name)
                    .bind(&m.body)
                    .bind(m.sent_at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                self.get_report(r.id).await
            }

            async fn get_report(&self, id: Uuid) -> StoreResult<$crate::store::ReportRow> {
                sqlx::query_as::<$db, $crate::store::ReportRow>(concat!($crate::store::safety::report_select!(), "WHERE r.id = $1"))
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?
                    .ok_or(StoreError::NotFound)
            }

            async fn report_messages(&self, id: Uuid) -> StoreResult<Vec<$crate::store::ReportMessage>> {
                Ok(sqlx::query_as::<$db, $crate::store::ReportMessage>(
                    "SELECT channel_id, seq, sender_id, sender_name, body, sent_at FROM report_messages WHERE report_id = $1 ORDER BY channel_id, seq",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn program_reports(&self, program_id: Uuid, all: bool, page: PageRequest) -> StoreResult<Page<$crate::store::ReportRow>> {
                let rows = sqlx::query_as::<$db, $crate::store::ReportRow>(concat!(
                    $crate::store::safety::report_select!(),
                    "WHERE r.program_id = $1 AND (r.closed_at IS NULL OR $2) ",
                    "AND ($3 IS NULL OR (r.severity, r.id) < ((SELECT severity FROM reports WHERE id = $3), $3)) ",
                    "ORDER BY r.severity DESC, r.id DESC LIMIT $4"
                ))
                .bind(program_id)
                .bind(all)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |r| r.id))
            }

            async fn reports_about(&self, program_id: Uuid, subject: Uuid, limit: u32) -> StoreResult<Vec<$crate::store::ReportRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::ReportRow>(concat!(
                    $crate::store::safety::report_select!(),
                    "WHERE r.subject_id = $1 AND r.program_id = $2 ORDER BY r.id DESC LIMIT $3"
                ))
                .bind(subject)
                .bind(program_id)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn reports_by(&self, reporter: Uuid, page: PageRequest) -> StoreResult<Page<$crate::store::ReportRow>> {
                let rows = sqlx::query_as::<$db, $crate::store::ReportRow>(concat!(
                    $crate::store::safety::report_select!(),
                    "WHERE r.reporter_id = $1 AND ($2 IS NULL OR r.id < $2) ORDER BY r.id DESC LIMIT $3"
                ))
                .bind(reporter)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |r| r.id))
            }

            async fn actions_about(&self, subject: Uuid) -> StoreResult<Vec<$crate::store::ReportRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::ReportRow>(concat!(
                    $crate::store::safety::report_select!(),
                    "WHERE r.subject_id = $1 AND r.outcome IN ('warned','match_ended','muted','removed','suspended') ORDER BY r.id"
                ))
                .bind(subject)
                .fetch_all(self.reader())
                .await?)
            }

            async fn close_report(&self, id: Uuid, outcome: &str, reason: &str, by: Uuid, now: OffsetDateTime) -> StoreResult<$crate::store::ReportRow> {
                let done = sqlx::query::<$db>(
                    "UPDATE reports SET outcome = $2, reason = $3, closed_by = $4, closed_at = $5 WHERE id = $1 AND closed_at IS NULL",
                )
                .bind(id)
                .bind(outcome)
                .bind(reason)
                .bind(by)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                let row = self.get_report(id).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this report is already closed"));
                }
                Ok(row)
            }

            async fn message_copies(&self, channel: Uuid, seqs: &[i64]) -> StoreResult<Vec<$crate::store::ReportMessage>> {
                // One query for all of them (at most `MAX_SHARED` sequence numbers).
                if seqs.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT m.id AS message_id, m.channel_id, m.seq, m.sender_id, u.name AS sender_name, m.body, m.created_at AS sent_at \
                     FROM messages m JOIN users u ON u.id = m.sender_id \
                     WHERE m.channel_id = $1 AND m.seq IN ({}) AND m.kind = 'message' AND m.deleted_at IS NULL ORDER BY m.seq",
                    $crate::store::sql::numbered(2, seqs.len())
                );
                let mut query = sqlx::query_as::<$db, $crate::store::ReportMessage>(sqlx::AssertSqlSafe(sql)).bind(channel);
                for seq in seqs {
                    query = query.bind(*seq);
                }
                Ok(query.fetch_all(self.reader()).await?)
            }

            async fn conduct(&self, program_id: Uuid) -> StoreResult<Option<$crate::store::ConductRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::ConductRow>(
                    "SELECT c.program_id, p.name AS program_name, c.version, c.text, c.created_at FROM program_conduct c \
                     JOIN programs p ON p.id = c.program_id WHERE c.program_id = $1 ORDER BY c.version DESC LIMIT 1",
                )
                .bind(program_id)
                .fetch_optional(self.writer())
                .await?)
            }

            async fn put_conduct(&self, program_id: Uuid, text: &str, by: Uuid, now: OffsetDateTime) -> StoreResult<($crate::store::ConductRow, bool)> {
                let latest = self.conduct(program_id).await?;
                if let Some(latest) = latest.as_ref().filter(|l| l.text == text) {
                    return Ok((latest.clone(), false));
                }
                let version = latest.map_or(1, |l| l.version + 1);
                let inserted = sqlx::query::<$db>(
                    "INSERT INTO program_conduct (program_id, version, text, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(program_id)
                .bind(version)
                .bind(text)
                .bind(by)
                .bind(to_millis(now))
                .execute(self.writer())
                .await;
                match inserted {
                    Ok(_) => {}
                    Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                        return Err(StoreError::Conflict("the code of conduct changed meanwhile; reload and try again"));
                    }
                    Err(e) => return Err(e.into()),
                }
                Ok((self.conduct(program_id).await?.ok_or(StoreError::NotFound)?, true))
            }

            async fn accept_conduct(&self, program_id: Uuid, user: Uuid, version: i32, now: OffsetDateTime) -> StoreResult<()> {
                let latest = self.conduct(program_id).await?;
                if latest.map(|l| l.version) != Some(version) {
                    return Err(StoreError::Conflict("this is not the program's current code of conduct; read the current one"));
                }
                sqlx::query::<$db>(
                    "INSERT INTO conduct_acceptances (program_id, user_id, version, accepted_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(program_id)
                .bind(user)
                .bind(version)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn accepted_conduct(&self, program_id: Uuid, user: Uuid) -> StoreResult<Option<(i32, i64)>> {
                Ok(sqlx::query_as::<$db, (i32, i64)>(
                    "SELECT version, accepted_at FROM conduct_acceptances WHERE program_id = $1 AND user_id = $2 \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(program_id)
                .bind(user)
                .fetch_optional(self.writer())
                .await?)
            }

            async fn pending_conduct(&self, user: Uuid) -> StoreResult<Vec<$crate::store::ConductRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::ConductRow>(
                    "SELECT c.program_id, p.name AS program_name, c.version, c.text, c.created_at FROM memberships m \
                     JOIN programs p ON p.id = m.program_id \
                     JOIN program_conduct c ON c.program_id = m.program_id \
                       AND c.version = (SELECT MAX(x.version) FROM program_conduct x WHERE x.program_id = m.program_id) \
                     WHERE m.user_id = $1 AND m.role <> 'coordinator' AND NOT EXISTS (SELECT 1 FROM conduct_acceptances a \
                       WHERE a.program_id = c.program_id AND a.user_id = $1 AND a.version = c.version) \
                     ORDER BY p.name",
                )
                .bind(user)
                .fetch_all(self.writer())
                .await?)
            }

            async fn conduct_standing(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<$crate::store::ConductStanding>> {
                let rows = sqlx::query_as::<$db, $crate::store::ConductStanding>(
                    "SELECT m.user_id, u.name, m.role, \
                     (SELECT MAX(a.version) FROM conduct_acceptances a WHERE a.program_id = m.program_id AND a.user_id = m.user_id) AS accepted_version, \
                     (SELECT MAX(a.accepted_at) FROM conduct_acceptances a WHERE a.program_id = m.program_id AND a.user_id = m.user_id) AS accepted_at \
                     FROM memberships m JOIN users u ON u.id = m.user_id \
                     WHERE m.program_id = $1 AND ($2 IS NULL OR m.user_id > $2) ORDER BY m.user_id LIMIT $3",
                )
                .bind(program_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |r| r.user_id))
            }

            async fn own_acceptances(&self, user: Uuid) -> StoreResult<Vec<(Uuid, i32, i64)>> {
                Ok(sqlx::query_as::<$db, (Uuid, i32, i64)>(
                    "SELECT program_id, version, accepted_at FROM conduct_acceptances WHERE user_id = $1 ORDER BY accepted_at",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?)
            }

            async fn set_channel_locked(&self, channel: Uuid, locked: bool) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query::<$db>("UPDATE channels SET locked = $2 WHERE id = $1")
                    .bind(channel)
                    .bind(locked)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<$db>(
                    "UPDATE channel_members SET can_post = $2 WHERE channel_id = $1 AND user_id NOT IN (\
                     SELECT m.user_id FROM memberships m JOIN channels c ON c.program_id = m.program_id \
                     WHERE c.id = $1 AND m.role = 'coordinator')",
                )
                .bind(channel)
                .bind(!locked)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_slow_mode(&self, channel: Uuid, seconds: i32) -> StoreResult<()> {
                sqlx::query::<$db>("UPDATE channels SET slow_mode_s = $2 WHERE id = $1")
                    .bind(channel)
                    .bind(seconds)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn set_mute(
                &self,
                program_id: Uuid,
                user: Uuid,
                until: Option<i64>,
                by: Uuid,
                reason: &str,
                now: OffsetDateTime,
            ) -> StoreResult<bool> {
                let Some(until) = until else {
                    let done = sqlx::query::<$db>("DELETE FROM mutes WHERE program_id = $1 AND user_id = $2")
                        .bind(program_id)
                        .bind(user)
                        .execute(self.writer())
                        .await?;
                    return Ok(done.rows_affected() > 0);
                };
                sqlx::query::<$db>(
                    "INSERT INTO mutes (program_id, user_id, until, muted_by, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (program_id, user_id) DO UPDATE SET until = $3, muted_by = $4, reason = $5, created_at = $6",
                )
                .bind(program_id)
                .bind(user)
                .bind(until)
                .bind(by)
                .bind(reason)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(true)
            }

            async fn mutes_of(&self, user: Uuid, now_ms: i64) -> StoreResult<Vec<(Uuid, i64)>> {
                Ok(sqlx::query_as::<$db, (Uuid, i64)>("SELECT program_id, until FROM mutes WHERE user_id = $1 AND until > $2")
                    .bind(user)
                    .bind(now_ms)
                    .fetch_all(self.writer())
                    .await?)
            }

            async fn remove_member(&self, channel: Uuid, user: Uuid) -> StoreResult<bool> {
                let done = sqlx::query::<$db>("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2")
                    .bind(channel)
                    .bind(user)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn remove_from_event(&self, event: Uuid, user: Uuid, by: Uuid, reason: &str, now: OffsetDateTime) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let done = sqlx::query::<$db>(
                    "INSERT INTO event_removals (event_id, user_id, removed_by, reason, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(event)
                .bind(user)
                .bind(by)
                .bind(reason)
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>("DELETE FROM group_event_rsvps WHERE event_id = $1 AND user_id = $2")
                    .bind(event)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn restore_to_event(&self, event: Uuid, user: Uuid) -> StoreResult<bool> {
                let done = sqlx::query::<$db>("DELETE FROM event_removals WHERE event_id = $1 AND user_id = $2")
                    .bind(event)
                    .bind(user)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn membership_standing(&self, program_id: Uuid, user: Uuid) -> StoreResult<Option<(String, bool)>> {
                Ok(sqlx::query_as::<$db, (String, bool)>(
                    "SELECT role, suspended_at IS NOT NULL FROM memberships WHERE program_id = $1 AND user_id = $2",
                )
                .bind(program_id)
                .bind(user)
                .fetch_optional(self.writer())
                .await?)
            }

            async fn suspended_programs(&self, user: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT program_id FROM memberships WHERE user_id = $1 AND suspended_at IS NOT NULL ORDER BY program_id",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?)
            }

            async fn set_suspended(&self, program_id: Uuid, user: Uuid, suspended: bool, now: OffsetDateTime) -> StoreResult<bool> {
                let done = if suspended {
                    sqlx::query::<$db>(
                        "UPDATE memberships SET suspended_at = $3 WHERE program_id = $1 AND user_id = $2 AND suspended_at IS NULL",
                    )
                    .bind(program_id)
                    .bind(user)
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?
                } else {
                    sqlx::query::<$db>(
                        "UPDATE memberships SET suspended_at = NULL WHERE program_id = $1 AND user_id = $2 AND suspended_at IS NOT NULL",
                    )
                    .bind(program_id)
                    .bind(user)
                    .execute(self.writer())
                    .await?
                };
                Ok(done.rows_affected() > 0)
            }

            async fn message_channel(&self, message: Uuid) -> StoreResult<Option<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT channel_id FROM messages WHERE id = $1")
                    .bind(message)
                    .fetch_optional(self.reader())
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
pub(crate) use report_select;
pub(crate) use set_posting;

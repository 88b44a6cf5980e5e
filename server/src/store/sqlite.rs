//! SQLite backend: the embedded default, one file in the data directory, for a single node.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::calls::impl_call_store;
use super::events::*;
use super::job_queue::*;
use super::matching_sql::*;
use super::meetings::*;
use super::program_data::*;
use super::safety::impl_safety_store;
use super::sql::*;
use super::*;

pub struct SqliteStore {
    /// The one connection that writes: SQLite has one writer at a time anyway, and queueing in
    /// the pool (fair, async) beats SQLite's busy handler, which sleeps and retries and turns
    /// contention into tens of milliseconds of latency.
    writer: SqlitePool,
    /// Connections that only read (`query_only`): with WAL they read a consistent snapshot while
    /// the writer writes, so a long read (a sweep, an export) never holds up a request's one-row
    /// read or a message being stored.
    readers: SqlitePool,
    /// Dropped with the store, which ends its checkpointer ([`checkpoints`]).
    _checkpointer: tokio_util::sync::DropGuard,
}

/// How often the checkpointer copies the WAL's committed pages into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Reading connections: enough for both cores and a sweep or export beside requests.
const READERS: u32 = 4;

impl SqliteStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // WAL lets readers proceed during a write; the busy timeout makes writers queue instead of
        // failing when another connection holds the write lock.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // The writer stays open for the life of the store: it made the WAL files the readers use.
        // It never checkpoints: SQLite's automatic checkpoint runs inside the commit that crosses
        // 1,000 WAL pages, so that one request copied megabytes into the database file (creating
        // a program-wide channel for 10,000 people: 220 of its 410 ms). A connection of its own
        // does it in the background instead ([`checkpoints`]); the WAL file is cut back to
        // `journal_size_limit` when the writer starts it over.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone().pragma("wal_autocheckpoint", "0").pragma("journal_size_limit", "67108864"))
            .await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_lazy_with(options.clone().create_if_missing(false));
        let stopped = tokio_util::sync::CancellationToken::new();
        tokio::spawn(checkpoints(checkpointer, stopped.clone()));
        // Readers open on first use, so none predates the migrations and the statistics refreshed
        // after them, and each lives half an hour: a connection loads the planner's statistics
        // when it opens and keeps them, so one opened before `PRAGMA optimize` (with the
        // statistics of an empty database) planned joins as if `users` had one row, 7 s for a
        // one-row read at 6,533 people.
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .max_lifetime(Duration::from_secs(30 * 60))
            .connect_lazy_with(options.create_if_missing(false).pragma("query_only", "ON"));
        Ok(Self { writer, readers, _checkpointer: stopped.drop_guard() })
    }

    fn reader(&self) -> &SqlitePool {
        &self.readers
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/sqlite").run(&self.writer).await?;
        self.refresh_statistics().await
    }

    /// `PRAGMA optimize` as SQLite recommends for long-lived connections: analyzes the tables
    /// whose statistics are missing or stale, reading at most `analysis_limit` rows of each
    /// index, so it stays in milliseconds on a large database. Every query is written to keep a
    /// good plan with statistics and without (`tests/tests/query_plans.rs`).
    async fn refresh_statistics(&self) -> StoreResult<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *conn).await?;
        sqlx::query("PRAGMA optimize = 0x10002").execute(&mut *conn).await?;
        Ok(())
    }

    /// `BEGIN IMMEDIATE` takes the write lock before the first read, so a transaction that reads
    /// then writes cannot fail half-way with SQLITE_BUSY when another writer got there first.
    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }
}

/// Copies committed WAL pages into the database file every [`CHECKPOINT_EVERY`], beside the
/// writer and the readers (a passive checkpoint waits for neither), until the store is dropped.
async fn checkpoints(pool: SqlitePool, stopped: tokio_util::sync::CancellationToken) {
    loop {
        tokio::select! {
            _ = stopped.cancelled() => break,
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {}
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            tracing::warn!(error = %e, "could not checkpoint the SQLite WAL");
        }
    }
    pool.close().await;
}

impl SqliteStore {
    /// SQLite has no data-modifying CTEs; a short `BEGIN IMMEDIATE` transaction does the same:
    /// take the next sequence number and insert, or return the earlier event for a repeated
    /// client id.
    async fn append_new_message(&self, append: Append, now: OffsetDateTime) -> StoreResult<Appended> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query_as::<Sqlite, EventRow>(concat!(
            "SELECT ",
            event_columns!(),
            " FROM messages WHERE channel_id = $1 AND sender_id = $2 AND client_id = $3"
        ))
        .bind(append.channel_id)
        .bind(append.sender_id)
        .bind(&append.client_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            tx.rollback().await?;
            return self.replay(row.into()).await;
        }
        let seq: Option<i64> = sqlx::query_scalar::<Sqlite, i64>(
            "UPDATE channels SET last_seq = last_seq + 1, last_activity_at = $2 WHERE id = $1 RETURNING last_seq",
        )
        .bind(append.channel_id)
        .bind(to_millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        let seq = seq.ok_or(StoreError::NotFound)?;
        let row = sqlx::query_as::<Sqlite, EventRow>(concat!(
            "INSERT INTO messages (channel_id, seq, id, kind, sender_id, client_id, body, created_at) ",
            "VALUES ($1, $2, $3, 'message', $4, $5, $6, $7) RETURNING ",
            event_columns!()
        ))
        .bind(append.channel_id)
        .bind(seq)
        .bind(Uuid::now_v7())
        .bind(append.sender_id)
        .bind(&append.client_id)
        .bind(&append.body)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Appended { event: row.into(), created: true, target: None })
    }
}

impl_store!(SqliteStore, Sqlite, "sqlite");
impl_matching_store!(SqliteStore, Sqlite);
impl_call_store!(SqliteStore, Sqlite);
impl_meeting_store!(SqliteStore, Sqlite);
impl_program_data_store!(SqliteStore, Sqlite);
impl_event_store!(SqliteStore, Sqlite);
impl_job_store!(SqliteStore, Sqlite);
impl_safety_store!(SqliteStore, Sqlite);

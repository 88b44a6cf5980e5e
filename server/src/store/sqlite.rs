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
use super::sql::*;
use super::*;

pub struct SqliteStore {
    pool: SqlitePool,
}

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
        // One connection: SQLite has one writer at a time anyway, and queueing in the pool (fair,
        // async) beats SQLite's busy handler, which sleeps and retries and turns contention into
        // tens of milliseconds of latency. Statements take microseconds, so reads queue briefly.
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(Self { pool })
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    /// `BEGIN IMMEDIATE` takes the write lock before the first read, so a transaction that reads
    /// then writes cannot fail half-way with SQLITE_BUSY when another writer got there first.
    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
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
            "UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
        )
        .bind(append.channel_id)
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

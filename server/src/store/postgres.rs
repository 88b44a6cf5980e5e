//! PostgreSQL backend: the production store, shared by every `kindred` node of a deployment.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
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

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects lazily-checked: the pool is created and one connection is tried at once, so a
    /// wrong URL fails at start-up rather than on the first request.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // No JIT compilation: Kindred's queries are short lookups, and on a table whose
        // statistics are missing or stale PostgreSQL's cost estimate can cross `jit_above_cost`
        // and spend 100-200 ms compiling a 5 ms query (a person's channel list at 6,533 people:
        // 241 ms with JIT, 8 ms without; docs/benchmarks.md).
        let options: PgConnectOptions = url.parse::<PgConnectOptions>()?.options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    async fn run_migrations(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/postgres").run(&self.pool).await?;
        self.refresh_statistics().await
    }

    /// Analyzes the tables whose statistics are missing or stale by autovacuum's own measure
    /// (more rows changed since the last analysis than 50 and a tenth of the table): after a bulk
    /// load or a restore, or where autovacuum is off or behind. Without statistics the planner
    /// guesses, and read a pair channel's two members by walking every user (8 ms at 4,000
    /// people, on every `welcome`). Where autovacuum keeps up, this finds nothing to do.
    async fn refresh_statistics(&self) -> StoreResult<()> {
        let tables: Vec<String> = sqlx::query_scalar::<Postgres, String>(
            "SELECT relname::text FROM pg_stat_user_tables WHERE schemaname = current_schema() \
             AND n_mod_since_analyze > 50 + n_live_tup / 10",
        )
        .fetch_all(&self.pool)
        .await?;
        for table in tables {
            let sql = format!("ANALYZE \"{}\"", table.replace('"', "\"\""));
            sqlx::query::<Postgres>(sqlx::AssertSqlSafe(sql)).execute(&self.pool).await?;
        }
        Ok(())
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }
}

impl PgStore {
    /// One statement, one round trip: take the channel's next sequence number and insert the
    /// message atomically. A repeated client id violates the unique key, which rolls back the
    /// sequence increment too (no gaps), and the original event is returned instead.
    async fn append_new_message(&self, append: Append, now: OffsetDateTime) -> StoreResult<Appended> {
        let inserted = sqlx::query_as::<Postgres, EventRow>(concat!(
            "WITH s AS (UPDATE channels SET last_seq = last_seq + 1, last_activity_at = $6 WHERE id = $1 RETURNING last_seq) ",
            "INSERT INTO messages (channel_id, seq, id, kind, sender_id, client_id, body, created_at) ",
            "SELECT $1, s.last_seq, $2, 'message', $3, $4, $5, $6 FROM s RETURNING ",
            event_columns!()
        ))
        .bind(append.channel_id)
        .bind(Uuid::now_v7())
        .bind(append.sender_id)
        .bind(&append.client_id)
        .bind(&append.body)
        .bind(to_millis(now))
        .fetch_optional(&self.pool)
        .await;
        match inserted {
            Ok(Some(row)) => Ok(Appended { event: row.into(), created: true, target: None }),
            Ok(None) => Err(StoreError::NotFound),
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                let event = self.existing_event(&append).await?.ok_or(StoreError::NotFound)?;
                self.replay(event).await
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl_store!(PgStore, Postgres, "postgres");
impl_matching_store!(PgStore, Postgres);
impl_call_store!(PgStore, Postgres);
impl_meeting_store!(PgStore, Postgres);
impl_program_data_store!(PgStore, Postgres);
impl_event_store!(PgStore, Postgres);
impl_job_store!(PgStore, Postgres);
impl_safety_store!(PgStore, Postgres);

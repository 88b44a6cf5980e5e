//! The job queue: durable work that any node's job runner may take. A job is leased to one runner
//! at a time; a runner that dies loses its lease and another takes the job again, so every kind
//! of job is written to be safe to run twice. A `dedupe_key` keeps one pending job per key.
//! Payloads are text here; their meaning is the domain's (`domain::jobs`).

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;

/// A unit of durable work, as claimed by a runner.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    /// How many times it has been claimed, this time included.
    pub attempts: i32,
}

/// A job to queue, to run at `run_at` (now, or later for reminders).
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: String,
    /// While a job with this key is pending, another is not queued.
    pub dedupe_key: Option<String>,
    pub run_at: OffsetDateTime,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Queues a job unless one with the same `dedupe_key` is pending; returns whether it was queued.
    async fn enqueue_job(&self, job: &NewJob, now: OffsetDateTime) -> StoreResult<bool>;
    /// Takes the oldest due job whose lease is free, leasing it to `runner` until `lease_until`.
    async fn claim_job(
        &self,
        runner: Uuid,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> StoreResult<Option<Job>>;
    async fn finish_job(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;
    /// Releases a failed job to run again at `retry_at` (or gives up when `retry_at` is `None`).
    async fn fail_job(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Jobs not yet done (for tests and `/readyz`-style checks).
    async fn pending_jobs(&self) -> StoreResult<i64>;
}

#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job { id: r.id, kind: r.kind, payload: r.payload, attempts: r.attempts }
    }
}

macro_rules! impl_job_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Queues a job inside a caller's transaction, so the work it records and the job that
            /// follows it up commit together.
            async fn enqueue_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                job: &$crate::store::NewJob,
                now_ms: i64,
            ) -> Result<bool, sqlx::Error> {
                let done = sqlx::query::<$db>(
                    "INSERT INTO jobs (id, kind, payload, dedupe_key, run_at, attempts, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(Uuid::now_v7())
                .bind(job.kind)
                .bind(&job.payload)
                .bind(job.dedupe_key.as_deref())
                .bind(to_millis(job.run_at))
                .bind(now_ms)
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::JobStore for $store {
            async fn enqueue_job(&self, job: &$crate::store::NewJob, now: OffsetDateTime) -> StoreResult<bool> {
                let mut tx = self.begin().await?;
                let queued = Self::enqueue_in(&mut tx, job, to_millis(now)).await?;
                tx.commit().await?;
                Ok(queued)
            }

            async fn claim_job(&self, runner: Uuid, now: OffsetDateTime, lease_until: OffsetDateTime) -> StoreResult<Option<Job>> {
                // The lease conditions are repeated outside the subquery: on PostgreSQL a racing
                // runner re-checks them against the row the winner just leased, and matches nothing.
                let row = sqlx::query_as::<$db, JobRow>(
                    "UPDATE jobs SET locked_by = $1, locked_until = $3, attempts = attempts + 1 \
                     WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2 AND (locked_until IS NULL OR locked_until < $2) \
                                 ORDER BY run_at, id LIMIT 1) \
                     AND done_at IS NULL AND (locked_until IS NULL OR locked_until < $2) \
                     RETURNING id, kind, payload, attempts",
                )
                .bind(runner)
                .bind(to_millis(now))
                .bind(to_millis(lease_until))
                .fetch_optional(self.writer())
                .await?;
                Ok(row.map(Into::into))
            }

            async fn finish_job(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>("UPDATE jobs SET done_at = $2, locked_until = NULL WHERE id = $1")
                    .bind(id)
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn fail_job(&self, id: Uuid, error: &str, retry_at: Option<OffsetDateTime>, now: OffsetDateTime) -> StoreResult<()> {
                match retry_at {
                    Some(at) => {
                        sqlx::query::<$db>("UPDATE jobs SET last_error = $2, run_at = $3, locked_until = NULL WHERE id = $1")
                            .bind(id)
                            .bind(error)
                            .bind(to_millis(at))
                            .execute(self.writer())
                            .await?;
                    }
                    None => {
                        sqlx::query::<$db>("UPDATE jobs SET last_error = $2, done_at = $3, locked_until = NULL WHERE id = $1")
                            .bind(id)
                            .bind(error)
                            .bind(to_millis(now))
                            .execute(self.writer())
                            .await?;
                    }
                }
                Ok(())
            }

            async fn pending_jobs(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL").fetch_one(self.reader()).await?)
            }
        }
    };
}

pub(super) use impl_job_store;

//! Durable background work: what a job means ([`Work`], typed; the store keeps it as text), how
//! it is queued, and the job runner that takes due jobs from the store and hands each to the
//! capability that owns it. The runner also runs the program-data sweep every `sweep_ms`. It runs
//! inside `kindred serve` and alone as `kindred worker`; any number may run against one database.
//!
//! Exactly-once effects come from the store, not from the lease: a job may run twice (a runner
//! died after the effect but before marking it done, or a lease lapsed), so every effect is
//! idempotent (see each capability's handler).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::Core;
use crate::store::{Job, NewJob, StoreResult};

/// How long a claimed job is ours before another runner may take it over.
const LEASE: Duration = Duration::from_secs(60);
/// Attempts before a job is given up (its error stays in the table).
const MAX_ATTEMPTS: i32 = 8;

/// Kinds of jobs as the queue stores them, and their payloads' meaning.
pub mod kinds {
    /// Payload: the match id. Tell both people by email about a proposal.
    pub const MATCH_PROPOSED: &str = "match_proposed";
    /// Payload: the match id. Open the pair's channel, welcome them, tell them.
    pub const MATCH_ACTIVATED: &str = "match_activated";
    /// Payload: the program id. Run an incremental round and publish its proposals.
    pub const AUTO_MATCH: &str = "auto_match";
    /// Payload: `<meeting id> <starts_at millis>`. Remind both people of an accepted meeting (if it
    /// still starts then).
    pub const MEETING_REMINDER: &str = "meeting_reminder";
    /// Payload: `<event id> <starts_at millis>`. Remind the people going to a group event.
    pub const EVENT_REMINDER: &str = "event_reminder";
}

/// What a job asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Tell both people of a proposed match.
    MatchProposed(Uuid),
    /// Open an activated match's channel, welcome the pair, tell them.
    MatchActivated(Uuid),
    /// Match a program automatically.
    AutoMatch(Uuid),
    /// Remind both people of an accepted meeting, if it still starts at `starts_ms`.
    MeetingReminder { meeting: Uuid, starts_ms: i64 },
    /// Remind the people of a group event, if it still starts at `starts_ms`.
    EventReminder { event: Uuid, starts_ms: i64 },
}

impl Work {
    /// The stored form, to run at `run_at`. Reminders are keyed by their start, so a moved
    /// meeting gets a new one while the old one finds the time changed and does nothing.
    pub fn job(self, run_at: OffsetDateTime) -> NewJob {
        let (kind, payload, dedupe_key) = match self {
            Work::MatchProposed(id) => (kinds::MATCH_PROPOSED, id.to_string(), None),
            Work::MatchActivated(id) => (kinds::MATCH_ACTIVATED, id.to_string(), Some(format!("activate:{id}"))),
            Work::AutoMatch(program) => (kinds::AUTO_MATCH, program.to_string(), Some(format!("auto:{program}"))),
            Work::MeetingReminder { meeting, starts_ms } => (
                kinds::MEETING_REMINDER,
                format!("{meeting} {starts_ms}"),
                Some(format!("remind:{meeting}:{starts_ms}")),
            ),
            Work::EventReminder { event, starts_ms } => {
                (kinds::EVENT_REMINDER, format!("{event} {starts_ms}"), Some(format!("event:{event}")))
            }
        };
        NewJob { kind, payload, dedupe_key, run_at }
    }

    /// Reads a stored job back.
    pub fn parse(job: &Job) -> anyhow::Result<Work> {
        let id = || job.payload.parse::<Uuid>().with_context(|| format!("{} payload is not an id", job.kind));
        let timed = || -> anyhow::Result<(Uuid, i64)> {
            let (id, starts) = job.payload.split_once(' ').context("payload is `<id> <starts_at millis>`")?;
            Ok((id.parse()?, starts.parse()?))
        };
        Ok(match job.kind.as_str() {
            kinds::MATCH_PROPOSED => Work::MatchProposed(id()?),
            kinds::MATCH_ACTIVATED => Work::MatchActivated(id()?),
            kinds::AUTO_MATCH => Work::AutoMatch(id()?),
            kinds::MEETING_REMINDER => {
                let (meeting, starts_ms) = timed()?;
                Work::MeetingReminder { meeting, starts_ms }
            }
            kinds::EVENT_REMINDER => {
                let (event, starts_ms) = timed()?;
                Work::EventReminder { event, starts_ms }
            }
            other => anyhow::bail!("unknown job kind {other}"),
        })
    }
}

/// Queues `work` to run at `run_at` and wakes this node's runner.
pub async fn enqueue(core: &Core, work: Work, run_at: OffsetDateTime) -> StoreResult<()> {
    core.store.enqueue_job(&work.job(run_at), core.clock.now()).await?;
    core.work.notify_one();
    Ok(())
}

/// Runs one job. Safe to call more than once for the same job, even at the same time.
pub async fn handle(core: &Core, job: &Job) -> anyhow::Result<()> {
    match Work::parse(job)? {
        Work::MatchProposed(id) => super::matching::worker::proposed(core, id).await,
        Work::MatchActivated(id) => super::matching::worker::activated(core, id).await,
        Work::AutoMatch(program) => super::matching::worker::auto_match(core, program).await,
        Work::MeetingReminder { meeting, starts_ms } => super::meetings::remind(core, meeting, starts_ms).await,
        Work::EventReminder { event, starts_ms } => super::events::remind(core, event, starts_ms).await,
    }
}

/// The job runner: runs jobs until `shutdown`, whenever woken (a job was queued on this node) and
/// every `poll` (jobs queued by other nodes, retries, lapsed leases); and the program-data sweep.
pub async fn run(core: Core, wake: Arc<Notify>, poll: Duration, shutdown: CancellationToken) {
    let runner = Uuid::new_v4();
    tracing::info!(%runner, "job runner started");
    let sweep_every = Duration::from_millis(core.config.sweep_ms.max(10));
    let mut next_sweep = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_sweep {
            super::program_data::sweep::run(&core).await;
            next_sweep = tokio::time::Instant::now() + sweep_every;
        }
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            let now = core.clock.now();
            let job = match core.store.claim_job(runner, now, now + LEASE).await {
                Ok(Some(job)) => job,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a job");
                    break;
                }
            };
            let outcome = handle(&core, &job).await;
            let now = core.clock.now();
            let recorded = match outcome {
                Ok(()) => core.store.finish_job(job.id, now).await,
                Err(e) => {
                    metrics::counter!("kindred_jobs_failed_total", "kind" => job.kind.clone()).increment(1);
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = ?e, "job failed");
                    let retry = (job.attempts < MAX_ATTEMPTS)
                        .then(|| now + Duration::from_secs(2u64.pow(job.attempts.clamp(0, 10) as u32)));
                    core.store.fail_job(job.id, &format!("{e:#}"), retry, now).await
                }
            };
            if let Err(e) = recorded {
                tracing::warn!(job = %job.id, error = %e, "could not record a job's outcome");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll.min(next_sweep.saturating_duration_since(tokio::time::Instant::now()))) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_round_trips_through_its_stored_form() {
        let id = Uuid::now_v7();
        let at = OffsetDateTime::UNIX_EPOCH;
        for work in [
            Work::MatchProposed(id),
            Work::MatchActivated(id),
            Work::AutoMatch(id),
            Work::MeetingReminder { meeting: id, starts_ms: 1_800_000_000_000 },
            Work::EventReminder { event: id, starts_ms: 42 },
        ] {
            let new = work.job(at);
            let job = Job { id: Uuid::nil(), kind: new.kind.to_owned(), payload: new.payload, attempts: 1 };
            assert_eq!(Work::parse(&job).unwrap(), work);
        }
        let bad = Job { id: Uuid::nil(), kind: "nonsense".into(), payload: String::new(), attempts: 1 };
        assert!(Work::parse(&bad).is_err());
    }
}

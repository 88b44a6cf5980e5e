//! The matching worker: runs the durable jobs the store queues (a proposal to announce, a match
//! that became active, a program to match automatically, a meeting reminder), and every
//! `sweep_ms` the program-data checks ([`crate::program_data::sweep`]). It runs inside
//! `kindred serve` and alone as `kindred worker`; any number may run against one database.
//!
//! Exactly-once effects come from the store, not from the lease: a job may run twice (a worker
//! died after the effect but before marking it done, or a lease lapsed), so every effect is
//! idempotent. The pair's channel is keyed by the pair, the welcome message by a client id derived
//! from the match, and a proposal is published once per round approval.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::engine;
use super::views::{Match, RoundBody};
use crate::api::channels::announce_channel;
use crate::bus::BusEvent;
use crate::gateway::protocol::ServerFrame;
use crate::program_data::notify;
use crate::state::AppState;
use crate::store::{Append, Job, MatchRecord, MatchStatus, NewMatch, SYSTEM_USER, jobs};

/// How long a claimed job is ours before another worker may take it over.
const LEASE: Duration = Duration::from_secs(60);
/// Attempts before a job is given up (its error stays in the table).
const MAX_ATTEMPTS: i32 = 8;

/// Runs jobs until `shutdown`: whenever woken (a job was queued on this node) and every `poll`
/// (jobs queued by other nodes, retries, lapsed leases).
pub async fn run(state: AppState, wake: std::sync::Arc<Notify>, poll: Duration, shutdown: CancellationToken) {
    let worker = Uuid::new_v4();
    tracing::info!(%worker, "matching worker started");
    let sweep_every = Duration::from_millis(state.config.sweep_ms.max(10));
    let mut next_sweep = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_sweep {
            crate::program_data::sweep::run(&state).await;
            next_sweep = tokio::time::Instant::now() + sweep_every;
        }
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            let now = state.clock.now();
            let job = match state.store.claim_job(worker, now, now + LEASE).await {
                Ok(Some(job)) => job,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a job");
                    break;
                }
            };
            let outcome = handle(&state, &job).await;
            let now = state.clock.now();
            let recorded = match outcome {
                Ok(()) => state.store.finish_job(job.id, now).await,
                Err(e) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = ?e, "job failed");
                    let retry = (job.attempts < MAX_ATTEMPTS)
                        .then(|| now + Duration::from_secs(2u64.pow(job.attempts.clamp(0, 10) as u32)));
                    state.store.fail_job(job.id, &format!("{e:#}"), retry, now).await
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

/// Runs one job. Safe to call more than once for the same job, even at the same time.
pub async fn handle(state: &AppState, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        jobs::MATCH_PROPOSED => proposed(state, job.payload.parse().context("payload is not a match id")?).await,
        jobs::MATCH_ACTIVATED => activated(state, job.payload.parse().context("payload is not a match id")?).await,
        jobs::AUTO_MATCH => auto_match(state, job.payload.parse().context("payload is not a program id")?).await,
        jobs::MEETING_REMINDER => meeting_reminder(state, &job.payload).await,
        jobs::EVENT_REMINDER => event_reminder(state, &job.payload).await,
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

/// Sends `record` as a `match` frame to each of its two people.
pub async fn publish_match(state: &AppState, record: &MatchRecord) {
    for user in [record.mentee_id, record.mentor_id] {
        let view = Match::view(record, user, false);
        let frame = ServerFrame::Match { r#match: &view }.encode();
        state.gateway.publish(BusEvent::User { user, frame }).await;
    }
}

/// Emails both people of a match (if they want match emails).
async fn email_both(state: &AppState, record: &MatchRecord, subject: &str, body: impl Fn(&str, &str) -> String) {
    let pairs = [
        (record.mentee_id, &record.mentee_email, &record.mentee_name, &record.mentor_name),
        (record.mentor_id, &record.mentor_email, &record.mentor_name, &record.mentee_name),
    ];
    for (user, to, name, other) in pairs {
        notify::email(state, user, to, notify::Kind::MatchProposals, subject, &body(name, other)).await;
    }
}

async fn proposed(state: &AppState, id: Uuid) -> anyhow::Result<()> {
    let record = state.store.get_match(id).await?;
    if record.status != MatchStatus::Proposed {
        return Ok(());
    }
    publish_match(state, &record).await;
    let link = format!("{}/matches", state.public_url);
    let subject = format!("A proposed mentoring match in {}", record.program_name);
    email_both(state, &record, &subject, |name, other| {
        format!(
            "Hello {name},\n\nKindred proposes a mentoring match between you and {other} in {}.\n\
             See why, and accept or decline: {link}\n",
            record.program_name
        )
    })
    .await;
    Ok(())
}

/// Opens the pair's channel, posts the welcome, and tells both people.
async fn activated(state: &AppState, id: Uuid) -> anyhow::Result<()> {
    let record = state.store.get_match(id).await?;
    if record.status != MatchStatus::Active {
        return Ok(());
    }
    let now = state.clock.now();
    let name = format!("{} & {}", record.mentee_name, record.mentor_name);
    let (channel, _created) =
        state.store.open_pair_channel(record.program_id, record.mentee_id, record.mentor_id, &name, now).await?;
    state.store.set_match_channel(id, channel.id).await?;
    // Announced on every run: a run that died after opening the channel has not announced it, and
    // a repeated `channel_added` is harmless to clients.
    announce_channel(state, &channel).await.map_err(|e| anyhow::anyhow!("announcing the channel: {e}"))?;

    let data = engine::load(state.store.as_ref(), record.program_id).await?;
    let (reasons, starters) = engine::welcome(&data, record.mentee_id, record.mentor_id);
    let body = welcome_text(&record, &reasons, &starters);
    let appended = state
        .store
        .append_message(
            Append { channel_id: channel.id, sender_id: SYSTEM_USER, client_id: format!("welcome:{id}"), body },
            now,
        )
        .await?;
    let frame = ServerFrame::Event { event: &appended.event, message: None }.encode();
    state.gateway.publish(BusEvent::Channel { channel: channel.id, frame, except_user: None }).await;

    let record = state.store.get_match(id).await?;
    publish_match(state, &record).await;
    if appended.created {
        let link = format!("{}/messages/{}", state.public_url, channel.id);
        let subject = format!("Your mentoring match in {} is confirmed", record.program_name);
        email_both(state, &record, &subject, |name, other| {
            format!("Hello {name},\n\nYou and {other} both accepted: your match is active. Say hello: {link}\n")
        })
        .await;
    }
    Ok(())
}

fn welcome_text(record: &MatchRecord, reasons: &[String], starters: &[String]) -> String {
    let mut text = format!(
        "Welcome, {} and {}! You are now matched as mentee and mentor in {}.",
        record.mentee_name, record.mentor_name, record.program_name
    );
    if !reasons.is_empty() {
        text.push_str("\n\nWhy Kindred suggested you to each other:");
        for r in reasons {
            text.push_str("\n• ");
            text.push_str(r);
        }
    }
    if !starters.is_empty() {
        text.push_str("\n\nSome ways to start:");
        for s in starters {
            text.push_str("\n• ");
            text.push_str(s);
        }
    }
    text
}

/// Matches a program automatically: an incremental round, published at once.
async fn auto_match(state: &AppState, program_id: Uuid) -> anyhow::Result<()> {
    let data = engine::load(state.store.as_ref(), program_id).await?;
    if !data.auto_match {
        return Ok(());
    }
    let weights = data.weights;
    let (body, data) = tokio::task::spawn_blocking(move || (engine::plan(&data, &weights), data)).await?;
    if body.proposals.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let round = state.store.create_round(program_id, &serde_json::to_string(&body)?, None, now).await?;
    approve(state, &data, round.id, body, None).await?;
    Ok(())
}

/// Approves a stored round's proposals (all, or those of `only` mentees), all or nothing.
pub async fn approve(
    state: &AppState,
    data: &engine::ProgramData,
    round_id: Uuid,
    mut body: RoundBody,
    only: Option<&[Uuid]>,
) -> Result<Vec<MatchRecord>, crate::store::StoreError> {
    let mut news = Vec::new();
    for proposal in &mut body.proposals {
        if only.is_some_and(|ids| !ids.contains(&proposal.mentee_id)) {
            continue;
        }
        proposal.approved = true;
        let capacity = data.capacity_of(proposal.mentor_id);
        let explanation = super::views::Explanations {
            neutral: super::views::Explanation { reasons: proposal.reasons.clone(), unmet: proposal.unmet.clone() },
            mentee: proposal.for_mentee.clone(),
            mentor: proposal.for_mentor.clone(),
        };
        news.push(NewMatch {
            program_id: data.program_id,
            mentee_id: proposal.mentee_id,
            mentor_id: proposal.mentor_id,
            round_id: Some(round_id),
            score: proposal.score,
            explanation: serde_json::to_string(&explanation).unwrap_or_default(),
            mentor_capacity: capacity,
        });
    }
    let now = state.clock.now();
    let body =
        serde_json::to_string(&body).map_err(|e| crate::store::StoreError::Backend(sqlx::Error::Decode(e.into())))?;
    let records = state.store.approve_round(data.program_id, round_id, news, &body, now).await?;
    state.work.notify_one();
    Ok(records)
}

/// Reminds both people of an accepted meeting, unless it moved or was cancelled since.
async fn meeting_reminder(state: &AppState, payload: &str) -> anyhow::Result<()> {
    let (id, starts) = payload.split_once(' ').context("payload is `<meeting id> <starts_at>`")?;
    let meeting = state.store.get_meeting(id.parse()?).await?;
    if meeting.status != crate::store::MeetingStatus::Accepted
        || crate::store::to_millis(meeting.starts_at) != starts.parse::<i64>()?
    {
        return Ok(());
    }
    crate::api::meetings::publish_meeting(state, &meeting, true).await;
    let when = meeting.starts_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    for (user, other) in [(&meeting.organizer, &meeting.invitee), (&meeting.invitee, &meeting.organizer)] {
        if let Ok(account) = state.store.get_user(user.user_id).await {
            let body = format!(
                "Hello {},\n\nYour meeting \"{}\" with {} starts at {when} (UTC).\nJoin from your chat: {}/messages\n",
                user.name, meeting.title, other.name, state.public_url
            );
            let subject = format!("Reminder: {}", meeting.title);
            notify::email(state, account.id, &account.email, notify::Kind::MeetingReminders, &subject, &body).await;
        }
    }
    Ok(())
}

/// Reminds everyone going to a group event (and its speakers and host), unless it was cancelled.
async fn event_reminder(state: &AppState, payload: &str) -> anyhow::Result<()> {
    let (id, starts) = payload.split_once(' ').context("payload is `<event id> <starts_at>`")?;
    let event = state.store.get_event(id.parse()?).await?;
    if event.status != "scheduled" || event.starts_at != starts.parse::<i64>()? {
        return Ok(());
    }
    let people = crate::api::events::publish(state, &event, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let when = crate::store::from_millis(event.starts_at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    for user in people {
        if let Ok(account) = state.store.get_user(user).await {
            let body = format!(
                "Hello {},\n\n\"{}\", hosted by {}, starts at {when} (UTC).\nJoin from Kindred: {}/events/{}\n",
                account.name, event.title, event.host_name, state.public_url, event.id
            );
            let subject = format!("Reminder: {}", event.title);
            notify::email(state, account.id, &account.email, notify::Kind::MeetingReminders, &subject, &body).await;
        }
    }
    Ok(())
}

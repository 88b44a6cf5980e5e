//! The periodic part of program data, run by every worker (`risk_check_secs` apart): surveys after
//! meetings and at their dates, survey reminders, pairs at risk, and digests of unread messages.
//! Every step is idempotent through the store (an invitation once per person and occasion, an
//! alert once while open, a reminder claimed once, a digest up to a watermark), so any number of
//! workers may run it at once.

use std::collections::{HashMap, HashSet};

use time::Date;
use uuid::Uuid;

use super::{announce_invitation, notify, raise};
use crate::domain::Core;
use crate::store::{MatchStatus, PageRequest, RiskRule, RiskSettingsRow, SurveyRecord, from_millis, to_millis};
use crate::vocab::EmailKind;
use crate::vocab::{SurveyAudience, Trigger};

/// Meetings this recent are looked at for surveys (a worker down longer misses older ones).
const MEETINGS_LOOKBACK: time::Duration = time::Duration::days(3);
/// An unanswered invitation is reminded once, this long after it went out.
pub const SURVEY_REMINDER_AFTER: time::Duration = time::Duration::days(2);
/// Unread messages wait this long before a digest goes to someone offline.
pub const DIGEST_AFTER: time::Duration = time::Duration::minutes(30);

pub const DEFAULT_RISK: RiskSettingsRow =
    RiskSettingsRow { enabled: true, no_contact_days: 14, rating_drop: 1.5, fit_check: true };

/// Runs every step; a failing step is logged and the others still run. How long each step and
/// the whole sweep took goes to `/metrics` (`kindred_sweep_seconds`).
pub async fn run(state: &Core) {
    let started = std::time::Instant::now();
    steps(state).await;
    metrics::histogram!("kindred_sweep_seconds").record(started.elapsed().as_secs_f64());
    state.sweeps.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

async fn timed<F: std::future::Future<Output = anyhow::Result<()>>>(step: &'static str, work: F) {
    let started = std::time::Instant::now();
    if let Err(e) = work.await {
        tracing::warn!(error = ?e, step, "sweep step failed");
    }
    metrics::histogram!("kindred_sweep_step_seconds", "step" => step).record(started.elapsed().as_secs_f64());
}

async fn steps(state: &Core) {
    timed("surveys_after_meetings", surveys_after_meetings(state)).await;
    timed("timed_surveys", timed_surveys(state)).await;
    timed("survey_reminders", survey_reminders(state)).await;
    timed("risk_checks", risk_checks(state)).await;
    timed("digests", digests(state)).await;
    timed("statistics", statistics(state)).await;
}

/// How often the sweep refreshes the database's planner statistics.
const STATISTICS_EVERY: time::Duration = time::Duration::hours(1);

/// Planner statistics refreshed hourly (SQLite's `PRAGMA optimize`), by whichever worker gets
/// there first.
async fn statistics(state: &Core) -> anyhow::Result<()> {
    let now = to_millis(state.clock.now());
    let last = state.store.sweep_mark("statistics").await?.unwrap_or(0);
    if now - last < STATISTICS_EVERY.whole_milliseconds() as i64 {
        return Ok(());
    }
    state.store.advance_sweep_mark("statistics", now).await?;
    state.store.optimize().await?;
    Ok(())
}

fn audience_of(survey: &SurveyRecord) -> SurveyAudience {
    SurveyAudience::parse(&survey.audience).unwrap_or(SurveyAudience::Both)
}

/// Fit checks after a pair's first meeting, `each_meeting` surveys after every one.
async fn surveys_after_meetings(state: &Core) -> anyhow::Result<()> {
    let now = state.clock.now();
    let meetings = state.store.meetings_since(to_millis(now - MEETINGS_LOOKBACK)).await?;
    // Each program's surveys, read once per run however many of its pairs met.
    let mut by_program: HashMap<Uuid, Vec<SurveyRecord>> = HashMap::new();
    for (call, program_id, caller, callee, ended_at) in meetings {
        let surveys = match by_program.entry(program_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(state.store.list_surveys(program_id, PageRequest::ALL).await?.items)
            }
        };
        let relevant: Vec<&SurveyRecord> = surveys
            .iter()
            .filter(|s| matches!(Trigger::parse(&s.trigger), Some(Trigger::FitCheck | Trigger::EachMeeting)))
            .filter(|s| s.created_at <= ended_at)
            .collect();
        if relevant.is_empty() {
            continue;
        }
        let matches = state.store.user_matches(caller).await?;
        let pair = |m: &&crate::store::MatchRecord| {
            m.program_id == program_id && (m.mentee_id == callee || m.mentor_id == callee)
        };
        let Some(record) = matches.iter().filter(pair).find(|m| m.status == crate::store::MatchStatus::Active) else {
            continue;
        };
        let match_id = record.id;
        for survey in relevant {
            let occasion = match Trigger::parse(&survey.trigger) {
                Some(Trigger::FitCheck) => format!("match:{match_id}"),
                _ => format!("call:{call}"),
            };
            let audience = audience_of(survey);
            let people =
                [(record.mentee_id, audience.includes_mentees()), (record.mentor_id, audience.includes_mentors())];
            for (user, included) in people {
                if included
                    && let Some(id) =
                        state.store.invite_to_survey(survey.id, user, &occasion, Some(match_id), now).await?
                {
                    announce_invitation(state, id).await?;
                }
            }
        }
    }
    Ok(())
}

fn day_start(date: &str) -> Option<i64> {
    let d = Date::parse(date, &time::format_description::well_known::Iso8601::DATE).ok()?;
    Some(to_millis(d.midnight().assume_utc()))
}

/// When a timed survey goes out: its date, or the program's midpoint or end.
pub fn due_ms(trigger: Trigger, due_at: Option<i64>, starts_on: Option<&str>, ends_on: Option<&str>) -> Option<i64> {
    match trigger {
        Trigger::Date => due_at,
        Trigger::End => day_start(ends_on?),
        Trigger::Midpoint => {
            let (a, b) = (day_start(starts_on?)?, day_start(ends_on?)?);
            Some(a + (b - a) / 2)
        }
        Trigger::FitCheck | Trigger::EachMeeting => None,
    }
}

/// Date, midpoint and end surveys go to everyone of the audience in an active match.
async fn timed_surveys(state: &Core) -> anyhow::Result<()> {
    let now = state.clock.now();
    for survey in state.store.unsent_timed_surveys().await? {
        let Some(trigger) = Trigger::parse(&survey.trigger) else { continue };
        let program = state.store.get_program(survey.program_id, Uuid::nil()).await?;
        let Some(due) = due_ms(trigger, survey.due_at, program.starts_on.as_deref(), program.ends_on.as_deref()) else {
            continue;
        };
        if due > to_millis(now) {
            continue;
        }
        let audience = audience_of(&survey);
        let pairs = state.store.pairs_page(survey.program_id, PageRequest::ALL, true).await?;
        for pair in pairs.items.iter().filter(|p| p.status == MatchStatus::Active) {
            for (user, included) in
                [(pair.mentee_id, audience.includes_mentees()), (pair.mentor_id, audience.includes_mentors())]
            {
                if included
                    && let Some(id) = state.store.invite_to_survey(survey.id, user, "once", Some(pair.id), now).await?
                {
                    announce_invitation(state, id).await?;
                }
            }
        }
        // Marked after inviting: a worker that dies half-way leaves it for the next run, which
        // finds the invitations made and adds the rest.
        state.store.mark_survey_sent(survey.id, now).await?;
    }
    Ok(())
}

async fn survey_reminders(state: &Core) -> anyhow::Result<()> {
    let now = state.clock.now();
    for inv in state.store.invitations_to_remind(to_millis(now - SURVEY_REMINDER_AFTER)).await? {
        if !state.store.claim_survey_reminder(inv.id, now).await? {
            continue;
        }
        let view = super::SurveyInvitation::from_record(&inv);
        let notice = crate::domain::notify::Notice::Survey { survey: &view, reminder: true };
        state.notify.send(crate::domain::notify::To::User(inv.user_id), notice).await;
        let body = format!(
            "Hello {},\n\nA reminder: \"{}\" from {} still waits for your answers: {}/surveys\n",
            inv.name, inv.title, inv.program_name, state.public_url
        );
        let subject = format!("Reminder: {}", inv.title);
        notify::email(state, inv.user_id, &inv.email, EmailKind::SurveyInvitations, &subject, &body).await;
    }
    Ok(())
}

/// The at-risk step's mark: messages and meetings before it are in each pair's last contact.
const CONTACTS_MARK: &str = "risk-contacts";
/// Each run reads back this far before its mark: a message stored with an earlier time by a
/// transaction that committed after the last run read is still counted (contacts only move
/// forward, so reading one twice changes nothing).
const CONTACTS_OVERLAP_MS: i64 = 60_000;

/// Brings every active pair's last contact up to date from what happened since the last run,
/// then checks each program. Its reads follow the traffic since the last run and the pairs that
/// need an alert raised or closed, not the size of the programs.
async fn risk_checks(state: &Core) -> anyhow::Result<()> {
    let now = to_millis(state.clock.now());
    let since = state.store.sweep_mark(CONTACTS_MARK).await?.map(|mark| mark - CONTACTS_OVERLAP_MS);
    state.store.record_contacts(since).await?;
    state.store.advance_sweep_mark(CONTACTS_MARK, now).await?;
    for program_id in state.store.programs_for_risk_checks().await? {
        check_program(state, program_id).await?;
    }
    Ok(())
}

/// Checks the active pairs of one program against its rules: pairs quiet for longer than the
/// program allows get a `no_contact` alert (once while it is open), and such an alert closes when
/// the pair is in touch again. Two indexed reads of the pairs that need it, and a write only for
/// what changed.
pub async fn check_program(state: &Core, program_id: Uuid) -> anyhow::Result<()> {
    let settings = state.store.risk_settings(program_id).await?.unwrap_or(DEFAULT_RISK);
    if !settings.enabled {
        return Ok(());
    }
    let now = state.clock.now();
    let quiet_since = to_millis(now - time::Duration::days(i64::from(settings.no_contact_days)));
    for pair in state.store.quiet_pairs(program_id, quiet_since).await? {
        let last = from_millis(pair.last_contact_at.unwrap_or(0).max(pair.activated_at));
        let days = (now - last).whole_days();
        let detail = match pair.last_contact_at {
            Some(_) => format!("no message or meeting for {days} days"),
            None => format!("no message or meeting in the {days} days since they were matched"),
        };
        raise(state, program_id, pair.match_id, RiskRule::NoContact, None, &detail).await?;
    }
    for match_id in state.store.back_in_contact(program_id, quiet_since).await? {
        state.store.resolve_rule(match_id, RiskRule::NoContact, now).await?;
    }
    Ok(())
}

/// The digest step's mark: messages created before it have been looked at.
const DIGEST_MARK: &str = "digests";

/// A digest of unread messages for people who are offline, once per batch of messages. Each run
/// looks only at messages that came due since the last run (and at people it left waiting because
/// they were online), so its cost follows the traffic of one interval, not the whole history.
async fn digests(state: &Core) -> anyhow::Result<()> {
    let now = state.clock.now();
    let before = to_millis(now - DIGEST_AFTER);
    let after = state.store.sweep_mark(DIGEST_MARK).await?.unwrap_or(0).min(before);
    let candidates = state.store.digest_candidates(after, before).await?;
    if !candidates.is_empty() {
        let rows = state.store.unread_for_digest(&candidates, before).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
        let online: HashSet<Uuid> = state.bus.presence_of(&ids).await.unwrap_or_default().into_keys().collect();
        // Someone online now is looked at again next time; everyone else is settled, with or
        // without a digest (nothing unread any more, or digests off).
        let waiting: Vec<Uuid> = ids.iter().copied().filter(|id| online.contains(id)).collect();
        let settled: Vec<Uuid> = candidates.iter().copied().filter(|id| !online.contains(id)).collect();
        for row in rows.iter().filter(|r| !online.contains(&r.user_id)) {
            // The watermark first: a digest may be lost in a crash, but never sent twice.
            if !state.store.claim_digest(row.user_id, row.latest_at).await? {
                continue;
            }
            let (messages, conversations) = (row.unread, row.channels);
            let body = format!(
                "Hello {},\n\nYou have {messages} unread message{} in {conversations} conversation{} on Kindred: {}/messages\n",
                row.name,
                if messages == 1 { "" } else { "s" },
                if conversations == 1 { "" } else { "s" },
                state.public_url
            );
            notify::email(
                state,
                row.user_id,
                &row.email,
                EmailKind::MessageDigest,
                "Unread messages on Kindred",
                &body,
            )
            .await;
        }
        state.store.set_digest_waiting(&waiting, &settled).await?;
    }
    state.store.advance_sweep_mark(DIGEST_MARK, before).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_surveys_follow_the_program_dates() {
        let mid = due_ms(Trigger::Midpoint, None, Some("2026-01-01"), Some("2026-01-11")).unwrap();
        assert_eq!(from_millis(mid).date().to_string(), "2026-01-06");
        assert_eq!(
            due_ms(Trigger::End, None, None, Some("2026-06-30")).map(|m| from_millis(m).date().to_string()),
            Some("2026-06-30".into())
        );
        assert_eq!(due_ms(Trigger::Midpoint, None, None, Some("2026-06-30")), None);
        assert_eq!(due_ms(Trigger::Date, Some(5), None, None), Some(5));
    }
}

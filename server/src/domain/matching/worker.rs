//! A match's life after the solver: announcing a proposal to both people, opening the pair's
//! channel with a welcome once both accept, automatic matching, and approving a round. These run
//! as jobs (`domain::jobs`); each is idempotent, because a job may run twice: the pair's channel
//! is keyed by the pair, the welcome message by a client id derived from the match, and a
//! proposal is published once per round approval.

use anyhow::Context;
use uuid::Uuid;

use super::engine;
use super::views::{Match, RoundBody};
use crate::domain::Core;
use crate::domain::notify::{Notice, To};
use crate::domain::program_data::notify;
use crate::store::{MatchRecord, MatchStatus, NewMatch};
use crate::vocab::EmailKind;

/// Sends `record` as a `match` frame to each of its two people.
pub async fn publish_match(state: &Core, record: &MatchRecord) {
    for user in [record.mentee_id, record.mentor_id] {
        let view = Match::view(record, user, false);
        state.notify.send(To::User(user), Notice::Match { r#match: &view }).await;
    }
}

/// Emails both people of a match (if they want match emails).
async fn email_both(state: &Core, record: &MatchRecord, subject: &str, body: impl Fn(&str, &str) -> String) {
    let pairs = [
        (record.mentee_id, &record.mentee_email, &record.mentee_name, &record.mentor_name),
        (record.mentor_id, &record.mentor_email, &record.mentor_name, &record.mentee_name),
    ];
    for (user, to, name, other) in pairs {
        notify::email(state, user, to, EmailKind::MatchProposals, subject, &body(name, other)).await;
    }
}

pub(crate) async fn proposed(state: &Core, id: Uuid) -> anyhow::Result<()> {
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
pub(crate) async fn activated(state: &Core, id: Uuid) -> anyhow::Result<()> {
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
    state.notify.channel_opened(&channel).await.context("announcing the channel")?;

    let data = engine::load(state.store.as_ref(), record.program_id).await?;
    let (reasons, starters) = engine::welcome(&data, record.mentee_id, record.mentor_id);
    let body = welcome_text(&record, &reasons, &starters);
    let appended = state.notify.post_system(channel.id, format!("welcome:{id}"), body, now).await?;

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
pub(crate) async fn auto_match(state: &Core, program_id: Uuid) -> anyhow::Result<()> {
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
    state: &Core,
    data: &engine::ProgramData,
    round_id: Uuid,
    mut body: RoundBody,
    only: Option<&[Uuid]>,
) -> crate::domain::Result<Vec<MatchRecord>> {
    let mut news = Vec::new();
    let never = data.never_pairs();
    for proposal in &mut body.proposals {
        if only.is_some_and(|ids| !ids.contains(&proposal.mentee_id)) {
            continue;
        }
        if never.contains(&(proposal.mentee_id, proposal.mentor_id)) {
            return Err(crate::domain::Error::Conflict(format!(
                "{} and {} can no longer be matched (excluded, declined or ended, or one of them blocked the other, since \
                 this round was made); run a new round",
                proposal.mentee_name, proposal.mentor_name
            )));
        }
        proposal.approved = true;
        let capacity = data.capacity_of(proposal.mentor_id);
        let explanation = super::views::Explanations {
            neutral: super::views::Explanation { reasons: proposal.reasons.clone(), unmet: proposal.unmet.clone() },
            mentee: proposal.for_mentee.clone(),
            mentor: proposal.for_mentor.clone(),
        };
        let id = Uuid::now_v7();
        news.push(NewMatch {
            id,
            program_id: data.program_id,
            mentee_id: proposal.mentee_id,
            mentor_id: proposal.mentor_id,
            round_id: Some(round_id),
            score: proposal.score,
            explanation: serde_json::to_string(&explanation).map_err(crate::domain::Error::internal)?,
            mentor_capacity: capacity,
            announce: crate::domain::jobs::Work::MatchProposed(id).job(state.clock.now()),
        });
    }
    let now = state.clock.now();
    let body = serde_json::to_string(&body).map_err(crate::domain::Error::internal)?;
    let records = state.store.approve_round(data.program_id, round_id, news, &body, now).await?;
    state.work.notify_one();
    Ok(records)
}

/// With auto-matching on, someone who lost a match is placed again by the job runner.
pub async fn rematch_later(state: &Core, program_id: Uuid) -> crate::domain::Result<()> {
    let (_, auto) = engine::settings(state.store.as_ref(), program_id).await?;
    if auto {
        crate::domain::jobs::enqueue(state, crate::domain::jobs::Work::AutoMatch(program_id), state.clock.now())
            .await?;
    }
    Ok(())
}

/// Accepts or declines a proposal of `me`'s. When both have accepted, the match is active and the
/// job that opens its channel runs; a declined one puts the mentee back in line when the program
/// matches automatically.
pub async fn respond(
    state: &Core,
    me: Uuid,
    id: Uuid,
    accept: bool,
    reason: Option<String>,
) -> crate::domain::Result<MatchRecord> {
    let reason = crate::domain::validate::optional("reason", reason, 1000)?;
    let now = state.clock.now();
    let on_active = crate::domain::jobs::Work::MatchActivated(id).job(now);
    let responded = state.store.respond_match(id, me, accept, reason.as_deref(), &on_active, now).await?;
    let record = responded.record;
    publish_match(state, &record).await;
    if responded.activated {
        state.work.notify_one();
    } else if record.status == MatchStatus::Declined {
        rematch_later(state, record.program_id).await?;
    }
    Ok(record)
}

/// Ends a match so both can be matched again (either of its people, or the program's
/// coordinators; anyone else is told it does not exist). The two are not matched again. Returns
/// the match and whether `me` acted as a coordinator.
pub async fn rematch(
    state: &Core,
    me: &crate::store::User,
    id: Uuid,
    reason: Option<String>,
) -> crate::domain::Result<(MatchRecord, bool)> {
    let reason = crate::domain::validate::optional("reason", reason, 1000)?;
    let current = state.store.get_match(id).await?;
    let coordinator = if Match::involves(&current, me.id) {
        false
    } else {
        let access = crate::domain::access::ProgramAccess::of(state, me, current.program_id).await?;
        if !access.may_manage() {
            return Err(crate::domain::Error::NotFound);
        }
        true
    };
    let record = state.store.end_match(id, me.id, reason.as_deref(), state.clock.now()).await?;
    publish_match(state, &record).await;
    rematch_later(state, record.program_id).await?;
    Ok((record, coordinator))
}

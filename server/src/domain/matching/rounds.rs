//! A coordinator's matching: previewing and running rounds, reviewing, approving and discarding
//! them, scoring and placing one pair by hand, and the program's matches; and each person's own
//! matches. Scoring and solving are CPU work and run on a blocking thread. What must be decided
//! once (an approval) is decided by the store; the checks here name who no longer fits.

use std::collections::HashSet;

use uuid::Uuid;

use super::engine::{self, PairError, PairScore, ProgramData};
use super::setup::{check_weights, coordinator};
use super::views::{Match, Round, RoundBody, Weights};
use super::worker;
use crate::domain::jobs::Work;
use crate::domain::{Core, Error, Result};
use crate::store::{MatchStatus, NewMatch, RoundStatus, User};

/// Loads the program and runs `f` (scoring, solving) on a blocking thread.
async fn with_data<T: Send + 'static>(
    core: &Core,
    program_id: Uuid,
    f: impl FnOnce(ProgramData) -> T + Send + 'static,
) -> Result<T> {
    let data = engine::load(core.store.as_ref(), program_id).await?;
    tokio::task::spawn_blocking(move || f(data)).await.map_err(Error::internal)
}

/// What a round with these weights (default: the program's) proposes.
async fn plan(core: &Core, program_id: Uuid, weights: Option<Weights>) -> Result<RoundBody> {
    if let Some(w) = &weights {
        check_weights(w)?;
    }
    with_data(core, program_id, move |data| {
        let weights = weights.unwrap_or(data.weights);
        engine::plan(&data, &weights)
    })
    .await
}

fn round(record: &crate::store::RoundRecord) -> Result<Round> {
    Round::from_record(record).map_err(Error::internal)
}

/// What a round would propose; nothing is stored.
pub async fn preview(core: &Core, me: &User, program_id: Uuid, weights: Option<Weights>) -> Result<Round> {
    coordinator(core, me, program_id).await?;
    let body = plan(core, program_id, weights).await?;
    Ok(Round { id: None, program_id, status: None, created_at: None, body })
}

/// Scores, solves and stores a round for review. Nothing is published yet.
pub async fn run(core: &Core, me: &User, program_id: Uuid, weights: Option<Weights>) -> Result<Round> {
    coordinator(core, me, program_id).await?;
    let body = plan(core, program_id, weights).await?;
    let json = serde_json::to_string(&body).map_err(Error::internal)?;
    round(&core.store.create_round(program_id, &json, Some(me.id), core.clock.now()).await?)
}

/// The program's latest rounds, newest first.
pub async fn list(core: &Core, me: &User, program_id: Uuid) -> Result<Vec<Round>> {
    coordinator(core, me, program_id).await?;
    core.store.list_rounds(program_id, 50).await?.iter().map(round).collect()
}

pub async fn get(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<Round> {
    coordinator(core, me, program_id).await?;
    round(&core.store.get_round(program_id, id).await?)
}

/// Approves a round's proposals, all or those of `only` these mentees: both people of each are
/// asked to accept. All or nothing: if one pair no longer fits, none is created.
pub async fn approve(core: &Core, me: &User, program_id: Uuid, id: Uuid, only: Option<Vec<Uuid>>) -> Result<Round> {
    coordinator(core, me, program_id).await?;
    let record = core.store.get_round(program_id, id).await?;
    let current = round(&record)?;
    if record.status != RoundStatus::Preview {
        return Err(Error::Conflict("this round has already been decided".into()));
    }
    let proposed: HashSet<Uuid> = current.body.proposals.iter().map(|p| p.mentee_id).collect();
    if let Some(ids) = &only {
        if ids.is_empty() {
            return Err(Error::field("mentee_ids", "choose at least one proposal, or discard the round"));
        }
        if let Some(stray) = ids.iter().find(|id| !proposed.contains(id)) {
            return Err(Error::field("mentee_ids", format!("{stray} has no proposal in this round")));
        }
    }
    let data = engine::load(core.store.as_ref(), program_id).await?;
    // Say who no longer fits, by name; the store makes the same checks atomically.
    let constraints = data.constraints();
    for p in current.body.proposals.iter().filter(|p| only.as_ref().is_none_or(|ids| ids.contains(&p.mentee_id))) {
        if let Some(problem) = constraints.problem(p.mentee_id, p.mentor_id) {
            return Err(Error::Conflict(format!(
                "{} with {} no longer fits: {problem}; nothing was approved",
                p.mentee_name, p.mentor_name
            )));
        }
    }
    worker::approve(core, &data, id, current.body, only.as_deref()).await?;
    round(&core.store.get_round(program_id, id).await?)
}

pub async fn discard(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<Round> {
    coordinator(core, me, program_id).await?;
    round(&core.store.discard_round(program_id, id, core.clock.now()).await?)
}

/// Scores one pair with the program's weights; `fields` name the mentee's and the mentor's
/// input for the error when either is not what it should be.
async fn score_pair(core: &Core, program_id: Uuid, mentee: Uuid, mentor: Uuid, fields: [&str; 2]) -> Result<PairScore> {
    let scored =
        with_data(core, program_id, move |data| engine::score_pair(&data, &data.weights, mentee, mentor)).await?;
    scored.map_err(|e| match e {
        PairError::NotMentee => Error::field(fields[0], "is not a mentee of this program"),
        PairError::NotMentor => Error::field(fields[1], "is not a mentor of this program"),
    })
}

/// A pair's score and explanation, and whether it can be placed now.
pub async fn score(core: &Core, me: &User, program_id: Uuid, mentee: Uuid, mentor: Uuid) -> Result<PairScore> {
    coordinator(core, me, program_id).await?;
    score_pair(core, program_id, mentee, mentor, ["mentee", "mentor"]).await
}

/// Proposes a pair by hand; capacity, pauses and exclusions still apply.
pub async fn place(core: &Core, me: &User, program_id: Uuid, mentee: Uuid, mentor: Uuid) -> Result<Match> {
    coordinator(core, me, program_id).await?;
    let scored = score_pair(core, program_id, mentee, mentor, ["mentee_id", "mentor_id"]).await?;
    if let Some(problem) = scored.problem {
        return Err(Error::Conflict(problem));
    }
    let id = Uuid::now_v7();
    let now = core.clock.now();
    let new = NewMatch {
        id,
        program_id,
        mentee_id: mentee,
        mentor_id: mentor,
        round_id: None,
        score: scored.score,
        explanation: serde_json::to_string(&scored.explanations).map_err(Error::internal)?,
        mentor_capacity: scored.mentor_capacity,
        announce: Work::MatchProposed(id).job(now),
    };
    let record = core.store.create_match(new, now).await?;
    core.work.notify_one();
    Ok(Match::view(&record, me.id, true))
}

/// The program's matches, of one status or all, as coordinators see them.
pub async fn program_matches(
    core: &Core,
    me: &User,
    program_id: Uuid,
    status: Option<MatchStatus>,
) -> Result<Vec<Match>> {
    coordinator(core, me, program_id).await?;
    let records = core.store.program_matches(program_id, status).await?;
    Ok(records.iter().map(|r| Match::view(r, me.id, true)).collect())
}

/// My matches and proposals in every program, newest first.
pub async fn mine(core: &Core, me: &User) -> Result<Vec<Match>> {
    let records = core.store.user_matches(me.id).await?;
    Ok(records.iter().map(|r| Match::view(r, me.id, false)).collect())
}

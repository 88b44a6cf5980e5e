//! What matching shows over HTTP and the WebSocket: weights, rounds, proposals and matches, each
//! shaped for its viewer (a decline's reason only for coordinators and the person who gave it).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::{MatchRecord, MatchStatus, PersonRef, Response, RoundRecord, RoundStatus};
use crate::vocab::RoundMode;

/// How much each part of the score counts, each from 0 to 10 (not all zero).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub interests: f64,
    pub goals: f64,
    pub preferences: f64,
    pub career_stage: f64,
    pub time_zone: f64,
    pub institution: f64,
    pub custom: f64,
}

impl Default for Weights {
    fn default() -> Self {
        kindred_matching::Weights::default().into()
    }
}

impl From<kindred_matching::Weights> for Weights {
    fn from(w: kindred_matching::Weights) -> Self {
        Weights {
            interests: w.interests,
            goals: w.goals,
            preferences: w.preferences,
            career_stage: w.career_stage,
            time_zone: w.time_zone,
            institution: w.institution,
            custom: w.custom,
        }
    }
}

impl From<Weights> for kindred_matching::Weights {
    fn from(w: Weights) -> Self {
        kindred_matching::Weights {
            interests: w.interests,
            goals: w.goals,
            preferences: w.preferences,
            career_stage: w.career_stage,
            time_zone: w.time_zone,
            institution: w.institution,
            custom: w.custom,
        }
    }
}

/// The parts of a pair's score, each from 0 to 1.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Parts {
    pub interests: f32,
    pub goals: f32,
    pub preferences: f32,
    pub career_stage: f32,
    pub time_zone: f32,
    pub institution: f32,
    pub custom: f32,
}

impl From<kindred_matching::Parts> for Parts {
    fn from(p: kindred_matching::Parts) -> Self {
        let r = |x: f32| (x * 1000.0).round() / 1000.0;
        Parts {
            interests: r(p.interests),
            goals: r(p.goals),
            preferences: r(p.preferences),
            career_stage: r(p.career_stage),
            time_zone: r(p.time_zone),
            institution: r(p.institution),
            custom: r(p.custom),
        }
    }
}

/// A proposed pair in a round.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Proposal {
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    /// From 0 to 100.
    pub score: f64,
    pub parts: Parts,
    /// The strongest reasons, in plain words.
    pub reasons: Vec<String>,
    /// Preferences of the mentee this pair does not meet.
    pub unmet: Vec<String>,
    /// The explanation as each of the two will read it once the proposal is published.
    pub for_mentee: Explanation,
    pub for_mentor: Explanation,
    /// Whether this proposal was approved (published to the two people).
    #[serde(default)]
    pub approved: bool,
}

/// A mentee the round could not place, and why.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Waiting {
    pub user_id: Uuid,
    pub name: String,
    pub reason: String,
}

/// A mentor's load as the round sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MentorLoad {
    pub user_id: Uuid,
    pub name: String,
    /// How many mentees they said they can take.
    pub capacity: u32,
    /// Proposed or active matches before this round.
    pub open: u32,
    /// Proposals for them in this round.
    pub proposed: u32,
    pub accepting: bool,
}

/// A round's result: stored as one document, shown as is.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoundBody {
    pub mode: RoundMode,
    pub weights: Weights,
    /// Sum of the proposals' scores.
    pub total_score: f64,
    pub mentees_considered: usize,
    pub mentors_considered: usize,
    pub proposals: Vec<Proposal>,
    pub unmatched: Vec<Waiting>,
    pub mentor_load: Vec<MentorLoad>,
}

/// A round: a stored one has an id and a status; a preview of other weights has neither.
#[derive(Clone, Debug)]
pub struct Round {
    pub id: Option<Uuid>,
    pub program_id: Uuid,
    pub status: Option<RoundStatus>,
    pub created_at: Option<OffsetDateTime>,
    pub body: RoundBody,
}

impl Round {
    pub fn from_record(record: &RoundRecord) -> Result<Self, serde_json::Error> {
        Ok(Round {
            id: Some(record.id),
            program_id: record.program_id,
            status: Some(record.status),
            created_at: Some(record.created_at),
            body: serde_json::from_str(&record.body)?,
        })
    }
}

/// What is said about a pair, written to one reader.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Explanation {
    pub reasons: Vec<String>,
    pub unmet: Vec<String>,
}

/// What is stored with each match: the explanation for coordinators (about "the mentee" and "the
/// mentor") and as each of the two reads it (the mentor is not shown the mentee's unmet wishes).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Explanations {
    pub neutral: Explanation,
    pub mentee: Explanation,
    pub mentor: Explanation,
}

/// A match as one of its people, or a coordinator, sees it.
#[derive(Clone, Debug)]
pub struct Match {
    pub id: Uuid,
    pub program_id: Uuid,
    pub program_name: String,
    pub status: MatchStatus,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    pub score: f64,
    pub reasons: Vec<String>,
    pub unmet: Vec<String>,
    pub mentee_response: Response,
    pub mentor_response: Response,
    /// Why it was declined or ended: for coordinators and the person who said it.
    pub reason: Option<String>,
    /// The pair's channel, once the match is active and the channel is open.
    pub channel_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
}

impl Match {
    pub fn view(r: &MatchRecord, viewer: Uuid, coordinator: bool) -> Self {
        let stored: Explanations = serde_json::from_str(&r.explanation).unwrap_or_default();
        let explanation = if coordinator && !Match::involves(r, viewer) {
            stored.neutral
        } else if viewer == r.mentor_id {
            stored.mentor
        } else {
            stored.mentee
        };
        Match {
            id: r.id,
            program_id: r.program_id,
            program_name: r.program_name.clone(),
            status: r.status,
            mentee: PersonRef { user_id: r.mentee_id, name: r.mentee_name.clone() },
            mentor: PersonRef { user_id: r.mentor_id, name: r.mentor_name.clone() },
            score: r.score,
            reasons: explanation.reasons,
            unmet: explanation.unmet,
            mentee_response: r.mentee_response,
            mentor_response: r.mentor_response,
            reason: r.reason.clone().filter(|_| coordinator || r.reason_by == Some(viewer)),
            channel_id: r.channel_id,
            created_at: r.created_at,
            activated_at: r.activated_at,
            ended_at: r.ended_at,
        }
    }

    /// Whether `user` is one of the two people.
    pub fn involves(r: &MatchRecord, user: Uuid) -> bool {
        r.mentee_id == user || r.mentor_id == user
    }
}

/// Rounds scores to one decimal for display and storage.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decline_reasons_are_private() {
        let someone = Uuid::now_v7();
        let record = MatchRecord {
            id: Uuid::now_v7(),
            program_id: Uuid::now_v7(),
            program_name: "P".into(),
            mentee_id: Uuid::now_v7(),
            mentee_name: "A".into(),
            mentee_email: "a@example.org".into(),
            mentor_id: someone,
            mentor_name: "B".into(),
            mentor_email: "b@example.org".into(),
            round_id: None,
            status: MatchStatus::Declined,
            score: 50.0,
            explanation: r#"{"neutral":{"reasons":["n"],"unmet":["u"]},"mentee":{"reasons":["e"],"unmet":["u"]},"mentor":{"reasons":["r"],"unmet":[]}}"#.into(),
            mentee_response: Response::Pending,
            mentor_response: Response::Declined,
            reason: Some("schedule".into()),
            reason_by: Some(someone),
            channel_id: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            activated_at: None,
            ended_at: None,
        };
        assert_eq!(Match::view(&record, someone, false).reason.as_deref(), Some("schedule"));
        assert_eq!(Match::view(&record, record.mentee_id, false).reason, None);
        assert_eq!(Match::view(&record, Uuid::now_v7(), true).reason.as_deref(), Some("schedule"));
        assert_eq!(Match::view(&record, someone, false).reasons, ["r"]);
        assert_eq!(Match::view(&record, record.mentee_id, false).reasons, ["e"]);
        assert_eq!(Match::view(&record, Uuid::now_v7(), true).reasons, ["n"]);
    }
}

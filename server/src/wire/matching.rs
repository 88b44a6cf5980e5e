//! What matching shows over HTTP and the WebSocket, built from the domain's views
//! (`domain::matching`): weights, rounds and their proposals, matches as each viewer sees them, a
//! pair scored by hand, and the questionnaire's answers (which also come in).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::matching::{answers, engine, views};
use crate::vocab::{CareerStage, MatchStatus, PersonRef, Response, RoundMode, RoundStatus, Visibility};

/// How much each part of the score counts, each from 0 to 10 (not all zero).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
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

impl From<views::Weights> for Weights {
    fn from(v: views::Weights) -> Self {
        Weights {
            interests: v.interests,
            goals: v.goals,
            preferences: v.preferences,
            career_stage: v.career_stage,
            time_zone: v.time_zone,
            institution: v.institution,
            custom: v.custom,
        }
    }
}

impl From<Weights> for views::Weights {
    fn from(v: Weights) -> Self {
        views::Weights {
            interests: v.interests,
            goals: v.goals,
            preferences: v.preferences,
            career_stage: v.career_stage,
            time_zone: v.time_zone,
            institution: v.institution,
            custom: v.custom,
        }
    }
}

/// The parts of a pair's score, each from 0 to 1.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct Parts {
    pub interests: f32,
    pub goals: f32,
    pub preferences: f32,
    pub career_stage: f32,
    pub time_zone: f32,
    pub institution: f32,
    pub custom: f32,
}

impl From<views::Parts> for Parts {
    fn from(v: views::Parts) -> Self {
        Parts {
            interests: v.interests,
            goals: v.goals,
            preferences: v.preferences,
            career_stage: v.career_stage,
            time_zone: v.time_zone,
            institution: v.institution,
            custom: v.custom,
        }
    }
}

/// A proposed pair in a round.
#[derive(Clone, Debug, Serialize, ToSchema)]
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
    #[schema(required = true)]
    pub approved: bool,
}

impl From<views::Proposal> for Proposal {
    fn from(v: views::Proposal) -> Self {
        Proposal {
            mentee_id: v.mentee_id,
            mentee_name: v.mentee_name,
            mentor_id: v.mentor_id,
            mentor_name: v.mentor_name,
            score: v.score,
            parts: v.parts.into(),
            reasons: v.reasons,
            unmet: v.unmet,
            for_mentee: v.for_mentee.into(),
            for_mentor: v.for_mentor.into(),
            approved: v.approved,
        }
    }
}

/// A mentee the round could not place, and why.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Waiting {
    pub user_id: Uuid,
    pub name: String,
    pub reason: String,
}

impl From<views::Waiting> for Waiting {
    fn from(v: views::Waiting) -> Self {
        Waiting { user_id: v.user_id, name: v.name, reason: v.reason }
    }
}

/// A mentor's load as the round sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
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

impl From<views::MentorLoad> for MentorLoad {
    fn from(v: views::MentorLoad) -> Self {
        MentorLoad {
            user_id: v.user_id,
            name: v.name,
            capacity: v.capacity,
            open: v.open,
            proposed: v.proposed,
            accepting: v.accepting,
        }
    }
}

/// A round's result: stored as one document, shown as is.
#[derive(Clone, Debug, Serialize, ToSchema)]
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

impl From<views::RoundBody> for RoundBody {
    fn from(v: views::RoundBody) -> Self {
        RoundBody {
            mode: v.mode,
            weights: v.weights.into(),
            total_score: v.total_score,
            mentees_considered: v.mentees_considered,
            mentors_considered: v.mentors_considered,
            proposals: v.proposals.into_iter().map(Into::into).collect(),
            unmatched: v.unmatched.into_iter().map(Into::into).collect(),
            mentor_load: v.mentor_load.into_iter().map(Into::into).collect(),
        }
    }
}

/// A round: a stored one has an id and a status; a preview of other weights has neither.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Round {
    #[schema(required = true)]
    pub id: Option<Uuid>,
    pub program_id: Uuid,
    #[schema(required = true)]
    pub status: Option<RoundStatus>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub created_at: Option<OffsetDateTime>,
    #[serde(flatten)]
    pub body: RoundBody,
}

impl From<views::Round> for Round {
    fn from(v: views::Round) -> Self {
        Round { id: v.id, program_id: v.program_id, status: v.status, created_at: v.created_at, body: v.body.into() }
    }
}

/// What is said about a pair, written to one reader.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Explanation {
    pub reasons: Vec<String>,
    pub unmet: Vec<String>,
}

impl From<views::Explanation> for Explanation {
    fn from(v: views::Explanation) -> Self {
        Explanation { reasons: v.reasons, unmet: v.unmet }
    }
}

/// A match as one of its people, or a coordinator, sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
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
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The pair's channel, once the match is active and the channel is open.
    #[schema(required = true)]
    pub channel_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub activated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub ended_at: Option<OffsetDateTime>,
}

impl From<views::Match> for Match {
    fn from(v: views::Match) -> Self {
        Match {
            id: v.id,
            program_id: v.program_id,
            program_name: v.program_name,
            status: v.status,
            mentee: v.mentee,
            mentor: v.mentor,
            score: v.score,
            reasons: v.reasons,
            unmet: v.unmet,
            mentee_response: v.mentee_response,
            mentor_response: v.mentor_response,
            reason: v.reason,
            channel_id: v.channel_id,
            created_at: v.created_at,
            activated_at: v.activated_at,
            ended_at: v.ended_at,
        }
    }
}

/// One pair scored for a coordinator placing by hand, with whether it may be placed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PairScore {
    pub score: f64,
    pub parts: Parts,
    pub reasons: Vec<String>,
    pub unmet: Vec<String>,
    /// Whether the pair can be proposed now.
    pub allowed: bool,
    /// Why not, when it cannot.
    #[schema(required = true)]
    pub problem: Option<String>,
}

impl From<engine::PairScore> for PairScore {
    fn from(v: engine::PairScore) -> Self {
        PairScore {
            score: v.score,
            parts: v.parts.into(),
            reasons: v.reasons,
            unmet: v.unmet,
            allowed: v.allowed,
            problem: v.problem,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Background {
    #[serde(default)]
    #[schema(required = true)]
    pub values: Vec<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub visibility: Visibility,
}

impl From<answers::Background> for Background {
    fn from(v: answers::Background) -> Self {
        Background { values: v.values, visibility: v.visibility }
    }
}

impl From<Background> for answers::Background {
    fn from(v: Background) -> Self {
        answers::Background { values: v.values, visibility: v.visibility }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gender {
    #[serde(default)]
    #[schema(required = true)]
    pub value: String,
    #[serde(default)]
    #[schema(required = true)]
    pub visibility: Visibility,
}

impl From<answers::Gender> for Gender {
    fn from(v: answers::Gender) -> Self {
        Gender { value: v.value, visibility: v.visibility }
    }
}

impl From<Gender> for answers::Gender {
    fn from(v: Gender) -> Self {
        answers::Gender { value: v.value, visibility: v.visibility }
    }
}

/// Everything a person answers. Every field is optional in a draft; see [`check`] for what a
/// completed questionnaire needs.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub career_stage: Option<CareerStage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub institution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub region: Option<String>,
    /// IANA name, e.g. `America/Chicago`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Ids from the program's interest taxonomy.
    #[serde(default)]
    pub interests: Vec<Uuid>,
    /// Free interest tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Mentees: what they hope to get from mentoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub goals: Option<String>,
    /// Mentors: their path and experience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub experience: Option<String>,
    /// Mentors: what they can help with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub expertise: Option<String>,
    /// Mentors: how many mentees at once (0 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub capacity: Option<u32>,
    /// Mentors: hours a month they can give (0 to 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub hours_per_month: Option<u32>,
    /// Mentors: accepting new mentees (false: paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub accepting: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub background: Option<Background>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub prefer_shared_background: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub prefer_other_institution: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub preferred_language: Option<String>,
    /// Answers to the program's own questions, by question id.
    #[serde(default)]
    pub custom: BTreeMap<Uuid, String>,
}

impl From<answers::Answers> for Answers {
    fn from(v: answers::Answers) -> Self {
        Answers {
            career_stage: v.career_stage,
            institution: v.institution,
            region: v.region,
            time_zone: v.time_zone,
            languages: v.languages,
            interests: v.interests,
            tags: v.tags,
            goals: v.goals,
            experience: v.experience,
            expertise: v.expertise,
            capacity: v.capacity,
            hours_per_month: v.hours_per_month,
            accepting: v.accepting,
            background: v.background.map(Into::into),
            gender: v.gender.map(Into::into),
            prefer_shared_background: v.prefer_shared_background,
            prefer_other_institution: v.prefer_other_institution,
            preferred_language: v.preferred_language,
            custom: v.custom,
        }
    }
}

impl From<Answers> for answers::Answers {
    fn from(v: Answers) -> Self {
        answers::Answers {
            career_stage: v.career_stage,
            institution: v.institution,
            region: v.region,
            time_zone: v.time_zone,
            languages: v.languages,
            interests: v.interests,
            tags: v.tags,
            goals: v.goals,
            experience: v.experience,
            expertise: v.expertise,
            capacity: v.capacity,
            hours_per_month: v.hours_per_month,
            accepting: v.accepting,
            background: v.background.map(Into::into),
            gender: v.gender.map(Into::into),
            prefer_shared_background: v.prefer_shared_background,
            prefer_other_institution: v.prefer_other_institution,
            preferred_language: v.preferred_language,
            custom: v.custom,
        }
    }
}

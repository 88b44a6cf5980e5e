//! The matching part of the store: the interest taxonomy, custom questions, questionnaires,
//! settings, the do-not-match list, rounds, matches and the worker's job queue. The rules that
//! must hold under concurrency (one open match per mentee, a mentor's capacity, a round decided
//! once, a job run by one worker at a time) are enforced here, in transactions, not by callers.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::vocab::{Audience, MatchStatus, QuestionKind, Response, RoundStatus};

use super::{Role, StoreResult};

/// The account that posts system messages (a new pair's welcome); created by a migration.
pub const SYSTEM_USER: Uuid = Uuid::nil();

/// One entry of a program's interest taxonomy.
#[derive(Clone, Debug)]
pub struct Interest {
    pub id: Uuid,
    pub label: String,
}

/// A question coordinators added to their program's questionnaire.
#[derive(Clone, Debug)]
pub struct Question {
    pub id: Uuid,
    pub prompt: String,
    pub kind: QuestionKind,
    /// The choices of a choice question (empty for text).
    pub options: Vec<String>,
    pub audience: Audience,
    pub required: bool,
    /// Whether the same answer from a mentee and a mentor counts toward their score.
    pub feeds_matching: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct NewQuestion {
    pub program_id: Uuid,
    pub prompt: String,
    pub kind: QuestionKind,
    pub options: Vec<String>,
    pub audience: Audience,
    pub required: bool,
    pub feeds_matching: bool,
}

/// A stored questionnaire: its answers as the JSON document the API validated.
#[derive(Clone, Debug)]
pub struct QuestionnaireRecord {
    pub answers: String,
    pub completed_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

/// A mentee or mentor of a program with their questionnaire, if any (what a round reads).
#[derive(Clone, Debug)]
pub struct Participant {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub answers: Option<String>,
    pub completed: bool,
}

/// A pair the coordinators said must never be matched.
#[derive(Clone, Debug)]
pub struct Exclusion {
    pub id: Uuid,
    pub a: Uuid,
    pub a_name: String,
    pub b: Uuid,
    pub b_name: String,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

/// A stored round: its status and its result as JSON (written once, read whole).
#[derive(Clone, Debug)]
pub struct RoundRecord {
    pub id: Uuid,
    pub program_id: Uuid,
    pub status: RoundStatus,
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// A match as stored, with the names the views need.
#[derive(Clone, Debug)]
pub struct MatchRecord {
    pub id: Uuid,
    pub program_id: Uuid,
    pub program_name: String,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub mentee_email: String,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    pub mentor_email: String,
    pub round_id: Option<Uuid>,
    pub status: MatchStatus,
    pub score: f64,
    /// JSON `{"reasons": [...], "unmet": [...]}`.
    pub explanation: String,
    pub mentee_response: Response,
    pub mentor_response: Response,
    pub reason: Option<String>,
    pub reason_by: Option<Uuid>,
    pub channel_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
}

/// A proposal to store. `mentor_capacity` is checked against the mentor's open matches inside the
/// same transaction.
#[derive(Clone, Debug)]
pub struct NewMatch {
    /// Chosen by the caller, so the job that announces the match can name it.
    pub id: Uuid,
    pub program_id: Uuid,
    pub mentee_id: Uuid,
    pub mentor_id: Uuid,
    pub round_id: Option<Uuid>,
    pub score: f64,
    pub explanation: String,
    pub mentor_capacity: u32,
    /// Queued with the match, in its transaction: telling both people.
    pub announce: super::NewJob,
}

/// What an answer to a proposal did.
#[derive(Clone, Debug)]
pub struct Responded {
    pub record: MatchRecord,
    /// Both have now accepted: the match just became active.
    pub activated: bool,
}

#[async_trait]
pub trait MatchingStore: Send + Sync {
    // --- taxonomy and questions ---
    async fn list_interests(&self, program_id: Uuid) -> StoreResult<Vec<Interest>>;
    async fn create_interest(&self, program_id: Uuid, label: &str, now: OffsetDateTime) -> StoreResult<Interest>;
    async fn delete_interest(&self, program_id: Uuid, id: Uuid) -> StoreResult<()>;
    async fn list_questions(&self, program_id: Uuid) -> StoreResult<Vec<Question>>;
    async fn create_question(&self, question: NewQuestion, now: OffsetDateTime) -> StoreResult<Question>;
    async fn delete_question(&self, program_id: Uuid, id: Uuid) -> StoreResult<()>;

    // --- questionnaires ---
    async fn get_questionnaire(&self, program_id: Uuid, user_id: Uuid) -> StoreResult<Option<QuestionnaireRecord>>;
    /// Saves answers; `complete` marks the questionnaire completed (it stays completed after).
    /// When `enqueue` names a job, it is queued in the same transaction (auto-matching).
    async fn save_questionnaire(
        &self,
        program_id: Uuid,
        user_id: Uuid,
        answers: &str,
        complete: bool,
        enqueue: Option<&super::NewJob>,
        now: OffsetDateTime,
    ) -> StoreResult<QuestionnaireRecord>;
    /// Every mentee and mentor of a program with their questionnaire.
    async fn participants(&self, program_id: Uuid) -> StoreResult<Vec<Participant>>;

    // --- settings and exclusions ---
    /// `(weights JSON, auto_match)`, or `None` when never set.
    async fn matching_settings(&self, program_id: Uuid) -> StoreResult<Option<(String, bool)>>;
    async fn save_matching_settings(
        &self,
        program_id: Uuid,
        weights: &str,
        auto_match: bool,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn list_exclusions(&self, program_id: Uuid) -> StoreResult<Vec<Exclusion>>;
    async fn create_exclusion(
        &self,
        program_id: Uuid,
        a: Uuid,
        b: Uuid,
        reason: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Exclusion>;
    async fn delete_exclusion(&self, program_id: Uuid, id: Uuid) -> StoreResult<()>;

    // --- rounds ---
    async fn create_round(
        &self,
        program_id: Uuid,
        body: &str,
        created_by: Option<Uuid>,
        now: OffsetDateTime,
    ) -> StoreResult<RoundRecord>;
    async fn get_round(&self, program_id: Uuid, id: Uuid) -> StoreResult<RoundRecord>;
    async fn list_rounds(&self, program_id: Uuid, limit: u32) -> StoreResult<Vec<RoundRecord>>;
    /// Decides a preview round once: stores its chosen proposals (each checked as `create_match`
    /// does) and its new body, or nothing at all if any check fails.
    async fn approve_round(
        &self,
        program_id: Uuid,
        id: Uuid,
        matches: Vec<NewMatch>,
        body: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<MatchRecord>>;
    async fn discard_round(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<RoundRecord>;

    // --- matches ---
    /// Proposes a pair: refused (`Conflict`) if the mentee has an open match, the mentor is at
    /// capacity, or the pair is excluded or was declined or ended before. Queues the proposal's
    /// notification.
    async fn create_match(&self, new: NewMatch, now: OffsetDateTime) -> StoreResult<MatchRecord>;
    async fn get_match(&self, id: Uuid) -> StoreResult<MatchRecord>;
    async fn program_matches(&self, program_id: Uuid, status: Option<MatchStatus>) -> StoreResult<Vec<MatchRecord>>;
    async fn user_matches(&self, user_id: Uuid) -> StoreResult<Vec<MatchRecord>>;
    /// One person's answer to a proposal of theirs. `NotFound` if it is not theirs, `Conflict` if
    /// it is not waiting for their answer. The second acceptance activates the match and queues
    /// its activation job in the same transaction.
    async fn respond_match(
        &self,
        id: Uuid,
        user_id: Uuid,
        accept: bool,
        reason: Option<&str>,
        on_active: &super::NewJob,
        now: OffsetDateTime,
    ) -> StoreResult<Responded>;
    /// Ends a proposed or active match (a rematch request); the pair is not proposed again.
    async fn end_match(
        &self,
        id: Uuid,
        by: Uuid,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> StoreResult<MatchRecord>;
    async fn set_match_channel(&self, id: Uuid, channel_id: Uuid) -> StoreResult<()>;
}

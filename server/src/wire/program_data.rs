//! What program data shows over HTTP and the WebSocket, built from the domain's views
//! (`domain::program_data`): surveys and their results, survey invitations, alerts, and the
//! dashboard's engagement figures.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::program_data::{self, engagement, surveys};
use crate::vocab::{MatchStatus, PersonRef, RiskRule, SurveyAudience, SurveyQuestionKind, Trigger};

/// A survey as coordinators see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Survey {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub trigger: Trigger,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub due_at: Option<OffsetDateTime>,
    pub audience: SurveyAudience,
    pub anonymous: bool,
    pub questions: Vec<Question>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When a date, midpoint or end survey went out.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub sent_at: Option<OffsetDateTime>,
    pub responses: i64,
}

impl From<program_data::Survey> for Survey {
    fn from(v: program_data::Survey) -> Self {
        Survey {
            id: v.id,
            program_id: v.program_id,
            title: v.title,
            trigger: v.trigger,
            due_at: v.due_at,
            audience: v.audience,
            anonymous: v.anonymous,
            questions: v.questions.into_iter().map(Into::into).collect(),
            created_at: v.created_at,
            sent_at: v.sent_at,
            responses: v.responses,
        }
    }
}

/// An open survey invitation, as its person sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SurveyInvitation {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub program_id: Uuid,
    pub program_name: String,
    pub title: String,
    /// Answers are not linked to the person.
    pub anonymous: bool,
    pub questions: Vec<Question>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<program_data::SurveyInvitation> for SurveyInvitation {
    fn from(v: program_data::SurveyInvitation) -> Self {
        SurveyInvitation {
            id: v.id,
            survey_id: v.survey_id,
            program_id: v.program_id,
            program_name: v.program_name,
            title: v.title,
            anonymous: v.anonymous,
            questions: v.questions.into_iter().map(Into::into).collect(),
            created_at: v.created_at,
        }
    }
}

/// A pair at risk, as coordinators see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Alert {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    pub rule: RiskRule,
    /// The person of the pair whose request or named answer raised it (null for the program's
    /// own rules): a coordinator's message about this alert goes to them alone.
    #[schema(required = true)]
    pub raised_by: Option<PersonRef>,
    pub detail: String,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub resolved_at: Option<OffsetDateTime>,
    /// `resolved`, `rematched`, `cleared` (the condition went away) or `withdrawn` (it named a
    /// check-in rating, from before ratings became private).
    #[schema(required = true)]
    pub resolution: Option<String>,
}

impl From<program_data::Alert> for Alert {
    fn from(v: program_data::Alert) -> Self {
        Alert {
            id: v.id,
            program_id: v.program_id,
            match_id: v.match_id,
            mentee: v.mentee,
            mentor: v.mentor,
            rule: v.rule,
            raised_by: v.raised_by,
            detail: v.detail,
            raised_at: v.raised_at,
            resolved_at: v.resolved_at,
            resolution: v.resolution,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyQuestion)]
pub struct Question {
    /// Unique within the survey.
    #[serde(default)]
    #[schema(required = true)]
    pub id: String,
    pub kind: SurveyQuestionKind,
    pub prompt: String,
    #[serde(default)]
    #[schema(required = true)]
    pub required: bool,
    /// For `single` and `multiple`: 2 to 20 distinct options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Options whose choice in a named response flags the pair (e.g. "Not a good fit").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_risk_options: Vec<String>,
}

impl From<surveys::Question> for Question {
    fn from(v: surveys::Question) -> Self {
        Question {
            id: v.id,
            kind: v.kind,
            prompt: v.prompt,
            required: v.required,
            options: v.options,
            at_risk_options: v.at_risk_options,
        }
    }
}

/// One question's results.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuestionResult {
    pub id: String,
    pub kind: SurveyQuestionKind,
    pub prompt: String,
    /// Responses that answered this question.
    pub count: usize,
    /// `scale`: the mean, 1–5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    /// `scale`: how many gave 1, 2, 3, 4 and 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<[usize; 5]>,
    /// `single` and `multiple`: each option with how many picked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionCount>>,
    /// `text`: the answers, without who gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<String>>,
}

impl From<surveys::QuestionResult> for QuestionResult {
    fn from(v: surveys::QuestionResult) -> Self {
        QuestionResult {
            id: v.id,
            kind: v.kind,
            prompt: v.prompt,
            count: v.count,
            average: v.average,
            distribution: v.distribution,
            options: v.options.map(crate::wire::all),
            answers: v.answers,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OptionCount {
    pub option: String,
    pub count: usize,
}

impl From<surveys::OptionCount> for OptionCount {
    fn from(v: surveys::OptionCount) -> Self {
        OptionCount { option: v.option, count: v.count }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SurveyResults {
    pub survey_id: Uuid,
    pub title: String,
    pub responses: usize,
    pub questions: Vec<QuestionResult>,
}

impl From<surveys::SurveyResults> for SurveyResults {
    fn from(v: surveys::SurveyResults) -> Self {
        SurveyResults {
            survey_id: v.survey_id,
            title: v.title,
            responses: v.responses,
            questions: v.questions.into_iter().map(Into::into).collect(),
        }
    }
}

/// One pair's engagement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PairEngagement {
    pub match_id: Uuid,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    /// `active` or `ended`.
    pub status: MatchStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub activated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub ended_at: Option<OffsetDateTime>,
    pub messages_from_mentee: i64,
    pub messages_from_mentor: i64,
    /// Calls both people joined.
    pub meetings: i64,
    pub minutes_met: i64,
    /// The latest message or meeting.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_contact_at: Option<OffsetDateTime>,
    /// Minutes from the pair's first message to the other person's first message.
    #[schema(required = true)]
    pub first_reply_minutes: Option<i64>,
    /// Rules of the pair's open alerts.
    pub at_risk: Vec<String>,
}

impl From<engagement::PairEngagement> for PairEngagement {
    fn from(v: engagement::PairEngagement) -> Self {
        PairEngagement {
            match_id: v.match_id,
            mentee: v.mentee,
            mentor: v.mentor,
            status: v.status,
            activated_at: v.activated_at,
            ended_at: v.ended_at,
            messages_from_mentee: v.messages_from_mentee,
            messages_from_mentor: v.messages_from_mentor,
            meetings: v.meetings,
            minutes_met: v.minutes_met,
            last_contact_at: v.last_contact_at,
            first_reply_minutes: v.first_reply_minutes,
            at_risk: v.at_risk,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

impl From<engagement::Count> for Count {
    fn from(v: engagement::Count) -> Self {
        Count { key: v.key, count: v.count }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Participants {
    pub by_role: Vec<Count>,
    pub by_stage: Vec<Count>,
    /// Mentees and mentors: `matched`, `proposed`, `waiting`, `questionnaire_pending`, `paused`.
    pub by_status: Vec<Count>,
}

impl From<engagement::Participants> for Participants {
    fn from(v: engagement::Participants) -> Self {
        Participants {
            by_role: v.by_role.into_iter().map(Into::into).collect(),
            by_stage: v.by_stage.into_iter().map(Into::into).collect(),
            by_status: v.by_status.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatchesWeek {
    /// The Monday, `YYYY-MM-DD`.
    pub week: String,
    pub activated: i64,
    pub ended: i64,
}

impl From<engagement::MatchesWeek> for MatchesWeek {
    fn from(v: engagement::MatchesWeek) -> Self {
        MatchesWeek { week: v.week, activated: v.activated, ended: v.ended }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivePairsWeek {
    pub week: String,
    pub pairs: i64,
}

impl From<engagement::ActivePairsWeek> for ActivePairsWeek {
    fn from(v: engagement::ActivePairsWeek) -> Self {
        ActivePairsWeek { week: v.week, pairs: v.pairs }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeetingsBucket {
    /// `0`, `1`, `2`, `3-5` or `6+` meetings.
    pub bucket: String,
    pub pairs: i64,
}

impl From<engagement::MeetingsBucket> for MeetingsBucket {
    fn from(v: engagement::MeetingsBucket) -> Self {
        MeetingsBucket { bucket: v.bucket, pairs: v.pairs }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AtRisk {
    pub open: i64,
    pub by_rule: Vec<Count>,
}

impl From<engagement::AtRisk> for AtRisk {
    fn from(v: engagement::AtRisk) -> Self {
        AtRisk { open: v.open, by_rule: v.by_rule.into_iter().map(Into::into).collect() }
    }
}

/// What the dashboard shows apart from surveys.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    pub participants: Participants,
    pub matches_over_time: Vec<MatchesWeek>,
    pub weekly_active_pairs: Vec<ActivePairsWeek>,
    pub meetings_per_pair: Vec<MeetingsBucket>,
    pub at_risk: AtRisk,
    /// The program's cohorts, for the filter.
    pub cohorts: Vec<String>,
}

impl From<engagement::Overview> for Overview {
    fn from(v: engagement::Overview) -> Self {
        Overview {
            participants: v.participants.into(),
            matches_over_time: v.matches_over_time.into_iter().map(Into::into).collect(),
            weekly_active_pairs: v.weekly_active_pairs.into_iter().map(Into::into).collect(),
            meetings_per_pair: v.meetings_per_pair.into_iter().map(Into::into).collect(),
            at_risk: v.at_risk.into(),
            cohorts: v.cohorts,
        }
    }
}

//! The program's vocabulary: the roles people hold, the states a match, a meeting, an invitation
//! or an event goes through, the kinds of channel and question, and a person as others see them.
//! Every layer speaks these words, so they live below all of them and import nothing of the
//! server: the store reads and writes each as text of its own (`as_str`, `parse`, `TryFrom`),
//! and the wire names each with serde's `snake_case` and documents it in the OpenAPI document.
//! A column or a stored value that changes is the store's business and never renames a word here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A person as others see them in a listing: their id and display name.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub user_id: Uuid,
    pub name: String,
}

/// A role someone holds in one program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Coordinator,
    Mentor,
    Mentee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Mentor => "mentor",
            Role::Mentee => "mentee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coordinator" => Some(Role::Coordinator),
            "mentor" => Some(Role::Mentor),
            "mentee" => Some(Role::Mentee),
            _ => None,
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Role::parse(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// Where a person is in their career; drives matching's career-stage fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CareerStage {
    Undergraduate,
    MedicalStudent,
    Resident,
    Fellow,
    Attending,
    Faculty,
    Other,
}

impl CareerStage {
    pub const ALL: [CareerStage; 7] = [
        CareerStage::Undergraduate,
        CareerStage::MedicalStudent,
        CareerStage::Resident,
        CareerStage::Fellow,
        CareerStage::Attending,
        CareerStage::Faculty,
        CareerStage::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareerStage::Undergraduate => "undergraduate",
            CareerStage::MedicalStudent => "medical_student",
            CareerStage::Resident => "resident",
            CareerStage::Fellow => "fellow",
            CareerStage::Attending => "attending",
            CareerStage::Faculty => "faculty",
            CareerStage::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<CareerStage> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "expired" => Some(Self::Expired),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// What a channel is for; decides who may post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// The two people of a match.
    Pair,
    /// A program's, a cohort's or an event's conversation: every member posts.
    Group,
    /// Coordinators post, everyone else reads.
    Announcement,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Pair => "pair",
            ChannelKind::Group => "group",
            ChannelKind::Announcement => "announcement",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pair" => Some(Self::Pair),
            "group" => Some(Self::Group),
            "announcement" => Some(Self::Announcement),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Message,
    Edit,
    Delete,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Edit => "edit",
            EventKind::Delete => "delete",
        }
    }
}

/// Whether an event still takes place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Scheduled,
    Cancelled,
}

impl TryFrom<String> for EventStatus {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "scheduled" => Ok(EventStatus::Scheduled),
            "cancelled" => Ok(EventStatus::Cancelled),
            other => Err(format!("unknown event status {other:?}")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Choice,
    Text,
}

/// Who a custom question is asked of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Mentee,
    Mentor,
    Both,
}

impl Audience {
    pub fn includes(self, role: Role) -> bool {
        matches!(
            (self, role),
            (Audience::Both, _) | (Audience::Mentee, Role::Mentee) | (Audience::Mentor, Role::Mentor)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Preview,
    Approved,
    Discarded,
}

impl RoundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Preview => "preview",
            RoundStatus::Approved => "approved",
            RoundStatus::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "approved" => RoundStatus::Approved,
            "discarded" => RoundStatus::Discarded,
            _ => RoundStatus::Preview,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    /// Waiting for both people to accept.
    Proposed,
    Active,
    /// One of the two declined the proposal.
    Declined,
    /// Ended by a rematch request.
    Ended,
}

impl MatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Proposed => "proposed",
            MatchStatus::Active => "active",
            MatchStatus::Declined => "declined",
            MatchStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "proposed" => Some(MatchStatus::Proposed),
            "active" => Some(MatchStatus::Active),
            "declined" => Some(MatchStatus::Declined),
            "ended" => Some(MatchStatus::Ended),
            _ => None,
        }
    }
}

impl TryFrom<String> for MatchStatus {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        MatchStatus::parse(&s).ok_or_else(|| format!("unknown match status {s:?}"))
    }
}

/// One person's answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Pending,
    Accepted,
    Declined,
}

impl Response {
    pub fn as_str(self) -> &'static str {
        match self {
            Response::Pending => "pending",
            Response::Accepted => "accepted",
            Response::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "accepted" => Response::Accepted,
            "declined" => Response::Declined,
            _ => Response::Pending,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Waiting for the other person to accept the proposed time (or propose another).
    Proposed,
    Accepted,
    Declined,
    Cancelled,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Proposed => "proposed",
            MeetingStatus::Accepted => "accepted",
            MeetingStatus::Declined => "declined",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "accepted" => MeetingStatus::Accepted,
            "declined" => MeetingStatus::Declined,
            "cancelled" => MeetingStatus::Cancelled,
            _ => MeetingStatus::Proposed,
        }
    }
}

/// Why a pair was flagged as at risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskRule {
    /// Nobody wrote or met for longer than the program allows.
    NoContact,
    /// Check-in ratings after calls went down. No longer raised (ratings reach coordinators only
    /// as program totals); kept for alerts raised before, whose detail was withdrawn.
    FallingRatings,
    /// One of the two answered a named fit check with "not a good fit".
    NotAGoodFit,
    /// One of the two asked a coordinator to get in touch (after a check-in that went badly, or
    /// at any time from their match).
    SupportRequested,
}

impl RiskRule {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskRule::NoContact => "no_contact",
            RiskRule::FallingRatings => "falling_ratings",
            RiskRule::NotAGoodFit => "not_a_good_fit",
            RiskRule::SupportRequested => "support_requested",
        }
    }
}

impl TryFrom<String> for RiskRule {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        [RiskRule::NoContact, RiskRule::FallingRatings, RiskRule::NotAGoodFit, RiskRule::SupportRequested]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown risk rule {s:?}"))
    }
}

/// Who may see an identity answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Used for matching and shown to no one.
    #[default]
    MatchingOnly,
    /// Also shown to the program's coordinators.
    Coordinators,
    /// Also shown to one's match.
    Match,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundMode {
    /// Nobody in the program was matched yet: the whole cohort at once.
    WholeCohort,
    /// Newcomers into the remaining capacity; open matches are left alone.
    Incremental,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// After a pair's first meeting.
    FitCheck,
    /// After every meeting.
    EachMeeting,
    /// At the midpoint between the program's start and end dates.
    Midpoint,
    /// On the program's end date.
    End,
    /// At `due_at`.
    Date,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::FitCheck => "fit_check",
            Trigger::EachMeeting => "each_meeting",
            Trigger::Midpoint => "midpoint",
            Trigger::End => "end",
            Trigger::Date => "date",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Trigger::FitCheck, Trigger::EachMeeting, Trigger::Midpoint, Trigger::End, Trigger::Date]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyAudience {
    Mentees,
    Mentors,
    Both,
}

impl SurveyAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyAudience::Mentees => "mentees",
            SurveyAudience::Mentors => "mentors",
            SurveyAudience::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [SurveyAudience::Mentees, SurveyAudience::Mentors, SurveyAudience::Both].into_iter().find(|a| a.as_str() == s)
    }

    pub fn includes_mentees(self) -> bool {
        self != SurveyAudience::Mentors
    }

    pub fn includes_mentors(self) -> bool {
        self != SurveyAudience::Mentees
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyQuestionKind {
    /// A rating from 1 to 5.
    Scale,
    Single,
    Multiple,
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExportKind {
    Participants,
    Matches,
    Engagement,
    SurveyResponses,
    EventAttendance,
    ConductAcceptances,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Participants => "participants",
            ExportKind::Matches => "matches",
            ExportKind::Engagement => "engagement",
            ExportKind::SurveyResponses => "survey-responses",
            ExportKind::EventAttendance => "event-attendance",
            ExportKind::ConductAcceptances => "conduct-acceptances",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ExportKind::Participants,
            ExportKind::Matches,
            ExportKind::Engagement,
            ExportKind::SurveyResponses,
            ExportKind::EventAttendance,
            ExportKind::ConductAcceptances,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Kind)]
pub enum EmailKind {
    /// Unread messages while offline.
    MessageDigest,
    MeetingReminders,
    SurveyInvitations,
    MatchProposals,
}

impl EmailKind {
    pub const ALL: [EmailKind; 4] = [
        EmailKind::MessageDigest,
        EmailKind::MeetingReminders,
        EmailKind::SurveyInvitations,
        EmailKind::MatchProposals,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::MessageDigest => "message_digest",
            EmailKind::MeetingReminders => "meeting_reminders",
            EmailKind::SurveyInvitations => "survey_invitations",
            EmailKind::MatchProposals => "match_proposals",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            EmailKind::MessageDigest => "summaries of unread messages",
            EmailKind::MeetingReminders => "meeting reminders",
            EmailKind::SurveyInvitations => "survey invitations",
            EmailKind::MatchProposals => "match proposals",
        }
    }

    pub fn parse(s: &str) -> Option<EmailKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventAudience {
    /// Everyone in the program.
    Program,
    /// The members of one cohort.
    Cohort,
    /// The people listed in `invitees`.
    People,
}

impl EventAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            EventAudience::Program => "program",
            EventAudience::Cohort => "cohort",
            EventAudience::People => "people",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "cohort" => EventAudience::Cohort,
            "people" => EventAudience::People,
            _ => EventAudience::Program,
        }
    }
}

/// A word of the vocabulary stored as text: `as_str` for the store and `TryFrom<String>` for
/// reading it back (an unknown value is an error, never a default).
macro_rules! stored_word {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(s: String) -> Result<Self, String> {
                match s.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(concat!("unknown ", stringify!($name), " {:?}"), s)),
                }
            }
        }
    };
}

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A message in a channel the reporter reads.
    Message,
    /// A person the reporter shares a program with.
    Person,
    /// A meeting of the reporter's.
    Meeting,
    /// Something a person did in a group event the reporter was invited to.
    Event,
}

stored_word!(ReportKind { Message => "message", Person => "person", Meeting => "meeting", Event => "event" });

/// Why someone reports; coordinators see the most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportCategory {
    Harassment,
    Discrimination,
    InappropriateContent,
    SafetyConcern,
    Spam,
    Other,
}

stored_word!(ReportCategory {
    Harassment => "harassment",
    Discrimination => "discrimination",
    InappropriateContent => "inappropriate_content",
    SafetyConcern => "safety_concern",
    Spam => "spam",
    Other => "other",
});

impl ReportCategory {
    /// How urgent a report of this category is (higher first in the moderation queue).
    pub fn severity(self) -> i32 {
        match self {
            ReportCategory::SafetyConcern => 5,
            ReportCategory::Harassment | ReportCategory::Discrimination => 4,
            ReportCategory::InappropriateContent => 3,
            ReportCategory::Other => 2,
            ReportCategory::Spam => 1,
        }
    }
}

/// How coordinators closed a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportOutcome {
    /// Nothing to act on.
    Dismissed,
    /// The reported person was sent a private warning.
    Warned,
    /// The match between the reporter and the reported person was ended.
    MatchEnded,
    /// The reported person was muted in the program's group channels for a time.
    Muted,
    /// The reported person was taken out of the channel of the reported message.
    Removed,
    /// The reported person was suspended from the program.
    Suspended,
}

stored_word!(ReportOutcome {
    Dismissed => "dismissed",
    Warned => "warned",
    MatchEnded => "match_ended",
    Muted => "muted",
    Removed => "removed",
    Suspended => "suspended",
});

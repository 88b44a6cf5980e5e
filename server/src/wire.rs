//! Wire types: the shapes of what goes out over HTTP (and in the OpenAPI document) and over the
//! WebSocket, for the things the store keeps as rows. Each is built from the domain's value at
//! the edge (`From<store::…>`), so a column renamed or a field added to a row changes nothing a
//! client sees until a wire type here says so; `tests/openapi.rs` and the web client's generated
//! types catch any change to these shapes. Views the domain shapes for one reader (a match as
//! each person sees it, a round, an alert) have their wire types in the submodules below, one
//! per capability, built the same way from the domain's values.

pub mod events;
pub mod matching;
pub mod program_data;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store;
use crate::vocab::{
    Audience, CareerStage, ChannelKind, EventKind, InvitationStatus, MeetingStatus, PersonRef, QuestionKind, Role,
};

/// An account. The password hash never leaves the store through this type.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    #[schema(required = true)]
    pub pronouns: Option<String>,
    #[schema(required = true)]
    pub institution: Option<String>,
    #[schema(required = true)]
    pub career_stage: Option<CareerStage>,
    #[schema(required = true)]
    pub time_zone: Option<String>,
    pub is_admin: bool,
    pub can_create_programs: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::User> for User {
    fn from(r: store::User) -> Self {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            pronouns: r.pronouns,
            institution: r.institution,
            career_stage: r.career_stage,
            time_zone: r.time_zone,
            is_admin: r.is_admin,
            can_create_programs: r.can_create_programs,
            created_at: r.created_at,
        }
    }
}

/// A program: one mentoring initiative with its own people, matching and data.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Program {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    #[schema(required = true)]
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(required = true)]
    pub ends_on: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The caller's role in this program, if any.
    #[schema(required = true)]
    pub my_role: Option<Role>,
}

impl From<store::Program> for Program {
    fn from(r: store::Program) -> Self {
        Program {
            id: r.id,
            name: r.name,
            description: r.description,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            created_at: r.created_at,
            my_role: r.my_role,
        }
    }
}

/// One person's membership of a program, with the profile fields coordinators see.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[schema(required = true)]
    pub pronouns: Option<String>,
    #[schema(required = true)]
    pub institution: Option<String>,
    #[schema(required = true)]
    pub career_stage: Option<CareerStage>,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Suspended from the program since then; null when not (docs/safety.md).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub suspended_at: Option<OffsetDateTime>,
    /// Muted in the program's group channels until then; null when not (or when it has passed).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub muted_until: Option<OffsetDateTime>,
}

impl From<store::Member> for Member {
    fn from(r: store::Member) -> Self {
        Member {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            role: r.role,
            pronouns: r.pronouns,
            institution: r.institution,
            career_stage: r.career_stage,
            joined_at: r.joined_at,
            suspended_at: r.suspended_at,
            muted_until: r.muted_until,
        }
    }
}

/// An invitation to join a program in a role, redeemed through a single-use link.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub program_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: InvitationStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub accepted_at: Option<OffsetDateTime>,
    /// The link to send; only present right after creation or a resend (the store keeps a hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl From<store::Invitation> for Invitation {
    fn from(r: store::Invitation) -> Self {
        Invitation {
            id: r.id,
            program_id: r.program_id,
            email: r.email,
            name: r.name,
            role: r.role,
            status: r.status,
            expires_at: r.expires_at,
            created_at: r.created_at,
            accepted_at: r.accepted_at,
            link: r.link,
        }
    }
}

/// An email as it was sent (or would have been, without SMTP).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Mail {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Mail> for Mail {
    fn from(r: store::Mail) -> Self {
        Mail { id: r.id, to: r.to, subject: r.subject, body: r.body, created_at: r.created_at }
    }
}

/// A channel as its members see it in their list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    pub id: Uuid,
    pub program_id: Uuid,
    pub kind: ChannelKind,
    pub name: String,
    /// Every program member belongs (new members join automatically).
    pub program_wide: bool,
    /// Sequence number of the channel's latest event.
    pub last_seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// How many members it has.
    pub member_count: i64,
    /// When its latest message was sent (its creation until it has one): lists are ordered by it,
    /// most recent first.
    #[serde(with = "time::serde::rfc3339")]
    pub last_activity_at: OffsetDateTime,
    /// Locked by a coordinator: only coordinators post (`can_post` says what the viewer may do).
    #[serde(default)]
    pub locked: bool,
    /// Slow mode: members who are not coordinators post at most once in this many seconds (0: off).
    #[serde(default)]
    pub slow_mode_s: i32,
}

impl From<store::Channel> for Channel {
    fn from(r: store::Channel) -> Self {
        Channel {
            id: r.id,
            program_id: r.program_id,
            kind: r.kind,
            name: r.name,
            program_wide: r.program_wide,
            last_seq: r.last_seq,
            created_at: r.created_at,
            member_count: r.member_count,
            last_activity_at: r.last_activity_at,
            locked: r.locked,
            slow_mode_s: r.slow_mode_s,
        }
    }
}

/// One person's view of a channel: the channel, their read position and unread count.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChannelView {
    #[serde(flatten)]
    pub channel: Channel,
    pub can_post: bool,
    pub last_read_seq: i64,
    /// Messages from others after `last_read_seq` that are not deleted.
    pub unread: i64,
    /// Every member, for a channel of at most 50 members; empty for a larger one (its
    /// `member_count` says how many; `GET /api/channels/{id}/members` lists them).
    pub members: Vec<ChannelMemberView>,
}

impl From<store::ChannelView> for ChannelView {
    fn from(r: store::ChannelView) -> Self {
        ChannelView {
            channel: r.channel.into(),
            can_post: r.can_post,
            last_read_seq: r.last_read_seq,
            unread: r.unread,
            members: r.members.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChannelMemberView {
    pub user_id: Uuid,
    pub name: String,
    pub last_read_seq: i64,
}

impl From<store::ChannelMemberView> for ChannelMemberView {
    fn from(r: store::ChannelMemberView) -> Self {
        ChannelMemberView { user_id: r.user_id, name: r.name, last_read_seq: r.last_read_seq }
    }
}

/// One entry of a channel's log. A `message` carries the message's current state (a deleted one is
/// a tombstone with an empty body); `edit` and `delete` name the message they changed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub channel_id: Uuid,
    pub seq: i64,
    pub id: Uuid,
    pub kind: EventKind,
    pub sender_id: Uuid,
    pub client_id: String,
    pub body: String,
    /// For `edit` and `delete`: the sequence number of the message changed.
    #[schema(required = true)]
    pub target_seq: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub edited_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub deleted_at: Option<OffsetDateTime>,
    /// A deleted message that a coordinator removed (not its author): its tombstone says so.
    #[serde(default)]
    pub removed_by_coordinator: bool,
}

impl From<store::Event> for Event {
    fn from(r: store::Event) -> Self {
        Event {
            channel_id: r.channel_id,
            seq: r.seq,
            id: r.id,
            kind: r.kind,
            sender_id: r.sender_id,
            client_id: r.client_id,
            body: r.body,
            target_seq: r.target_seq,
            created_at: r.created_at,
            edited_at: r.edited_at,
            deleted_at: r.deleted_at,
            removed_by_coordinator: r.removed_by.is_some(),
        }
    }
}

/// What a coordinator or one of the two sees of a past or current call.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CallSummary {
    pub id: Uuid,
    pub program_id: Uuid,
    pub caller_id: Uuid,
    pub callee_id: Uuid,
    pub live: bool,
    pub invited_at: i64,
    #[schema(required = true)]
    pub started_at: Option<i64>,
    #[schema(required = true)]
    pub ended_at: Option<i64>,
    #[schema(required = true)]
    pub end_reason: Option<String>,
    #[schema(required = true)]
    pub duration_ms: Option<i64>,
    pub caller_joined: bool,
    pub callee_joined: bool,
}

impl From<store::CallSummary> for CallSummary {
    fn from(r: store::CallSummary) -> Self {
        CallSummary {
            id: r.id,
            program_id: r.program_id,
            caller_id: r.caller_id,
            callee_id: r.callee_id,
            live: r.live,
            invited_at: r.invited_at,
            started_at: r.started_at,
            ended_at: r.ended_at,
            end_reason: r.end_reason,
            duration_ms: r.duration_ms,
            caller_joined: r.caller_joined,
            callee_joined: r.callee_joined,
        }
    }
}

/// One entry of a program's interest taxonomy.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Interest {
    pub id: Uuid,
    pub label: String,
}

impl From<store::Interest> for Interest {
    fn from(r: store::Interest) -> Self {
        Interest { id: r.id, label: r.label }
    }
}

/// A question coordinators added to their program's questionnaire.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
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
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Question> for Question {
    fn from(r: store::Question) -> Self {
        Question {
            id: r.id,
            prompt: r.prompt,
            kind: r.kind,
            options: r.options,
            audience: r.audience,
            required: r.required,
            feeds_matching: r.feeds_matching,
            created_at: r.created_at,
        }
    }
}

/// A pair the coordinators said must never be matched.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Exclusion {
    pub id: Uuid,
    pub a: Uuid,
    pub a_name: String,
    pub b: Uuid,
    pub b_name: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Exclusion> for Exclusion {
    fn from(r: store::Exclusion) -> Self {
        Exclusion {
            id: r.id,
            a: r.a,
            a_name: r.a_name,
            b: r.b,
            b_name: r.b_name,
            reason: r.reason,
            created_at: r.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Meeting {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub organizer: PersonRef,
    pub invitee: PersonRef,
    pub title: String,
    pub agenda: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    pub status: MeetingStatus,
    /// Who proposed the current time; the other person accepts it or proposes another.
    pub proposed_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<store::Meeting> for Meeting {
    fn from(r: store::Meeting) -> Self {
        Meeting {
            id: r.id,
            program_id: r.program_id,
            match_id: r.match_id,
            organizer: r.organizer,
            invitee: r.invitee,
            title: r.title,
            agenda: r.agenda,
            starts_at: r.starts_at,
            duration_min: r.duration_min,
            status: r.status,
            proposed_by: r.proposed_by,
            updated_at: r.updated_at,
        }
    }
}

/// Check-ins of a program, only in aggregate.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckinSummary {
    pub count: i64,
    /// How many different people gave them.
    pub people: i64,
    /// Ratings are shown only once this many different people have rated calls.
    pub minimum_people: i64,
    /// Mean rating, 1 to 5; null without check-ins or with fewer than `minimum_people` people.
    #[schema(required = true)]
    pub average: Option<f64>,
    /// How many gave 1, 2, 3, 4 and 5; null with fewer than `minimum_people` people.
    #[schema(required = true)]
    pub distribution: Option<[i64; 5]>,
}

impl From<crate::domain::meetings::CheckinTotals> for CheckinSummary {
    fn from(r: crate::domain::meetings::CheckinTotals) -> Self {
        CheckinSummary {
            count: r.count,
            people: r.people,
            minimum_people: r.minimum_people,
            average: r.ratings.map(|(average, _)| average),
            distribution: r.ratings.map(|(_, distribution)| distribution),
        }
    }
}

/// Rows as their wire type, in order.
pub fn all<R, T: From<R>>(rows: Vec<R>) -> Vec<T> {
    rows.into_iter().map(T::from).collect()
}

impl From<&store::Event> for Event {
    fn from(r: &store::Event) -> Self {
        r.clone().into()
    }
}

impl From<&store::ChannelView> for ChannelView {
    fn from(r: &store::ChannelView) -> Self {
        r.clone().into()
    }
}

impl From<&store::Meeting> for Meeting {
    fn from(r: &store::Meeting) -> Self {
        r.clone().into()
    }
}

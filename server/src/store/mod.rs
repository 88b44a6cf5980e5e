//! The store seam: one [`Store`] trait that every part of Kindred persists through, with a
//! PostgreSQL and an SQLite implementation. Both run the same SQL (written once in [`sql`]); where
//! the engines differ (transaction start, connection setup, migrations) each backend module says so.
//!
//! Conventions that keep the SQL portable: ids are UUIDv7 (time-ordered, so `ORDER BY id` is
//! creation order and doubles as a pagination cursor), timestamps are integer milliseconds since the
//! Unix epoch, dates are `YYYY-MM-DD` text, enums are text with `CHECK` constraints.

mod calls;
mod events;
mod job_queue;
mod matching;
mod matching_sql;
mod meetings;
mod postgres;
mod program_data;
mod safety;
mod sql;
mod sqlite;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// The vocabulary rows are written in (defined below every layer, in `crate::vocab`).
pub use crate::vocab::{
    Audience, CareerStage, ChannelKind, EventKind, EventStatus, InvitationStatus, MatchStatus, MeetingStatus,
    PersonRef, QuestionKind, Response, RiskRule, Role, RoundStatus,
};
pub use calls::*;
pub use events::{AttendanceRow, EventPerson, EventPersonRole, EventStore, GroupEventRow, NewEvent};
pub use job_queue::{Job, JobStore, NewJob};
pub use matching::*;
pub use meetings::{CheckinSummary, Meeting, MeetingStore, NewMeeting};
pub use postgres::PgStore;
pub use program_data::*;
pub use safety::{
    BlockRow, Blocked, ConductRow, ConductStanding, NewReport, ReportMessage, ReportRow, SafetyStore, Unblocked,
};
pub use sql::pair_key;
pub use sqlite::SqliteStore;

/// Errors the store reports; anything unexpected is `Backend` and is logged, never shown to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("database error: {0}")]
    Backend(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Milliseconds since the Unix epoch, the storage form of every timestamp.
pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// An account. The password hash never leaves the store through this type.
#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub pronouns: Option<String>,
    pub institution: Option<String>,
    pub career_stage: Option<CareerStage>,
    pub time_zone: Option<String>,
    pub is_admin: bool,
    pub can_create_programs: bool,
    pub created_at: OffsetDateTime,
}

/// What creating an account needs.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub can_create_programs: bool,
}

/// Profile fields a person edits; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub pronouns: Option<Option<String>>,
    pub institution: Option<Option<String>>,
    pub career_stage: Option<Option<CareerStage>>,
    pub time_zone: Option<Option<String>>,
}

/// A browser session or an API token: both are a secret whose SHA-256 is stored.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: SessionKind,
    /// Name an API token was given; empty for browser sessions.
    pub name: String,
    /// CSRF token bound to a browser session; empty for API tokens (which need none).
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    ApiToken,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::ApiToken => "token",
        }
    }
}

/// A program: one mentoring initiative with its own people, matching and data.
#[derive(Clone, Debug)]
pub struct Program {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    pub ends_on: Option<String>,
    pub created_at: OffsetDateTime,
    /// The caller's role in this program, if any.
    pub my_role: Option<Role>,
}

#[derive(Clone, Debug)]
pub struct ProgramFields {
    pub name: String,
    pub description: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// One person's membership of a program, with the profile fields coordinators see.
#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub pronouns: Option<String>,
    pub institution: Option<String>,
    pub career_stage: Option<CareerStage>,
    pub joined_at: OffsetDateTime,
    /// Suspended from the program since then (coordinators see it).
    pub suspended_at: Option<OffsetDateTime>,
    /// Muted in the program's group channels until then (it may have passed).
    pub muted_until: Option<OffsetDateTime>,
}

/// An invitation to join a program in a role, redeemed through a single-use link.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: Uuid,
    pub program_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: InvitationStatus,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    /// The link to send; only present right after creation or a resend (the store keeps a hash).
    pub link: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub program_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub token_hash: String,
    pub expires_at: OffsetDateTime,
    pub invited_by: Uuid,
}

/// How an accepted invitation becomes a member: an existing account, or a new one.
#[derive(Clone, Debug)]
pub enum Acceptance {
    Existing(Uuid),
    New(NewUser),
}

/// An email as it was sent (or would have been, without SMTP).
#[derive(Clone, Debug)]
pub struct Mail {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// A channel as its members see it in their list.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: Uuid,
    pub program_id: Uuid,
    pub kind: ChannelKind,
    pub name: String,
    /// Every program member belongs (new members join automatically).
    pub program_wide: bool,
    /// Sequence number of the channel's latest event.
    pub last_seq: i64,
    pub created_at: OffsetDateTime,
    /// How many members it has (kept by the database as members come and go).
    pub member_count: i64,
    /// When its latest message was stored; its creation until it has one. Lists are ordered by it.
    pub last_activity_at: OffsetDateTime,
    /// Locked by a coordinator: only coordinators post.
    pub locked: bool,
    /// Slow mode: members who are not coordinators post at most once in this many seconds (0: off).
    pub slow_mode_s: i32,
}

/// A person's membership of a channel: the channel, whether they may post, their read position.
#[derive(Clone, Debug)]
pub struct Membership {
    pub channel: Channel,
    pub can_post: bool,
    pub last_read_seq: i64,
}

/// One person's view of a channel: the channel, their read position and unread count.
#[derive(Clone, Debug)]
pub struct ChannelView {
    pub channel: Channel,
    pub can_post: bool,
    pub last_read_seq: i64,
    /// Messages from others after `last_read_seq` that are not deleted.
    pub unread: i64,
    /// Every member, for a channel of at most the `members_up_to` the list was asked with; none
    /// for a larger one (its `member_count` says how many).
    pub members: Vec<ChannelMemberView>,
}

#[derive(Clone, Debug)]
pub struct ChannelMemberView {
    pub user_id: Uuid,
    pub name: String,
    pub last_read_seq: i64,
}

/// A person's membership of one channel.
#[derive(Clone, Copy, Debug)]
pub struct ChannelAccess {
    pub can_post: bool,
    pub last_read_seq: i64,
}

/// One member of a channel.
#[derive(Clone, Debug)]
pub struct ChannelMemberRow {
    pub user_id: Uuid,
    pub name: String,
    pub can_post: bool,
}

#[derive(Clone, Debug)]
pub struct NewChannel {
    pub program_id: Uuid,
    pub kind: ChannelKind,
    pub name: String,
    pub program_wide: bool,
    /// Members and whether each may post. Program-wide channels add the program's members too.
    pub members: Vec<(Uuid, bool)>,
}

/// One entry of a channel's log. A `message` carries the message's current state (a deleted one is
/// a tombstone with an empty body); `edit` and `delete` name the message they changed.
#[derive(Clone, Debug)]
pub struct Event {
    pub channel_id: Uuid,
    pub seq: i64,
    pub id: Uuid,
    pub kind: EventKind,
    pub sender_id: Uuid,
    pub client_id: String,
    pub body: String,
    /// For `edit` and `delete`: the sequence number of the message changed.
    pub target_seq: Option<i64>,
    pub created_at: OffsetDateTime,
    pub edited_at: Option<OffsetDateTime>,
    pub deleted_at: Option<OffsetDateTime>,
    /// For a deleted message: the coordinator who removed it, when its author did not.
    pub removed_by: Option<Uuid>,
}

/// A write to a channel's log, identified by its author's client id for idempotency.
#[derive(Clone, Debug)]
pub struct Append {
    pub channel_id: Uuid,
    pub sender_id: Uuid,
    pub client_id: String,
    pub body: String,
}

/// The outcome of an idempotent write: the event, and whether this call created it (false when
/// the same client id was seen before and the original is returned).
#[derive(Clone, Debug)]
pub struct Appended {
    pub event: Event,
    pub created: bool,
    /// For edits and deletes: the changed message in its new state.
    pub target: Option<Event>,
}

/// A page of rows plus the cursor for the next one.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Uuid>,
}

/// Where a listing starts and how much it returns.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub after: Option<Uuid>,
    pub limit: u32,
}

impl PageRequest {
    /// Everything, for the domain's own computations (a sweep, a dashboard, an export).
    pub const ALL: PageRequest = PageRequest { after: None, limit: u32::MAX };

    /// How many rows a query fetches: one more than the page, to know whether there is more.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Self {
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(&id)
        } else {
            None
        };
        Page { items: rows, next }
    }

    /// The same page of something else (a row's view).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// The persistence seam. Every method is one atomic operation.
#[async_trait]
pub trait Store:
    MatchingStore
    + CallStore
    + MeetingStore
    + ProgramDataStore
    + EventStore
    + JobStore
    + SafetyStore
    + Send
    + Sync
    + 'static
{
    /// Applies this backend's migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Keeps the query planner's statistics fresh: SQLite's `PRAGMA optimize` (bounded by an
    /// analysis limit), nothing on PostgreSQL, whose autovacuum analyzes. Run at start-up and
    /// from the sweep.
    async fn optimize(&self) -> StoreResult<()>;
    /// Which engine this is (`postgres` or `sqlite`), for logs and `/readyz`.
    fn backend(&self) -> &'static str;

    // --- accounts ---
    async fn create_user(&self, user: NewUser, now: OffsetDateTime) -> StoreResult<User>;
    async fn get_user(&self, id: Uuid) -> StoreResult<User>;
    /// The account and its password hash (if one has been set).
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>>;
    async fn update_profile(&self, id: Uuid, patch: ProfilePatch) -> StoreResult<User>;
    /// Every account but the system one that posts welcomes.
    async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>>;

    // --- sessions and tokens ---
    async fn create_session(&self, record: &SessionRecord, secret_hash: &str) -> StoreResult<()>;
    /// The live session for a secret hash (expired ones are not returned) and its user.
    async fn find_session(&self, secret_hash: &str, now: OffsetDateTime) -> StoreResult<Option<(SessionRecord, User)>>;
    async fn touch_session(&self, id: Uuid, now: OffsetDateTime, expires_at: Option<OffsetDateTime>)
    -> StoreResult<()>;
    async fn delete_session(&self, id: Uuid) -> StoreResult<()>;
    /// Signs a person out everywhere: every session and API token goes.
    async fn delete_user_sessions(&self, user_id: Uuid) -> StoreResult<u64>;
    async fn list_api_tokens(&self, user_id: Uuid, page: PageRequest) -> StoreResult<Page<SessionRecord>>;
    async fn delete_api_token(&self, user_id: Uuid, id: Uuid) -> StoreResult<()>;

    // --- password resets ---
    async fn create_password_reset(
        &self,
        user_id: Uuid,
        token_hash: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Uses a reset token once: sets the new password hash and revokes every session, atomically.
    async fn consume_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Uuid>;
    /// Sets a password directly (administrative account creation).
    async fn set_password(&self, user_id: Uuid, password_hash: &str) -> StoreResult<()>;

    // --- programs and memberships ---
    /// Creates a program with its creator as the first coordinator.
    async fn create_program(&self, fields: ProgramFields, creator: Uuid, now: OffsetDateTime) -> StoreResult<Program>;
    async fn get_program(&self, id: Uuid, viewer: Uuid) -> StoreResult<Program>;
    async fn update_program(&self, id: Uuid, fields: ProgramFields, viewer: Uuid) -> StoreResult<Program>;
    /// Programs the viewer belongs to, or every program when `all` (admins).
    async fn list_programs(&self, viewer: Uuid, all: bool, page: PageRequest) -> StoreResult<Page<Program>>;
    async fn role_in_program(&self, program_id: Uuid, user_id: Uuid) -> StoreResult<Option<Role>>;
    /// The roles of those of `users` who are members of the program, in one query.
    async fn program_roles(
        &self,
        program_id: Uuid,
        users: &[Uuid],
    ) -> StoreResult<std::collections::HashMap<Uuid, Role>>;
    async fn add_member(&self, program_id: Uuid, user_id: Uuid, role: Role, now: OffsetDateTime) -> StoreResult<()>;
    async fn list_members(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<Member>>;
    /// `(program id, program name, role)` for every membership of a person.
    /// The programs a person belongs to (not those they are suspended from), with their role.
    async fn memberships(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, Role)>>;

    // --- invitations ---
    async fn create_invitation(&self, invitation: NewInvitation, now: OffsetDateTime) -> StoreResult<Invitation>;
    async fn list_invitations(
        &self,
        program_id: Uuid,
        status: Option<InvitationStatus>,
        now: OffsetDateTime,
        page: PageRequest,
    ) -> StoreResult<Page<Invitation>>;
    async fn get_invitation(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<Invitation>;
    /// The invitation behind a link, whatever its status.
    async fn find_invitation_by_token(&self, token_hash: &str, now: OffsetDateTime) -> StoreResult<Option<Invitation>>;
    /// A new link and expiry for a pending or expired invitation (the old link stops working).
    async fn reissue_invitation(
        &self,
        program_id: Uuid,
        id: Uuid,
        token_hash: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<Invitation>;
    async fn revoke_invitation(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<Invitation>;
    /// Redeems a link exactly once: marks it accepted, creates the account if needed and adds the
    /// membership, all in one transaction. Returns the member's account.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        acceptance: Acceptance,
        now: OffsetDateTime,
    ) -> StoreResult<User>;

    // --- mail outbox ---
    async fn record_mail(&self, to: &str, subject: &str, body: &str, now: OffsetDateTime) -> StoreResult<Mail>;
    async fn list_mail(&self, page: PageRequest) -> StoreResult<Page<Mail>>;
    // --- channels and messages ---
    async fn create_channel(&self, channel: NewChannel, now: OffsetDateTime) -> StoreResult<Channel>;
    /// The pair's channel, created on first call; later calls (or racing ones) get the same one.
    async fn open_pair_channel(
        &self,
        program_id: Uuid,
        a: Uuid,
        b: Uuid,
        name: &str,
        now: OffsetDateTime,
    ) -> StoreResult<(Channel, bool)>;
    async fn get_channel(&self, id: Uuid) -> StoreResult<Channel>;
    async fn channel_access(&self, channel_id: Uuid, user_id: Uuid) -> StoreResult<Option<ChannelAccess>>;
    /// A page of a person's channels, most recently active first (`last_activity_at`, then id,
    /// both descending; `page.after` is the last channel of the previous page), with read state
    /// and unread counts, and the members of those with at most `members_up_to` members.
    async fn user_channels(
        &self,
        user_id: Uuid,
        page: PageRequest,
        members_up_to: i64,
    ) -> StoreResult<Page<ChannelView>>;
    /// One channel as `user_channels` shows it, if the person is a member.
    async fn user_channel(
        &self,
        user_id: Uuid,
        channel_id: Uuid,
        members_up_to: i64,
    ) -> StoreResult<Option<ChannelView>>;
    /// Every channel a person belongs to, with whether they may post in it and their read
    /// position (no counts, no members): one pass over their memberships.
    async fn user_memberships(&self, user_id: Uuid) -> StoreResult<Vec<Membership>>;
    /// Completes some of a person's memberships into channels as `user_channels` shows them:
    /// unread counts, the members of those of at most `members_up_to` members, and each channel's
    /// latest sequence number and activity as they are now.
    async fn channel_views(
        &self,
        user_id: Uuid,
        memberships: Vec<Membership>,
        members_up_to: i64,
    ) -> StoreResult<Vec<ChannelView>>;
    /// A page of a channel's members by user id, after `after`: their names and read positions.
    async fn channel_members_page(
        &self,
        channel_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ChannelMemberView>>;
    /// The members of a channel among `ids` (at most a few hundred), with names and read positions.
    async fn channel_members_among(&self, channel_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<ChannelMemberView>>;
    /// Every member of a channel and whether they may post, without names (for a channel too
    /// large to list its members).
    async fn channel_member_grants(&self, channel_id: Uuid) -> StoreResult<Vec<(Uuid, bool)>>;
    /// Every member of a channel with their name and whether they may post, in one query.
    async fn channel_members(&self, channel_id: Uuid) -> StoreResult<Vec<ChannelMemberRow>>;
    /// The channels of at most `members_up_to` members a person belongs to.
    async fn user_channel_ids(&self, user_id: Uuid, members_up_to: i64) -> StoreResult<Vec<Uuid>>;
    /// The other members of `channels` (a person's own, from [`Store::user_channel_ids`]), each once.
    async fn contacts(&self, user_id: Uuid, channels: &[Uuid]) -> StoreResult<Vec<Uuid>>;
    /// Stores a new message with the channel's next sequence number, once per client id.
    async fn append_message(&self, append: Append, now: OffsetDateTime) -> StoreResult<Appended>;
    /// Edits the author's own message (an `edit` event plus the message's new state).
    async fn edit_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended>;
    /// Deletes the author's own message, leaving a tombstone.
    async fn delete_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended>;
    /// Deletes anyone's message as a moderator (the caller checked the right to), leaving a
    /// tombstone that records who removed it.
    async fn remove_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended>;
    /// Events after `after_seq`, oldest first, at most `limit`.
    async fn events_after(&self, channel_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<Event>>;
    /// Messages (current state) before `before_seq` (or the newest), newest first.
    async fn history(&self, channel_id: Uuid, before_seq: Option<i64>, limit: u32) -> StoreResult<Vec<Event>>;
    /// Moves a member's read position forward (never back); returns the position and unread count.
    async fn mark_read(&self, channel_id: Uuid, user_id: Uuid, seq: i64) -> StoreResult<(i64, i64)>;
}

/// Opens the store named by a URL (`postgres://…` or `sqlite:…`); the choice is made once, here.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    }
}

//! The SQL both backends run, written once. `impl_store!` expands to a [`Store`] implementation for
//! a backend type that has a `pool` field and a `begin()` method starting a write transaction (the
//! one place the engines differ: SQLite must take its write lock up front).
//!
//! Atomicity without row locks: state changes that must happen once (redeeming an invitation, using
//! a reset link) are conditional `UPDATE … RETURNING` statements, so two racing requests cannot both
//! succeed on either engine.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    CareerStage, Channel, ChannelKind, Event, EventKind, Invitation, InvitationStatus, Mail, Member, Membership,
    Program, Role, SessionKind, SessionRecord, StoreError, User, from_millis,
};

pub(super) fn role_from(s: &str) -> Role {
    Role::parse(s).unwrap_or(Role::Mentee)
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub pronouns: Option<String>,
    pub institution: Option<String>,
    pub career_stage: Option<String>,
    pub time_zone: Option<String>,
    pub is_admin: bool,
    pub can_create_programs: bool,
    pub created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            pronouns: r.pronouns,
            institution: r.institution,
            career_stage: r.career_stage.as_deref().and_then(CareerStage::parse),
            time_zone: r.time_zone,
            is_admin: r.is_admin,
            can_create_programs: r.can_create_programs,
            created_at: from_millis(r.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UserWithHash {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub session_id: Uuid,
    pub session_user_id: Uuid,
    pub kind: String,
    pub session_name: String,
    pub csrf_token: String,
    pub session_created_at: i64,
    pub last_used_at: i64,
    pub expires_at: Option<i64>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.session_id,
            user_id: r.session_user_id,
            kind: if r.kind == "token" { SessionKind::ApiToken } else { SessionKind::Browser },
            name: r.session_name,
            csrf_token: r.csrf_token,
            created_at: from_millis(r.session_created_at),
            last_used_at: from_millis(r.last_used_at),
            expires_at: r.expires_at.map(from_millis),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionWithUser {
    #[sqlx(flatten)]
    pub session: SessionRow,
    #[sqlx(flatten)]
    pub user: UserRow,
}

#[derive(sqlx::FromRow)]
pub(super) struct ProgramRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub created_at: i64,
    pub my_role: Option<String>,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Self {
        Program {
            id: r.id,
            name: r.name,
            description: r.description,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            created_at: from_millis(r.created_at),
            my_role: r.my_role.as_deref().map(role_from),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MemberRow {
    pub membership_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub pronouns: Option<String>,
    pub institution: Option<String>,
    pub career_stage: Option<String>,
    pub joined_at: i64,
    pub suspended_at: Option<i64>,
    pub muted_until: Option<i64>,
}

impl MemberRow {
    pub fn into_member(self) -> (Uuid, Member) {
        (
            self.membership_id,
            Member {
                user_id: self.user_id,
                name: self.name,
                email: self.email,
                role: role_from(&self.role),
                pronouns: self.pronouns,
                institution: self.institution,
                career_stage: self.career_stage.as_deref().and_then(CareerStage::parse),
                joined_at: from_millis(self.joined_at),
                suspended_at: self.suspended_at.map(from_millis),
                muted_until: self.muted_until.map(from_millis),
            },
        )
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InvitationRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl InvitationRow {
    pub fn status(&self, now_ms: i64) -> InvitationStatus {
        if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.expires_at <= now_ms {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }

    pub fn into_invitation(self, now: OffsetDateTime) -> Invitation {
        let status = self.status(super::to_millis(now));
        Invitation {
            id: self.id,
            program_id: self.program_id,
            email: self.email,
            name: self.name,
            role: role_from(&self.role),
            status,
            expires_at: from_millis(self.expires_at),
            created_at: from_millis(self.created_at),
            accepted_at: self.accepted_at.map(from_millis),
            link: None,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MailRow {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

impl From<MailRow> for Mail {
    fn from(r: MailRow) -> Self {
        Mail { id: r.id, to: r.recipient, subject: r.subject, body: r.body, created_at: from_millis(r.created_at) }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ChannelRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub kind: String,
    pub name: String,
    pub program_wide: bool,
    pub last_seq: i64,
    pub created_at: i64,
    pub member_count: i64,
    pub last_activity_at: i64,
    pub locked: bool,
    pub slow_mode_s: i32,
}

impl From<ChannelRow> for Channel {
    fn from(r: ChannelRow) -> Self {
        Channel {
            id: r.id,
            program_id: r.program_id,
            kind: ChannelKind::parse(&r.kind).unwrap_or(ChannelKind::Group),
            name: r.name,
            program_wide: r.program_wide,
            last_seq: r.last_seq,
            created_at: from_millis(r.created_at),
            member_count: r.member_count,
            last_activity_at: from_millis(r.last_activity_at),
            locked: r.locked,
            slow_mode_s: r.slow_mode_s,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ChannelGrantRow {
    #[sqlx(flatten)]
    pub channel: ChannelRow,
    pub can_post: bool,
    pub last_read_seq: i64,
}

impl From<ChannelGrantRow> for Membership {
    fn from(r: ChannelGrantRow) -> Self {
        Membership { channel: r.channel.into(), can_post: r.can_post, last_read_seq: r.last_read_seq }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    pub channel_id: Uuid,
    pub seq: i64,
    pub id: Uuid,
    pub kind: String,
    pub sender_id: Uuid,
    pub client_id: String,
    pub body: String,
    pub target_seq: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub removed_by: Option<Uuid>,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Event {
            channel_id: r.channel_id,
            seq: r.seq,
            id: r.id,
            kind: match r.kind.as_str() {
                "edit" => EventKind::Edit,
                "delete" => EventKind::Delete,
                _ => EventKind::Message,
            },
            sender_id: r.sender_id,
            client_id: r.client_id,
            body: r.body,
            target_seq: r.target_seq,
            created_at: from_millis(r.created_at),
            edited_at: r.edited_at.map(from_millis),
            deleted_at: r.deleted_at.map(from_millis),
            removed_by: r.removed_by,
        }
    }
}

/// The stable key of a pair: both ids, sorted, so (a, b) and (b, a) name one channel.
pub fn pair_key(a: Uuid, b: Uuid) -> String {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    format!("{x}:{y}")
}

/// Unique-constraint violations become `Conflict`; everything else stays a backend error.
pub(super) fn conflict_on_unique(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Backend(e),
    }
}

/// Why a one-time link could not be used: explains the conditional update that matched nothing.
pub(super) fn link_state(expired: bool, used: bool, revoked: bool) -> StoreError {
    if revoked {
        StoreError::Gone("this invitation was revoked")
    } else if used {
        StoreError::Gone("this link has already been used")
    } else if expired {
        StoreError::Gone("this link has expired")
    } else {
        StoreError::NotFound
    }
}

macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.pronouns, u.institution, u.career_stage, u.time_zone, u.is_admin, u.can_create_programs, u.created_at"
    };
}

macro_rules! user_returning {
    () => {
        "id, email, name, pronouns, institution, career_stage, time_zone, is_admin, can_create_programs, created_at"
    };
}

macro_rules! session_columns {
    () => {
        "s.id AS session_id, s.user_id AS session_user_id, s.kind, s.name AS session_name, s.csrf_token, s.created_at AS session_created_at, s.last_used_at, s.expires_at"
    };
}

macro_rules! invitation_columns {
    () => {
        "id, program_id, email, name, role, created_at, expires_at, accepted_at, revoked_at"
    };
}

macro_rules! program_select {
    () => {
        "SELECT p.id, p.name, p.description, p.starts_on, p.ends_on, p.created_at, m.role AS my_role FROM programs p LEFT JOIN memberships m ON m.program_id = p.id AND m.user_id = $2 AND m.suspended_at IS NULL"
    };
}

macro_rules! event_columns {
    () => {
        "channel_id, seq, id, kind, sender_id, client_id, body, target_seq, created_at, edited_at, deleted_at, removed_by"
    };
}

macro_rules! channel_columns {
    () => {
        "c.id, c.program_id, c.kind, c.name, c.program_wide, c.last_seq, c.created_at, c.member_count, c.last_activity_at, c.locked, c.slow_mode_s"
    };
}

/// Adds a person to every program-wide channel of a program (announcement channels: posting only
/// for coordinators). Binds: $1 program, $2 user, $3 is coordinator, $4 now.
macro_rules! join_program_channels_sql {
    () => {
        "INSERT INTO channel_members (channel_id, user_id, can_post, last_read_seq, joined_at) \
         SELECT c.id, $2, CASE WHEN c.kind = 'announcement' OR c.locked THEN $3 ELSE TRUE END, 0, $4 FROM channels c \
         WHERE c.program_id = $1 AND c.program_wide ON CONFLICT DO NOTHING"
    };
}

pub(super) use {
    channel_columns, event_columns, invitation_columns, join_program_channels_sql, program_select, session_columns,
    user_columns, user_returning,
};

/// Most ids bound into one `IN (…)` list (SQLite allows 32,766 parameters, PostgreSQL 65,535).
pub(super) const IN_LIST_CHUNK: usize = 500;

/// `$first, $first+1, …`, `count` numbered placeholders for an `IN (…)` list: only these go into
/// a query's text; every value is bound.
pub(crate) fn numbered(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            async fn migrate(&self) -> StoreResult<()> {
                self.run_migrations().await
            }

            async fn optimize(&self) -> StoreResult<()> {
                self.refresh_statistics().await
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query::<$db>("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }

            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_user(&self, user: NewUser, now: OffsetDateTime) -> StoreResult<User> {
                let row: UserRow = sqlx::query_as::<$db, UserRow>(concat!(
                    "INSERT INTO users (id, email, email_lower, name, password_hash, is_admin, can_create_programs, created_at) ",
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
                    user_returning!()
                ))
                .bind(Uuid::now_v7())
                .bind(&user.email)
                .bind(user.email.to_lowercase())
                .bind(&user.name)
                .bind(&user.password_hash)
                .bind(user.is_admin)
                .bind(user.can_create_programs)
                .bind(to_millis(now))
                .fetch_one(self.writer())
                .await
                .map_err(conflict_on_unique("an account with this email already exists"))?;
                Ok(row.into())
            }

            async fn get_user(&self, id: Uuid) -> StoreResult<User> {
                let row = sqlx::query_as::<$db, UserRow>(concat!("SELECT ", user_columns!(), " FROM users u WHERE u.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(User::from).ok_or(StoreError::NotFound)
            }

            async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
                let row = sqlx::query_as::<$db, UserWithHash>(concat!(
                    "SELECT ", user_columns!(), ", u.password_hash FROM users u WHERE u.email_lower = $1"
                ))
                .bind(email.trim().to_lowercase())
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| (r.user.into(), r.password_hash)))
            }

            async fn update_profile(&self, id: Uuid, patch: ProfilePatch) -> StoreResult<User> {
                let career = patch.career_stage.map(|c| c.map(|c| c.as_str()));
                let row = sqlx::query_as::<$db, UserRow>(concat!(
                    "UPDATE users SET name = COALESCE($2, name), ",
                    "pronouns = CASE WHEN $3 THEN $4 ELSE pronouns END, ",
                    "institution = CASE WHEN $5 THEN $6 ELSE institution END, ",
                    "career_stage = CASE WHEN $7 THEN $8 ELSE career_stage END, ",
                    "time_zone = CASE WHEN $9 THEN $10 ELSE time_zone END ",
                    "WHERE id = $1 RETURNING ",
                    user_returning!()
                ))
                .bind(id)
                .bind(patch.name)
                .bind(patch.pronouns.is_some())
                .bind(patch.pronouns.flatten())
                .bind(patch.institution.is_some())
                .bind(patch.institution.flatten())
                .bind(career.is_some())
                .bind(career.flatten())
                .bind(patch.time_zone.is_some())
                .bind(patch.time_zone.flatten())
                .fetch_optional(self.writer())
                .await?;
                row.map(User::from).ok_or(StoreError::NotFound)
            }

            async fn list_users(&self, page: PageRequest) -> StoreResult<Page<User>> {
                let rows = sqlx::query_as::<$db, UserRow>(concat!(
                    "SELECT ", user_columns!(), " FROM users u WHERE ($1 IS NULL OR u.id > $1) AND u.email_lower <> 'kindred@system.invalid' ORDER BY u.id LIMIT $2"
                ))
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows.into_iter().map(User::from).collect(), page.limit, |u| u.id))
            }

            async fn create_session(&self, record: &SessionRecord, secret_hash: &str) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO sessions (id, secret_hash, user_id, kind, name, csrf_token, created_at, last_used_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(record.id)
                .bind(secret_hash)
                .bind(record.user_id)
                .bind(record.kind.as_str())
                .bind(&record.name)
                .bind(&record.csrf_token)
                .bind(to_millis(record.created_at))
                .bind(to_millis(record.last_used_at))
                .bind(record.expires_at.map(to_millis))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn find_session(&self, secret_hash: &str, now: OffsetDateTime) -> StoreResult<Option<(SessionRecord, User)>> {
                let row = sqlx::query_as::<$db, SessionWithUser>(concat!(
                    "SELECT ", session_columns!(), ", ", user_columns!(),
                    " FROM sessions s JOIN users u ON u.id = s.user_id",
                    " WHERE s.secret_hash = $1 AND (s.expires_at IS NULL OR s.expires_at > $2)"
                ))
                .bind(secret_hash)
                .bind(to_millis(now))
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|r| (r.session.into(), r.user.into())))
            }

            async fn touch_session(&self, id: Uuid, now: OffsetDateTime, expires_at: Option<OffsetDateTime>) -> StoreResult<()> {
                sqlx::query::<$db>("UPDATE sessions SET last_used_at = $2, expires_at = COALESCE($3, expires_at) WHERE id = $1 AND last_used_at < $2")
                    .bind(id)
                    .bind(to_millis(now))
                    .bind(expires_at.map(to_millis))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id: Uuid) -> StoreResult<()> {
                sqlx::query::<$db>("DELETE FROM sessions WHERE id = $1").bind(id).execute(self.writer()).await?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: Uuid) -> StoreResult<u64> {
                let done = sqlx::query::<$db>("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(self.writer()).await?;
                Ok(done.rows_affected())
            }

            async fn list_api_tokens(&self, user_id: Uuid, page: PageRequest) -> StoreResult<Page<SessionRecord>> {
                let rows = sqlx::query_as::<$db, SessionRow>(concat!(
                    "SELECT ", session_columns!(), " FROM sessions s WHERE s.user_id = $1 AND s.kind = 'token'",
                    " AND ($2 IS NULL OR s.id > $2) ORDER BY s.id LIMIT $3"
                ))
                .bind(user_id)
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows.into_iter().map(SessionRecord::from).collect(), page.limit, |s| s.id))
            }

            async fn delete_api_token(&self, user_id: Uuid, id: Uuid) -> StoreResult<()> {
                let done = sqlx::query::<$db>("DELETE FROM sessions WHERE id = $1 AND user_id = $2 AND kind = 'token'")
                    .bind(id)
                    .bind(user_id)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn create_password_reset(&self, user_id: Uuid, token_hash: &str, expires_at: OffsetDateTime, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(to_millis(now))
                    .bind(to_millis(expires_at))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn consume_password_reset(&self, token_hash: &str, password_hash: &str, now: OffsetDateTime) -> StoreResult<Uuid> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let user_id: Option<Uuid> = sqlx::query_scalar::<$db, Uuid>(
                    "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
                )
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(user_id) = user_id else {
                    let state: Option<(i64, Option<i64>)> =
                        sqlx::query_as::<$db, (i64, Option<i64>)>("SELECT expires_at, used_at FROM password_resets WHERE token_hash = $1")
                            .bind(token_hash)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(match state {
                        Some((expires, used)) => link_state(expires <= now_ms, used.is_some(), false),
                        None => StoreError::NotFound,
                    });
                };
                sqlx::query::<$db>("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<$db>("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(user_id)
            }

            async fn set_password(&self, user_id: Uuid, password_hash: &str) -> StoreResult<()> {
                let done = sqlx::query::<$db>("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(password_hash)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn create_program(&self, fields: ProgramFields, creator: Uuid, now: OffsetDateTime) -> StoreResult<Program> {
                let id = Uuid::now_v7();
                let mut tx = self.begin().await?;
                sqlx::query::<$db>(
                    "INSERT INTO programs (id, name, description, starts_on, ends_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(&fields.name)
                .bind(&fields.description)
                .bind(&fields.starts_on)
                .bind(&fields.ends_on)
                .bind(creator)
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>("INSERT INTO memberships (id, program_id, user_id, role, joined_at) VALUES ($1, $2, $3, 'coordinator', $4)")
                    .bind(Uuid::now_v7())
                    .bind(id)
                    .bind(creator)
                    .bind(to_millis(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                self.get_program(id, creator).await
            }

            async fn get_program(&self, id: Uuid, viewer: Uuid) -> StoreResult<Program> {
                let row = sqlx::query_as::<$db, ProgramRow>(concat!(program_select!(), " WHERE p.id = $1"))
                    .bind(id)
                    .bind(viewer)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(Program::from).ok_or(StoreError::NotFound)
            }

            async fn update_program(&self, id: Uuid, fields: ProgramFields, viewer: Uuid) -> StoreResult<Program> {
                let done = sqlx::query::<$db>("UPDATE programs SET name = $2, description = $3, starts_on = $4, ends_on = $5 WHERE id = $1")
                    .bind(id)
                    .bind(&fields.name)
                    .bind(&fields.description)
                    .bind(&fields.starts_on)
                    .bind(&fields.ends_on)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                self.get_program(id, viewer).await
            }

            async fn list_programs(&self, viewer: Uuid, all: bool, page: PageRequest) -> StoreResult<Page<Program>> {
                let rows = sqlx::query_as::<$db, ProgramRow>(concat!(
                    program_select!(),
                    " WHERE ($1 IS NULL OR p.id > $1) AND ($3 OR m.user_id IS NOT NULL) ORDER BY p.id LIMIT $4"
                ))
                .bind(page.after)
                .bind(viewer)
                .bind(all)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows.into_iter().map(Program::from).collect(), page.limit, |p| p.id))
            }

            async fn role_in_program(&self, program_id: Uuid, user_id: Uuid) -> StoreResult<Option<Role>> {
                let role: Option<String> = sqlx::query_scalar::<$db, String>(
                    "SELECT role FROM memberships WHERE program_id = $1 AND user_id = $2 AND suspended_at IS NULL",
                )
                    .bind(program_id)
                    .bind(user_id)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(role.as_deref().map(role_from))
            }

            async fn program_roles(&self, program_id: Uuid, users: &[Uuid]) -> StoreResult<std::collections::HashMap<Uuid, Role>> {
                if users.is_empty() {
                    return Ok(Default::default());
                }
                // The program's whole membership in one query (a list of ids binds differently on
                // each backend), kept for the people asked about.
                let wanted: std::collections::HashSet<&Uuid> = users.iter().collect();
                let rows: Vec<(Uuid, String)> =
                    sqlx::query_as::<$db, (Uuid, String)>("SELECT user_id, role FROM memberships WHERE program_id = $1")
                        .bind(program_id)
                        .fetch_all(self.reader())
                        .await?;
                Ok(rows.into_iter().filter(|(u, _)| wanted.contains(u)).map(|(u, r)| (u, role_from(&r))).collect())
            }

            async fn add_member(&self, program_id: Uuid, user_id: Uuid, role: Role, now: OffsetDateTime) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                sqlx::query::<$db>("INSERT INTO memberships (id, program_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(Uuid::now_v7())
                    .bind(program_id)
                    .bind(user_id)
                    .bind(role.as_str())
                    .bind(to_millis(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict_on_unique("this person is already a member of the program"))?;
                sqlx::query::<$db>(join_program_channels_sql!())
                    .bind(program_id)
                    .bind(user_id)
                    .bind(role == Role::Coordinator)
                    .bind(to_millis(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_members(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<Member>> {
                let rows = sqlx::query_as::<$db, MemberRow>(
                    "SELECT m.id AS membership_id, u.id AS user_id, u.name, u.email, m.role, u.pronouns, u.institution, u.career_stage, m.joined_at, \
                     m.suspended_at, (SELECT x.until FROM mutes x WHERE x.program_id = m.program_id AND x.user_id = m.user_id) AS muted_until \
                     FROM memberships m JOIN users u ON u.id = m.user_id \
                     WHERE m.program_id = $1 AND ($2 IS NULL OR m.id > $2) ORDER BY m.id LIMIT $3",
                )
                .bind(program_id)
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                let mut members: Vec<(Uuid, Member)> = rows.into_iter().map(MemberRow::into_member).collect();
                let more = members.len() > page.limit as usize;
                members.truncate(page.limit as usize);
                let next = if more { members.last().map(|(id, _)| *id) } else { None };
                Ok(Page { items: members.into_iter().map(|(_, m)| m).collect(), next })
            }

            async fn memberships(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, Role)>> {
                let rows: Vec<(Uuid, String, String)> = sqlx::query_as::<$db, (Uuid, String, String)>(
                    "SELECT p.id, p.name, m.role FROM memberships m JOIN programs p ON p.id = m.program_id \
                     WHERE m.user_id = $1 AND m.suspended_at IS NULL ORDER BY m.id",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(id, name, role)| (id, name, role_from(&role))).collect())
            }

            async fn create_invitation(&self, inv: NewInvitation, now: OffsetDateTime) -> StoreResult<Invitation> {
                let member: Option<i32> = sqlx::query_scalar::<$db, i32>(
                    "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.program_id = $1 AND u.email_lower = $2",
                )
                .bind(inv.program_id)
                .bind(inv.email.to_lowercase())
                .fetch_optional(self.reader())
                .await?;
                if member.is_some() {
                    return Err(StoreError::Conflict("this person is already a member of the program"));
                }
                let row = sqlx::query_as::<$db, InvitationRow>(concat!(
                    "INSERT INTO invitations (id, program_id, email, email_lower, name, role, token_hash, invited_by, created_at, expires_at) ",
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                    invitation_columns!()
                ))
                .bind(Uuid::now_v7())
                .bind(inv.program_id)
                .bind(&inv.email)
                .bind(inv.email.to_lowercase())
                .bind(&inv.name)
                .bind(inv.role.as_str())
                .bind(&inv.token_hash)
                .bind(inv.invited_by)
                .bind(to_millis(now))
                .bind(to_millis(inv.expires_at))
                .fetch_one(self.writer())
                .await
                .map_err(conflict_on_unique("this person already has an open invitation to the program"))?;
                Ok(row.into_invitation(now))
            }

            async fn list_invitations(&self, program_id: Uuid, status: Option<InvitationStatus>, now: OffsetDateTime, page: PageRequest) -> StoreResult<Page<Invitation>> {
                // Status depends on the clock, so it is computed per row; the filter runs in SQL so
                // that pages stay full.
                let status = status.map(|s| match s {
                    InvitationStatus::Pending => "pending",
                    InvitationStatus::Accepted => "accepted",
                    InvitationStatus::Expired => "expired",
                    InvitationStatus::Revoked => "revoked",
                });
                let rows = sqlx::query_as::<$db, InvitationRow>(concat!(
                    "SELECT ", invitation_columns!(), " FROM invitations WHERE program_id = $1 AND ($2 IS NULL OR id < $2) ",
                    "AND ($3 IS NULL OR $3 = CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN accepted_at IS NOT NULL THEN 'accepted' ",
                    "WHEN expires_at <= $4 THEN 'expired' ELSE 'pending' END) ORDER BY id DESC LIMIT $5"
                ))
                .bind(program_id)
                .bind(page.after)
                .bind(status)
                .bind(to_millis(now))
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                let items: Vec<Invitation> = rows.into_iter().map(|r| r.into_invitation(now)).collect();
                Ok(Page::from_rows(items, page.limit, |i| i.id))
            }

            async fn get_invitation(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<Invitation> {
                let row = sqlx::query_as::<$db, InvitationRow>(concat!("SELECT ", invitation_columns!(), " FROM invitations WHERE program_id = $1 AND id = $2"))
                    .bind(program_id)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(|r| r.into_invitation(now)).ok_or(StoreError::NotFound)
            }

            async fn find_invitation_by_token(&self, token_hash: &str, now: OffsetDateTime) -> StoreResult<Option<Invitation>> {
                let row = sqlx::query_as::<$db, InvitationRow>(concat!("SELECT ", invitation_columns!(), " FROM invitations WHERE token_hash = $1"))
                    .bind(token_hash)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(|r| r.into_invitation(now)))
            }

            async fn reissue_invitation(&self, program_id: Uuid, id: Uuid, token_hash: &str, expires_at: OffsetDateTime, now: OffsetDateTime) -> StoreResult<Invitation> {
                let row = sqlx::query_as::<$db, InvitationRow>(concat!(
                    "UPDATE invitations SET token_hash = $3, expires_at = $4 WHERE program_id = $1 AND id = $2 ",
                    "AND accepted_at IS NULL AND revoked_at IS NULL RETURNING ",
                    invitation_columns!()
                ))
                .bind(program_id)
                .bind(id)
                .bind(token_hash)
                .bind(to_millis(expires_at))
                .fetch_optional(self.writer())
                .await?;
                match row {
                    Some(row) => Ok(row.into_invitation(now)),
                    None => {
                        let current = self.get_invitation(program_id, id, now).await?;
                        Err(StoreError::Conflict(match current.status {
                            InvitationStatus::Accepted => "this invitation has already been accepted",
                            _ => "this invitation was revoked",
                        }))
                    }
                }
            }

            async fn revoke_invitation(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<Invitation> {
                let row = sqlx::query_as::<$db, InvitationRow>(concat!(
                    "UPDATE invitations SET revoked_at = $3 WHERE program_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING ",
                    invitation_columns!()
                ))
                .bind(program_id)
                .bind(id)
                .bind(to_millis(now))
                .fetch_optional(self.writer())
                .await?;
                match row {
                    Some(row) => Ok(row.into_invitation(now)),
                    None => {
                        let current = self.get_invitation(program_id, id, now).await?;
                        Err(StoreError::Conflict(match current.status {
                            InvitationStatus::Accepted => "this invitation has already been accepted",
                            _ => "this invitation was already revoked",
                        }))
                    }
                }
            }

            async fn accept_invitation(&self, token_hash: &str, acceptance: Acceptance, now: OffsetDateTime) -> StoreResult<User> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let claimed: Option<(Uuid, Uuid, String)> = sqlx::query_as::<$db, (Uuid, Uuid, String)>(
                    "UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
                     AND expires_at > $2 RETURNING id, program_id, role",
                )
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((invitation_id, program_id, role)) = claimed else {
                    let state = sqlx::query_as::<$db, (i64, Option<i64>, Option<i64>)>(
                        "SELECT expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err(match state {
                        Some((expires, accepted, revoked)) => link_state(expires <= now_ms, accepted.is_some(), revoked.is_some()),
                        None => StoreError::NotFound,
                    });
                };
                let user_id = match acceptance {
                    Acceptance::Existing(id) => id,
                    Acceptance::New(user) => {
                        let id = Uuid::now_v7();
                        sqlx::query::<$db>(
                            "INSERT INTO users (id, email, email_lower, name, password_hash, is_admin, can_create_programs, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(id)
                        .bind(&user.email)
                        .bind(user.email.to_lowercase())
                        .bind(&user.name)
                        .bind(&user.password_hash)
                        .bind(user.is_admin)
                        .bind(user.can_create_programs)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await
                        .map_err(conflict_on_unique("an account with this email already exists"))?;
                        id
                    }
                };
                sqlx::query::<$db>(
                    "INSERT INTO memberships (id, program_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (program_id, user_id) DO NOTHING",
                )
                .bind(Uuid::now_v7())
                .bind(program_id)
                .bind(user_id)
                .bind(&role)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>(join_program_channels_sql!())
                    .bind(program_id)
                    .bind(user_id)
                    .bind(role == "coordinator")
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<$db>("UPDATE invitations SET accepted_by = $2 WHERE id = $1")
                    .bind(invitation_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                self.get_user(user_id).await
            }

            async fn record_mail(&self, to: &str, subject: &str, body: &str, now: OffsetDateTime) -> StoreResult<Mail> {
                let row = sqlx::query_as::<$db, MailRow>(
                    "INSERT INTO outbox (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5) \
                     RETURNING id, recipient, subject, body, created_at",
                )
                .bind(Uuid::now_v7())
                .bind(to)
                .bind(subject)
                .bind(body)
                .bind(to_millis(now))
                .fetch_one(self.writer())
                .await?;
                Ok(row.into())
            }

            async fn list_mail(&self, page: PageRequest) -> StoreResult<Page<Mail>> {
                let rows = sqlx::query_as::<$db, MailRow>(
                    "SELECT id, recipient, subject, body, created_at FROM outbox WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
                )
                .bind(page.after)
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows.into_iter().map(Mail::from).collect(), page.limit, |m| m.id))
            }
            async fn create_channel(&self, new: NewChannel, now: OffsetDateTime) -> StoreResult<Channel> {
                let id = Uuid::now_v7();
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                sqlx::query::<$db>(
                    "INSERT INTO channels (id, program_id, kind, name, program_wide, last_seq, created_at, last_activity_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
                )
                .bind(id)
                .bind(new.program_id)
                .bind(new.kind.as_str())
                .bind(&new.name)
                .bind(new.program_wide)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                for (user, can_post) in &new.members {
                    sqlx::query::<$db>(
                        "INSERT INTO channel_members (channel_id, user_id, can_post, last_read_seq, joined_at) VALUES ($1, $2, $3, 0, $4) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(user)
                    .bind(can_post)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                if new.program_wide {
                    sqlx::query::<$db>(
                        "INSERT INTO channel_members (channel_id, user_id, can_post, last_read_seq, joined_at) \
                         SELECT $1, m.user_id, CASE WHEN $2 THEN TRUE ELSE m.role = 'coordinator' END, 0, $3 \
                         FROM memberships m WHERE m.program_id = $4 ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(new.kind != ChannelKind::Announcement)
                    .bind(now_ms)
                    .bind(new.program_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                self.get_channel(id).await
            }

            async fn open_pair_channel(&self, program_id: Uuid, a: Uuid, b: Uuid, name: &str, now: OffsetDateTime) -> StoreResult<(Channel, bool)> {
                if a == b {
                    return Err(StoreError::Conflict("a pair needs two different people"));
                }
                let key = pair_key(a, b);
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let created: Option<Uuid> = sqlx::query_scalar::<$db, Uuid>(
                    "INSERT INTO channels (id, program_id, kind, name, pair_key, program_wide, last_seq, created_at, last_activity_at) \
                     VALUES ($1, $2, 'pair', $3, $4, FALSE, 0, $5, $5) ON CONFLICT (pair_key) DO NOTHING RETURNING id",
                )
                .bind(Uuid::now_v7())
                .bind(program_id)
                .bind(name)
                .bind(&key)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = created else {
                    tx.rollback().await?;
                    let row = sqlx::query_as::<$db, ChannelRow>(concat!("SELECT ", channel_columns!(), " FROM channels c WHERE c.pair_key = $1"))
                        .bind(&key)
                        .fetch_one(self.writer())
                        .await?;
                    return Ok((row.into(), false));
                };
                for user in [a, b] {
                    sqlx::query::<$db>("INSERT INTO channel_members (channel_id, user_id, can_post, last_read_seq, joined_at) VALUES ($1, $2, TRUE, 0, $3)")
                        .bind(id)
                        .bind(user)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok((self.get_channel(id).await?, true))
            }

            async fn get_channel(&self, id: Uuid) -> StoreResult<Channel> {
                let row = sqlx::query_as::<$db, ChannelRow>(concat!("SELECT ", channel_columns!(), " FROM channels c WHERE c.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(Channel::from).ok_or(StoreError::NotFound)
            }

            async fn channel_access(&self, channel_id: Uuid, user_id: Uuid) -> StoreResult<Option<ChannelAccess>> {
                let row: Option<(bool, i64)> = sqlx::query_as::<$db, (bool, i64)>(
                    "SELECT cm.can_post, cm.last_read_seq FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
                     WHERE cm.channel_id = $1 AND cm.user_id = $2 \
                     AND NOT EXISTS (SELECT 1 FROM memberships sx WHERE sx.program_id = c.program_id AND sx.user_id = cm.user_id AND sx.suspended_at IS NOT NULL)",
                )
                .bind(channel_id)
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|(can_post, last_read_seq)| ChannelAccess { can_post, last_read_seq }))
            }

            async fn user_channels(&self, user_id: Uuid, page: PageRequest, members_up_to: i64) -> StoreResult<Page<ChannelView>> {
                // Driven from the person's memberships (the `channel_members_user` index): there
                // is no index on `last_activity_at` that could tempt a planner into walking every
                // channel, so the person's few hundred rows are sorted and cut to the page. The
                // unread counts and member lists are then read for that page only.
                let rows = sqlx::query_as::<$db, ChannelGrantRow>(concat!(
                    "SELECT ", channel_columns!(), ", cm.can_post, cm.last_read_seq ",
                    "FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1 ",
                    "AND NOT EXISTS (SELECT 1 FROM memberships sx WHERE sx.program_id = c.program_id AND sx.user_id = cm.user_id AND sx.suspended_at IS NOT NULL) ",
                    "AND ($2 IS NULL OR (c.last_activity_at, c.id) < (SELECT a.last_activity_at, a.id FROM channels a WHERE a.id = $2)) ",
                    "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $3"
                ))
                .bind(user_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                let page = Page::from_rows(rows, page.limit, |r| r.channel.id);
                let items = self.channel_views(user_id, page.items.into_iter().map(Into::into).collect(), members_up_to).await?;
                Ok(Page { items, next: page.next })
            }

            async fn user_channel(&self, user_id: Uuid, channel_id: Uuid, members_up_to: i64) -> StoreResult<Option<ChannelView>> {
                let row = sqlx::query_as::<$db, ChannelGrantRow>(concat!(
                    "SELECT ", channel_columns!(), ", cm.can_post, cm.last_read_seq ",
                    "FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1 AND cm.channel_id = $2 ",
                    "AND NOT EXISTS (SELECT 1 FROM memberships sx WHERE sx.program_id = c.program_id AND sx.user_id = cm.user_id AND sx.suspended_at IS NOT NULL) "
                ))
                .bind(user_id)
                .bind(channel_id)
                .fetch_optional(self.reader())
                .await?;
                let Some(row) = row else { return Ok(None) };
                Ok(self.channel_views(user_id, vec![row.into()], members_up_to).await?.pop())
            }

            async fn channel_views(&self, user_id: Uuid, rows: Vec<Membership>, members_up_to: i64) -> StoreResult<Vec<ChannelView>> {
                // Named by channel id, so each count is an index range and a planner cannot
                // mistake the few channels for the whole table. The channel's latest sequence
                // number and activity are read again with the counts: a connection that
                // registered for live delivery before this read misses nothing in between.
                let ids: Vec<Uuid> = rows.iter().map(|r| r.channel.id).collect();
                // Per channel: (latest seq, latest activity, read position, unread count).
                let mut now: std::collections::HashMap<Uuid, (i64, i64, i64, i64)> = std::collections::HashMap::new();
                for chunk in ids.chunks(IN_LIST_CHUNK) {
                    let sql = format!(
                        "SELECT cm.channel_id, c.last_seq, c.last_activity_at, cm.last_read_seq, \
                         (SELECT COUNT(*) FROM messages m WHERE m.channel_id = cm.channel_id \
                         AND m.seq > cm.last_read_seq AND m.kind = 'message' AND m.deleted_at IS NULL AND m.sender_id <> cm.user_id) \
                         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1 AND cm.channel_id IN ({})",
                        numbered(2, chunk.len())
                    );
                    let mut query = sqlx::query_as::<$db, (Uuid, i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(user_id);
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    now.extend(query.fetch_all(self.reader()).await?.into_iter().map(|(id, seq, at, read, n)| (id, (seq, at, read, n))));
                }
                let small: Vec<Uuid> =
                    rows.iter().filter(|r| r.channel.member_count <= members_up_to).map(|r| r.channel.id).collect();
                let mut by_channel: std::collections::HashMap<Uuid, Vec<ChannelMemberView>> = std::collections::HashMap::new();
                for chunk in small.chunks(IN_LIST_CHUNK) {
                    let sql = format!(
                        "SELECT cm.channel_id, u.id, u.name, cm.last_read_seq FROM channel_members cm JOIN users u ON u.id = cm.user_id \
                         WHERE cm.channel_id IN ({}) ORDER BY cm.joined_at, u.id",
                        numbered(1, chunk.len())
                    );
                    let mut query = sqlx::query_as::<$db, (Uuid, Uuid, String, i64)>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    for (channel, id, name, last_read_seq) in query.fetch_all(self.reader()).await? {
                        by_channel.entry(channel).or_default().push(ChannelMemberView { user_id: id, name, last_read_seq });
                    }
                }
                // A membership that ended since it was read is left out.
                Ok(rows
                    .into_iter()
                    .filter_map(|r| {
                        let id = r.channel.id;
                        let &(last_seq, last_activity_at, last_read_seq, unread) = now.get(&id)?;
                        let channel = Channel { last_seq, last_activity_at: from_millis(last_activity_at), ..r.channel };
                        Some(ChannelView {
                            channel,
                            can_post: r.can_post,
                            last_read_seq,
                            unread,
                            members: by_channel.remove(&id).unwrap_or_default(),
                        })
                    })
                    .collect())
            }

            async fn user_memberships(&self, user_id: Uuid) -> StoreResult<Vec<Membership>> {
                let rows = sqlx::query_as::<$db, ChannelGrantRow>(concat!(
                    "SELECT ", channel_columns!(), ", cm.can_post, cm.last_read_seq ",
                    "FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1 ",
                    "AND NOT EXISTS (SELECT 1 FROM memberships sx WHERE sx.program_id = c.program_id AND sx.user_id = cm.user_id AND sx.suspended_at IS NOT NULL) "
                ))
                .bind(user_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn channel_member_grants(&self, channel_id: Uuid) -> StoreResult<Vec<(Uuid, bool)>> {
                Ok(sqlx::query_as::<$db, (Uuid, bool)>("SELECT user_id, can_post FROM channel_members WHERE channel_id = $1")
                    .bind(channel_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn channel_members(&self, channel_id: Uuid) -> StoreResult<Vec<ChannelMemberRow>> {
                let rows: Vec<(Uuid, String, bool)> = sqlx::query_as::<$db, (Uuid, String, bool)>(
                    "SELECT u.id, u.name, cm.can_post FROM channel_members cm JOIN users u ON u.id = cm.user_id \
                     WHERE cm.channel_id = $1 ORDER BY u.id",
                )
                .bind(channel_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(user_id, name, can_post)| ChannelMemberRow { user_id, name, can_post }).collect())
            }

            async fn channel_members_page(
                &self,
                channel_id: Uuid,
                after: Option<Uuid>,
                limit: u32,
            ) -> StoreResult<Vec<ChannelMemberView>> {
                let rows = sqlx::query_as::<$db, (Uuid, String, i64)>(
                    "SELECT u.id, u.name, cm.last_read_seq FROM channel_members cm JOIN users u ON u.id = cm.user_id \
                     WHERE cm.channel_id = $1 AND ($2 IS NULL OR cm.user_id > $2) ORDER BY cm.user_id LIMIT $3",
                )
                .bind(channel_id)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(|(user_id, name, last_read_seq)| ChannelMemberView { user_id, name, last_read_seq }).collect())
            }

            async fn channel_members_among(&self, channel_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<ChannelMemberView>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT u.id, u.name, cm.last_read_seq FROM channel_members cm JOIN users u ON u.id = cm.user_id \
                     WHERE cm.channel_id = $1 AND cm.user_id IN ({}) ORDER BY cm.user_id",
                    numbered(2, ids.len())
                );
                let mut query = sqlx::query_as::<$db, (Uuid, String, i64)>(sqlx::AssertSqlSafe(sql)).bind(channel_id);
                for id in ids {
                    query = query.bind(*id);
                }
                let rows = query.fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(|(user_id, name, last_read_seq)| ChannelMemberView { user_id, name, last_read_seq }).collect())
            }

            async fn user_channel_ids(&self, user_id: Uuid, members_up_to: i64) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
                     WHERE cm.user_id = $1 AND c.member_count <= $2",
                )
                .bind(user_id)
                .bind(members_up_to)
                .fetch_all(self.reader())
                .await?)
            }

            async fn contacts(&self, user_id: Uuid, channels: &[Uuid]) -> StoreResult<Vec<Uuid>> {
                // Members by channel id (the caller read the person's small channels first):
                // the plan stays an index lookup per channel on both backends.
                let mut people = std::collections::BTreeSet::new();
                for chunk in channels.chunks(IN_LIST_CHUNK) {
                    let sql = format!(
                        "SELECT user_id FROM channel_members WHERE channel_id IN ({}) AND user_id <> ${}",
                        numbered(1, chunk.len()),
                        chunk.len() + 1
                    );
                    let mut query = sqlx::query_scalar::<$db, Uuid>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    people.extend(query.bind(user_id).fetch_all(self.reader()).await?);
                }
                Ok(people.into_iter().collect())
            }

            async fn append_message(&self, append: Append, now: OffsetDateTime) -> StoreResult<Appended> {
                self.append_new_message(append, now).await
            }

            async fn edit_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended> {
                self.change_message(append, target_seq, EventKind::Edit, false, now).await
            }

            async fn delete_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended> {
                self.change_message(append, target_seq, EventKind::Delete, false, now).await
            }

            async fn remove_message(&self, append: Append, target_seq: i64, now: OffsetDateTime) -> StoreResult<Appended> {
                self.change_message(append, target_seq, EventKind::Delete, true, now).await
            }

            async fn events_after(&self, channel_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<Event>> {
                let rows = sqlx::query_as::<$db, EventRow>(concat!(
                    "SELECT ", event_columns!(), " FROM messages WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                ))
                .bind(channel_id)
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Event::from).collect())
            }

            async fn history(&self, channel_id: Uuid, before_seq: Option<i64>, limit: u32) -> StoreResult<Vec<Event>> {
                let rows = sqlx::query_as::<$db, EventRow>(concat!(
                    "SELECT ", event_columns!(), " FROM messages WHERE channel_id = $1 AND kind = 'message' ",
                    "AND ($2 IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3"
                ))
                .bind(channel_id)
                .bind(before_seq)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Event::from).collect())
            }

            async fn mark_read(&self, channel_id: Uuid, user_id: Uuid, seq: i64) -> StoreResult<(i64, i64)> {
                let position: Option<i64> = sqlx::query_scalar::<$db, i64>(
                    "UPDATE channel_members SET last_read_seq = CASE WHEN $3 > last_read_seq THEN $3 ELSE last_read_seq END \
                     WHERE channel_id = $1 AND user_id = $2 RETURNING last_read_seq",
                )
                .bind(channel_id)
                .bind(user_id)
                .bind(seq)
                .fetch_optional(self.writer())
                .await?;
                let position = position.ok_or(StoreError::NotFound)?;
                let unread: i64 = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM messages WHERE channel_id = $1 AND seq > $2 AND kind = 'message' AND deleted_at IS NULL AND sender_id <> $3",
                )
                .bind(channel_id)
                .bind(position)
                .bind(user_id)
                .fetch_one(self.reader())
                .await?;
                Ok((position, unread))
            }
        }

        impl $store {
            /// The event a client id already produced in this channel, if any.
            async fn existing_event(&self, append: &Append) -> StoreResult<Option<Event>> {
                let row = sqlx::query_as::<$db, EventRow>(concat!(
                    "SELECT ", event_columns!(), " FROM messages WHERE channel_id = $1 AND sender_id = $2 AND client_id = $3"
                ))
                .bind(append.channel_id)
                .bind(append.sender_id)
                .bind(&append.client_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(Event::from))
            }

            async fn event_at(&self, channel_id: Uuid, seq: i64) -> StoreResult<Option<Event>> {
                let row = sqlx::query_as::<$db, EventRow>(concat!("SELECT ", event_columns!(), " FROM messages WHERE channel_id = $1 AND seq = $2"))
                    .bind(channel_id)
                    .bind(seq)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(Event::from))
            }

            /// An earlier write with the same client id: the same answer again, nothing new.
            async fn replay(&self, event: Event) -> StoreResult<Appended> {
                let target = match event.target_seq {
                    Some(seq) => self.event_at(event.channel_id, seq).await?,
                    None => None,
                };
                Ok(Appended { event, created: false, target })
            }

            /// Edits or deletes the author's own message (or, as a `moderator`, deletes anyone's): a
            /// new event in the log, and the message's stored state changed, in one transaction.
            async fn change_message(&self, append: Append, target_seq: i64, kind: EventKind, moderator: bool, now: OffsetDateTime) -> StoreResult<Appended> {
                if let Some(event) = self.existing_event(&append).await? {
                    return self.replay(event).await;
                }
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let seq: Option<i64> = sqlx::query_scalar::<$db, i64>("UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
                    .bind(append.channel_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let seq = seq.ok_or(StoreError::NotFound)?;
                let target: Option<(Uuid, String, Option<i64>)> = sqlx::query_as::<$db, (Uuid, String, Option<i64>)>(
                    "SELECT sender_id, kind, deleted_at FROM messages WHERE channel_id = $1 AND seq = $2",
                )
                .bind(append.channel_id)
                .bind(target_seq)
                .fetch_optional(&mut *tx)
                .await?;
                match target {
                    Some((_, ref k, _)) if k != "message" => return Err(StoreError::NotFound),
                    None => return Err(StoreError::NotFound),
                    Some((sender, _, _)) if sender != append.sender_id && !moderator => return Err(StoreError::Forbidden("only the author can change a message")),
                    Some((_, _, Some(_))) => return Err(StoreError::Conflict("this message was deleted")),
                    Some(_) => {}
                }
                let body = if kind == EventKind::Delete { String::new() } else { append.body.clone() };
                let inserted = sqlx::query::<$db>(
                    "INSERT INTO messages (channel_id, seq, id, kind, sender_id, client_id, body, target_seq, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(append.channel_id)
                .bind(seq)
                .bind(Uuid::now_v7())
                .bind(kind.as_str())
                .bind(append.sender_id)
                .bind(&append.client_id)
                .bind(&body)
                .bind(target_seq)
                .bind(now_ms)
                .execute(&mut *tx)
                .await;
                if let Err(e) = inserted {
                    // The same client id raced in from another connection: answer as it did.
                    if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                        drop(tx);
                        let event = self.existing_event(&append).await?.ok_or(StoreError::NotFound)?;
                        return self.replay(event).await;
                    }
                    return Err(e.into());
                }
                let changed = if kind == EventKind::Delete {
                    // `removed_by` names a moderator who is not the author.
                    sqlx::query::<$db>("UPDATE messages SET body = '', deleted_at = $3, \
                        removed_by = CASE WHEN sender_id = $4 THEN NULL ELSE $4 END \
                        WHERE channel_id = $1 AND seq = $2 AND deleted_at IS NULL")
                } else {
                    sqlx::query::<$db>("UPDATE messages SET body = $4, edited_at = $3 WHERE channel_id = $1 AND seq = $2 AND deleted_at IS NULL")
                        .bind(append.channel_id)
                        .bind(target_seq)
                        .bind(now_ms)
                        .bind(&body)
                };
                let changed = if kind == EventKind::Delete {
                    changed.bind(append.channel_id).bind(target_seq).bind(now_ms).bind(append.sender_id)
                } else {
                    changed
                }
                .execute(&mut *tx)
                .await?;
                if changed.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this message was deleted"));
                }
                tx.commit().await?;
                let event = self.event_at(append.channel_id, seq).await?.ok_or(StoreError::NotFound)?;
                let target = self.event_at(append.channel_id, target_seq).await?;
                Ok(Appended { event, created: true, target })
            }
        }

    };
}

pub(super) use impl_store;

//! Program data in the store: surveys (invitations once per person and occasion, a response once
//! per invitation, anonymous ones unlinkable), the raw counts engagement and the dashboard are
//! computed from (never a message's text), alerts (one open per pair and rule), the audit log,
//! notification settings, shared secrets, and deleting an account.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::vocab::{EmailKind, RiskRule};

use super::{Page, PageRequest, Role, StoreResult};

/// One message as its author's data export lists it (times in milliseconds since the epoch).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuthoredMessage {
    pub id: Uuid,
    pub channel_id: Uuid,
    pub seq: i64,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SurveyRecord {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub trigger: String,
    pub due_at: Option<i64>,
    pub audience: String,
    pub anonymous: bool,
    /// JSON list of questions.
    pub questions: String,
    pub created_by: Uuid,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Responses so far (filled by listings).
    pub responses: i64,
}

/// An invitation with what answering it needs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SurveyInvitationRecord {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub user_id: Uuid,
    pub occasion: String,
    pub match_id: Option<Uuid>,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub program_id: Uuid,
    pub program_name: String,
    pub title: String,
    pub anonymous: bool,
    pub questions: String,
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ResponseRecord {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub match_id: Option<Uuid>,
    pub answers: String,
    pub created_at: i64,
}

/// A program member with what the dashboard groups by.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RosterRow {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub career_stage: Option<String>,
    pub institution: Option<String>,
    pub cohort: String,
    pub joined_at: i64,
    /// The questionnaire's answers (JSON), if any.
    pub answers: Option<String>,
    pub completed_at: Option<i64>,
}

/// A match of a program, whatever its status.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PairRow {
    pub id: Uuid,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    #[sqlx(try_from = "String")]
    pub status: super::MatchStatus,
    pub score: f64,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub channel_id: Option<Uuid>,
}

/// Messages of one person in one pair channel: counts and times only.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageStat {
    pub channel_id: Uuid,
    pub sender_id: Uuid,
    pub count: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// One call both people joined.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MeetingStat {
    pub id: Uuid,
    pub pair_key: String,
    pub ended_at: i64,
    pub duration_ms: i64,
}

/// A week (Monday-based index since the epoch) in which a channel had a message.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActiveWeek {
    pub channel_id: Uuid,
    pub week: i64,
}

/// An active pair out of touch, as the at-risk step finds it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuietPair {
    pub match_id: Uuid,
    /// Their latest message or meeting, if they ever had one.
    pub last_contact_at: Option<i64>,
    pub activated_at: i64,
}

/// Everything engagement and the dashboard are computed from, for one program.
#[derive(Clone, Debug, Default)]
pub struct ProgramActivity {
    pub pairs: Vec<PairRow>,
    pub messages: Vec<MessageStat>,
    pub meetings: Vec<MeetingStat>,
    pub active_weeks: Vec<ActiveWeek>,
}

/// A program's "get help now" panel.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProgramHelpRow {
    pub program_id: Uuid,
    pub program_name: String,
    /// Empty when the program has none.
    pub text: String,
    pub updated_at: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RiskSettingsRow {
    pub enabled: bool,
    pub no_contact_days: i32,
    pub rating_drop: f64,
    pub fit_check: bool,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AlertRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    #[sqlx(try_from = "String")]
    pub rule: RiskRule,
    pub detail: String,
    pub raised_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
    /// The nil id for the program's own rules; else the person (of the pair) whose request or
    /// named answer raised it.
    pub raised_by: Uuid,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub mentor_id: Uuid,
    pub mentor_name: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub program_id: Option<Uuid>,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationPrefsRow {
    pub message_digest: bool,
    pub meeting_reminders: bool,
    pub survey_invitations: bool,
    pub match_proposals: bool,
}

impl Default for NotificationPrefsRow {
    fn default() -> Self {
        Self { message_digest: true, meeting_reminders: true, survey_invitations: true, match_proposals: true }
    }
}

impl NotificationPrefsRow {
    /// Whether emails of `kind` are on.
    pub fn enabled(&self, kind: EmailKind) -> bool {
        match kind {
            EmailKind::MessageDigest => self.message_digest,
            EmailKind::MeetingReminders => self.meeting_reminders,
            EmailKind::SurveyInvitations => self.survey_invitations,
            EmailKind::MatchProposals => self.match_proposals,
        }
    }

    /// Turns emails of `kind` on or off.
    pub fn set(&mut self, kind: EmailKind, on: bool) {
        match kind {
            EmailKind::MessageDigest => self.message_digest = on,
            EmailKind::MeetingReminders => self.meeting_reminders = on,
            EmailKind::SurveyInvitations => self.survey_invitations = on,
            EmailKind::MatchProposals => self.match_proposals = on,
        }
    }
}

/// Someone with unread messages from others, for the digest.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UnreadRow {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub unread: i64,
    pub channels: i64,
    pub latest_at: i64,
}

/// What deleting an account changed, for telling others.
#[derive(Clone, Debug, Default)]
pub struct DeletedAccount {
    /// The pair channels of the person's matches, where the counterpart is told.
    pub pair_channels: Vec<Uuid>,
    /// The matches that were open and are now ended (or declined, if only proposed).
    pub closed_matches: Vec<Uuid>,
}

#[async_trait]
pub trait ProgramDataStore: Send + Sync {
    // --- surveys ---
    async fn create_survey(&self, survey: &SurveyRecord) -> StoreResult<()>;
    /// A program's surveys, oldest first.
    async fn list_surveys(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<SurveyRecord>>;
    async fn get_survey(&self, id: Uuid) -> StoreResult<SurveyRecord>;
    /// Surveys of any program that go out at a time (date, midpoint, end) and have not yet.
    async fn unsent_timed_surveys(&self) -> StoreResult<Vec<SurveyRecord>>;
    /// Marks a timed survey sent; false when another worker did first.
    async fn mark_survey_sent(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;
    /// Invites once per person, survey and occasion: the new invitation's id, `None` if it existed.
    async fn invite_to_survey(
        &self,
        survey_id: Uuid,
        user_id: Uuid,
        occasion: &str,
        match_id: Option<Uuid>,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>>;
    /// A person's unanswered invitations, newest first.
    async fn open_survey_invitations(&self, user_id: Uuid) -> StoreResult<Vec<SurveyInvitationRecord>>;
    async fn get_survey_invitation(&self, id: Uuid) -> StoreResult<SurveyInvitationRecord>;
    /// Records the answer to an invitation once (`Conflict` the second time). An anonymous
    /// response keeps neither the person nor the pair, and only the day.
    async fn answer_survey(
        &self,
        invitation: &SurveyInvitationRecord,
        answers: &str,
        anonymous: bool,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn survey_responses(&self, survey_id: Uuid) -> StoreResult<Vec<ResponseRecord>>;
    /// Unanswered, unreminded invitations created before `before`.
    async fn invitations_to_remind(&self, before: i64) -> StoreResult<Vec<SurveyInvitationRecord>>;
    /// Claims the reminder of an invitation; false when another worker did first.
    async fn claim_survey_reminder(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;

    // --- participants, engagement ---
    /// A page of a program's members with their profile and questionnaire, in the order they
    /// joined (the cursor: the last person's user id).
    async fn roster_page(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<RosterRow>>;
    /// The proposed and active pairs of a program that include any of `people`: (mentee, mentor,
    /// status).
    async fn open_pairs_of(&self, program_id: Uuid, people: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid, String)>>;
    /// A page of a program's pairs in the order of `program_activity`: all of them, or only
    /// those that became active.
    async fn pairs_page(&self, program_id: Uuid, page: PageRequest, activated_only: bool)
    -> StoreResult<Page<PairRow>>;
    /// A page of a survey's responses in the order of `survey_responses` (the cursor: a response id).
    async fn survey_responses_page(&self, survey_id: Uuid, page: PageRequest) -> StoreResult<Page<ResponseRecord>>;
    async fn set_cohort(&self, program_id: Uuid, user_id: Uuid, cohort: &str) -> StoreResult<()>;
    async fn program_activity(&self, program_id: Uuid) -> StoreResult<ProgramActivity>;
    /// Moves each active pair's last contact (its latest message from either person, or meeting)
    /// forward to what happened at or after `since`: the messages and ended calls of that window
    /// only. With `None` (the first run), each active pair's newest message from either person
    /// (one probe of its channel) and every meeting are read instead.
    async fn record_contacts(&self, since: Option<i64>) -> StoreResult<()>;
    /// A program's active pairs, activated before `before`, whose last contact (if any) is before
    /// it too, and that have no open `no_contact` alert.
    async fn quiet_pairs(&self, program_id: Uuid, before: i64) -> StoreResult<Vec<QuietPair>>;
    /// A program's pairs with an open `no_contact` alert whose last contact is at or after `since`.
    async fn back_in_contact(&self, program_id: Uuid, since: i64) -> StoreResult<Vec<Uuid>>;
    /// The activity of one page of a program's pairs that became active (in the order of
    /// `program_activity`, the cursor the last pair's match id): their messages and meetings only,
    /// so a page costs its pairs, not the program. `active_weeks` is left
    /// empty (the engagement list does not read it).
    async fn activated_pairs_activity(
        &self,
        program_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<(ProgramActivity, Option<Uuid>)>;
    /// Ended calls both people of a pair joined, ended at or after `since`, of every program.
    async fn meetings_since(&self, since: i64) -> StoreResult<Vec<(Uuid, Uuid, Uuid, Uuid, i64)>>;

    // --- at risk ---
    async fn risk_settings(&self, program_id: Uuid) -> StoreResult<Option<RiskSettingsRow>>;
    /// A program's help panel (empty text when it has none).
    async fn program_help(&self, program_id: Uuid) -> StoreResult<ProgramHelpRow>;
    async fn put_program_help(&self, program_id: Uuid, text: &str, by: Uuid, now: OffsetDateTime) -> StoreResult<()>;
    /// The help panels of the programs a person belongs to that have one, by program name.
    async fn help_for(&self, user_id: Uuid) -> StoreResult<Vec<ProgramHelpRow>>;
    async fn put_risk_settings(&self, program_id: Uuid, settings: &RiskSettingsRow) -> StoreResult<()>;
    /// Programs with at-risk checks on (the default when never set).
    async fn programs_for_risk_checks(&self) -> StoreResult<Vec<Uuid>>;
    /// Raises an alert unless one is open for the pair, rule and person who raised it (`None`:
    /// the program's own rules): the new alert's id, or `None`.
    async fn raise_alert(
        &self,
        program_id: Uuid,
        match_id: Uuid,
        rule: RiskRule,
        raised_by: Option<Uuid>,
        detail: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>>;
    /// A program's alerts, newest first (open ones only, or all).
    async fn list_alerts(&self, program_id: Uuid, open_only: bool, page: PageRequest) -> StoreResult<Page<AlertRow>>;
    async fn get_alert(&self, id: Uuid) -> StoreResult<AlertRow>;
    /// Closes an open alert; false when it was already closed.
    async fn resolve_alert(&self, id: Uuid, resolution: &str, now: OffsetDateTime) -> StoreResult<bool>;
    /// Closes a pair's open alert of one rule (the condition went away).
    async fn resolve_rule(&self, match_id: Uuid, rule: RiskRule, now: OffsetDateTime) -> StoreResult<()>;
    /// The ids of a program's members of one role.
    async fn program_members_of_role(&self, program_id: Uuid, role: Role) -> StoreResult<Vec<Uuid>>;
    async fn checkin_channel(&self, match_id: Uuid, coordinator: Uuid) -> StoreResult<Option<Uuid>>;
    /// Remembers the coordinator's channel with a pair; the one stored first wins.
    async fn set_checkin_channel(&self, match_id: Uuid, coordinator: Uuid, channel: Uuid) -> StoreResult<Uuid>;
    /// The channel of a coordinator and one person of a program, if opened.
    async fn followup_channel(&self, program_id: Uuid, coordinator: Uuid, user: Uuid) -> StoreResult<Option<Uuid>>;
    /// Remembers the channel of a coordinator and one person; the one stored first wins.
    async fn set_followup_channel(
        &self,
        program_id: Uuid,
        coordinator: Uuid,
        user: Uuid,
        channel: Uuid,
    ) -> StoreResult<Uuid>;

    // --- audit, notifications, secrets ---
    async fn record_audit(
        &self,
        actor: Uuid,
        action: &str,
        program_id: Option<Uuid>,
        detail: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn list_audit(&self, before: Option<Uuid>, limit: u32) -> StoreResult<Vec<AuditRow>>;
    async fn notification_prefs(&self, user_id: Uuid) -> StoreResult<NotificationPrefsRow>;
    async fn put_notification_prefs(&self, user_id: Uuid, prefs: NotificationPrefsRow) -> StoreResult<()>;
    /// Who may be due a digest: members of a channel with a message created in `[after, before)`
    /// that they have not read (and who can get digests), and everyone left waiting by earlier
    /// runs.
    /// Reads only that window of messages (an index on their time), however long the history.
    async fn digest_candidates(&self, after: i64, before: i64) -> StoreResult<Vec<Uuid>>;
    /// Of `users`, those with messages from others unread since their last digest and before
    /// `before` (and digests on).
    async fn unread_for_digest(&self, users: &[Uuid], before: i64) -> StoreResult<Vec<UnreadRow>>;
    /// Moves a person's digest watermark up to `through`: false when it was already there (another
    /// worker claimed this digest), so a digest goes out once however many workers sweep.
    async fn claim_digest(&self, user_id: Uuid, through: i64) -> StoreResult<bool>;
    /// Adds people to, and removes people from, those waiting for a digest (online when it came due).
    async fn set_digest_waiting(&self, add: &[Uuid], remove: &[Uuid]) -> StoreResult<()>;
    /// How far the named periodic step has looked, if it ever ran.
    async fn sweep_mark(&self, name: &str) -> StoreResult<Option<i64>>;
    /// Moves the named step's mark forward to `through` (never back).
    async fn advance_sweep_mark(&self, name: &str, through: i64) -> StoreResult<()>;
    /// The secret of this name, made from `candidate` by whichever node asks first.
    async fn secret(&self, name: &str, candidate: &str) -> StoreResult<String>;

    // --- privacy ---
    /// A page of the messages a person wrote (not their edits and deletions as events), oldest
    /// first; the cursor is a message's id.
    async fn authored_messages(&self, user_id: Uuid, page: PageRequest) -> StoreResult<Page<AuthoredMessage>>;
    /// Named survey responses of a person: `(survey title, answers, created at)`.
    async fn own_survey_responses(&self, user_id: Uuid) -> StoreResult<Vec<(String, String, i64)>>;
    /// Check-ins of a person: `(call id, rating, note, created at)`.
    async fn own_checkins(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, i32, String, i64)>>;
    /// What a person raised with coordinators (their requests for support, their named answers
    /// that a match is not working): `(program id, rule, detail, raised at, resolved at)`.
    async fn own_alerts(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, String, i64, Option<i64>)>>;
    /// Questionnaires of a person: `(program id, answers, completed at)`.
    async fn own_questionnaires(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, Option<i64>)>>;
    /// Deletes an account in one transaction: messages become tombstones, the profile is erased,
    /// sessions, questionnaires, named responses and settings go, open matches end.
    async fn delete_account(&self, user_id: Uuid, now: OffsetDateTime) -> StoreResult<DeletedAccount>;
}

macro_rules! impl_program_data_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::ProgramDataStore for $store {
            async fn create_survey(&self, s: &SurveyRecord) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO surveys (id, program_id, title, trigger, due_at, audience, anonymous, questions, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(s.id)
                .bind(s.program_id)
                .bind(&s.title)
                .bind(&s.trigger)
                .bind(s.due_at)
                .bind(&s.audience)
                .bind(s.anonymous)
                .bind(&s.questions)
                .bind(s.created_by)
                .bind(s.created_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn list_surveys(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<SurveyRecord>> {
                let rows = sqlx::query_as::<$db, SurveyRecord>(
                    "SELECT s.*, (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses \
                     FROM surveys s WHERE s.program_id = $1 AND ($2 IS NULL OR s.id > $2) ORDER BY s.id LIMIT $3",
                )
                .bind(program_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |s| s.id))
            }

            async fn get_survey(&self, id: Uuid) -> StoreResult<SurveyRecord> {
                sqlx::query_as::<$db, SurveyRecord>(
                    "SELECT s.*, (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses \
                     FROM surveys s WHERE s.id = $1",
                )
                .bind(id)
                .fetch_optional(self.reader())
                .await?
                .ok_or(StoreError::NotFound)
            }

            async fn unsent_timed_surveys(&self) -> StoreResult<Vec<SurveyRecord>> {
                Ok(sqlx::query_as::<$db, SurveyRecord>(
                    "SELECT s.*, CAST(0 AS BIGINT) AS responses FROM surveys s \
                     WHERE s.sent_at IS NULL AND s.trigger IN ('date','midpoint','end')",
                )
                .fetch_all(self.reader())
                .await?)
            }

            async fn mark_survey_sent(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
                let done = sqlx::query::<$db>("UPDATE surveys SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL")
                    .bind(id)
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn invite_to_survey(&self, survey_id: Uuid, user_id: Uuid, occasion: &str, match_id: Option<Uuid>, now: OffsetDateTime) -> StoreResult<Option<Uuid>> {
                let id = Uuid::now_v7();
                let done = sqlx::query::<$db>(
                    "INSERT INTO survey_invitations (id, survey_id, user_id, occasion, match_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (survey_id, user_id, occasion) DO NOTHING",
                )
                .bind(id)
                .bind(survey_id)
                .bind(user_id)
                .bind(occasion)
                .bind(match_id)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok((done.rows_affected() == 1).then_some(id))
            }

            async fn open_survey_invitations(&self, user_id: Uuid) -> StoreResult<Vec<SurveyInvitationRecord>> {
                Ok(sqlx::query_as::<$db, SurveyInvitationRecord>(concat!(
                    survey_invitation_select!(),
                    " WHERE i.user_id = $1 AND i.answered_at IS NULL ORDER BY i.id DESC LIMIT 100"
                ))
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn get_survey_invitation(&self, id: Uuid) -> StoreResult<SurveyInvitationRecord> {
                sqlx::query_as::<$db, SurveyInvitationRecord>(concat!(survey_invitation_select!(), " WHERE i.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .ok_or(StoreError::NotFound)
            }

            async fn answer_survey(&self, inv: &SurveyInvitationRecord, answers: &str, anonymous: bool, now: OffsetDateTime) -> StoreResult<()> {
                let now_ms = to_millis(now);
                // An anonymous answer keeps only the day, on the invitation too, so the two cannot
                // be lined up by time.
                let day = now_ms - now_ms.rem_euclid(86_400_000);
                let mut tx = self.begin().await?;
                let done = sqlx::query::<$db>(
                    "UPDATE survey_invitations SET answered_at = $3 WHERE id = $1 AND user_id = $2 AND answered_at IS NULL",
                )
                .bind(inv.id)
                .bind(inv.user_id)
                .bind(if anonymous { day } else { now_ms })
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this survey is already answered"));
                }
                let (user, pair, at) = if anonymous {
                    (None, None, day)
                } else {
                    (Some(inv.user_id), inv.match_id, now_ms)
                };
                sqlx::query::<$db>(
                    "INSERT INTO survey_responses (id, survey_id, user_id, match_id, answers, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                // An anonymous response's id must not reveal when it was given either.
                .bind(if anonymous { Uuid::new_v4() } else { Uuid::now_v7() })
                .bind(inv.survey_id)
                .bind(user)
                .bind(pair)
                .bind(answers)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn survey_responses(&self, survey_id: Uuid) -> StoreResult<Vec<ResponseRecord>> {
                Ok(sqlx::query_as::<$db, ResponseRecord>(
                    "SELECT id, user_id, match_id, answers, created_at FROM survey_responses WHERE survey_id = $1 ORDER BY created_at, id",
                )
                .bind(survey_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn invitations_to_remind(&self, before: i64) -> StoreResult<Vec<SurveyInvitationRecord>> {
                Ok(sqlx::query_as::<$db, SurveyInvitationRecord>(concat!(
                    survey_invitation_select!(),
                    " WHERE i.answered_at IS NULL AND i.reminded_at IS NULL AND i.created_at < $1 LIMIT 500"
                ))
                .bind(before)
                .fetch_all(self.reader())
                .await?)
            }

            async fn claim_survey_reminder(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
                let done = sqlx::query::<$db>(
                    "UPDATE survey_invitations SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND answered_at IS NULL",
                )
                .bind(id)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn roster_page(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<RosterRow>> {
                let rows = sqlx::query_as::<$db, RosterRow>(
                    "SELECT u.id AS user_id, u.name, u.email, m.role, u.career_stage, u.institution, m.cohort, m.joined_at, \
                     q.answers, q.completed_at FROM memberships m JOIN users u ON u.id = m.user_id \
                     LEFT JOIN questionnaires q ON q.program_id = m.program_id AND q.user_id = m.user_id \
                     WHERE m.program_id = $1 AND ($2 IS NULL OR (m.joined_at, m.user_id) > \
                     (SELECT c.joined_at, c.user_id FROM memberships c WHERE c.program_id = $1 AND c.user_id = $2)) \
                     ORDER BY m.joined_at, m.user_id LIMIT $3",
                )
                .bind(program_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |r| r.user_id))
            }

            async fn open_pairs_of(&self, program_id: Uuid, people: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid, String)>> {
                let mut pairs = Vec::new();
                for chunk in people.chunks(IN_LIST_CHUNK) {
                    let list = numbered(2, chunk.len());
                    let sql = format!(
                        "SELECT mentee_id, mentor_id, status FROM matches WHERE program_id = $1 AND status IN ('proposed', 'active') \
                         AND mentee_id IN ({list}) UNION SELECT mentee_id, mentor_id, status FROM matches WHERE program_id = $1 \
                         AND status IN ('proposed', 'active') AND mentor_id IN ({list})"
                    );
                    let mut query = sqlx::query_as::<$db, (Uuid, Uuid, String)>(sqlx::AssertSqlSafe(sql)).bind(program_id);
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    pairs.extend(query.fetch_all(self.reader()).await?);
                }
                Ok(pairs)
            }

            async fn pairs_page(&self, program_id: Uuid, page: PageRequest, activated_only: bool) -> StoreResult<Page<PairRow>> {
                let rows = sqlx::query_as::<$db, PairRow>(
                    "SELECT m.id, m.mentee_id, e.name AS mentee_name, m.mentor_id, r.name AS mentor_name, m.status, m.score, \
                     m.created_at, m.activated_at, m.ended_at, m.channel_id FROM matches m \
                     JOIN users e ON e.id = m.mentee_id JOIN users r ON r.id = m.mentor_id \
                     WHERE m.program_id = $1 AND ($4 = FALSE OR m.activated_at IS NOT NULL) AND ($2 IS NULL OR \
                     (m.created_at, m.id) > (SELECT c.created_at, c.id FROM matches c WHERE c.id = $2)) \
                     ORDER BY m.created_at, m.id LIMIT $3",
                )
                .bind(program_id)
                .bind(page.after)
                .bind(page.fetch())
                .bind(activated_only)
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |p| p.id))
            }

            async fn survey_responses_page(&self, survey_id: Uuid, page: PageRequest) -> StoreResult<Page<ResponseRecord>> {
                let rows = sqlx::query_as::<$db, ResponseRecord>(
                    "SELECT id, user_id, match_id, answers, created_at FROM survey_responses WHERE survey_id = $1 \
                     AND ($2 IS NULL OR (created_at, id) > (SELECT c.created_at, c.id FROM survey_responses c WHERE c.id = $2)) \
                     ORDER BY created_at, id LIMIT $3",
                )
                .bind(survey_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |r| r.id))
            }

            async fn set_cohort(&self, program_id: Uuid, user_id: Uuid, cohort: &str) -> StoreResult<()> {
                let done = sqlx::query::<$db>("UPDATE memberships SET cohort = $3 WHERE program_id = $1 AND user_id = $2")
                    .bind(program_id)
                    .bind(user_id)
                    .bind(cohort)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn program_activity(&self, program_id: Uuid) -> StoreResult<ProgramActivity> {
                let pairs = sqlx::query_as::<$db, PairRow>(
                    "SELECT m.id, m.mentee_id, e.name AS mentee_name, m.mentor_id, r.name AS mentor_name, m.status, m.score, \
                     m.created_at, m.activated_at, m.ended_at, m.channel_id FROM matches m \
                     JOIN users e ON e.id = m.mentee_id JOIN users r ON r.id = m.mentor_id \
                     WHERE m.program_id = $1 ORDER BY m.created_at, m.id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                let meetings = sqlx::query_as::<$db, MeetingStat>(
                    "SELECT id, pair_key, ended_at, COALESCE(duration_ms, 0) AS duration_ms FROM calls \
                     WHERE program_id = $1 AND NOT live AND caller_joined_at IS NOT NULL AND callee_joined_at IS NOT NULL \
                     AND ended_at IS NOT NULL ORDER BY ended_at",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                let mut activity = ProgramActivity { pairs, messages: Vec::new(), meetings, active_weeks: Vec::new() };
                // Counts and times only: the text of a message is never read here.
                activity.messages = sqlx::query_as::<$db, MessageStat>(
                    "SELECT g.channel_id, g.sender_id, COUNT(*) AS count, MIN(g.created_at) AS first_at, MAX(g.created_at) AS last_at \
                     FROM messages g JOIN matches m ON m.channel_id = g.channel_id \
                     WHERE m.program_id = $1 AND g.kind = 'message' AND g.sender_id IN (m.mentee_id, m.mentor_id) \
                     GROUP BY g.channel_id, g.sender_id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                activity.active_weeks = sqlx::query_as::<$db, ActiveWeek>(
                    "SELECT DISTINCT g.channel_id, (g.created_at - 345600000) / 604800000 AS week \
                     FROM messages g JOIN matches m ON m.channel_id = g.channel_id \
                     WHERE m.program_id = $1 AND g.kind = 'message' AND g.sender_id IN (m.mentee_id, m.mentor_id)",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(activity)
            }

            async fn record_contacts(&self, since: Option<i64>) -> StoreResult<()> {
                // Only ever forward: a later run, or another worker's, never moves a contact back.
                const FORWARD: &str = " ON CONFLICT (match_id) DO UPDATE SET last_contact_at = CASE \
                    WHEN excluded.last_contact_at > pair_contacts.last_contact_at THEN excluded.last_contact_at \
                    ELSE pair_contacts.last_contact_at END";
                let messages = match since {
                    // The window's messages (an index on their time), each to its pair's match.
                    Some(_) => "INSERT INTO pair_contacts (match_id, last_contact_at) \
                        SELECT m.id, MAX(g.created_at) FROM messages g JOIN matches m ON m.channel_id = g.channel_id \
                        WHERE g.created_at >= $1 AND g.kind = 'message' AND m.status = 'active' \
                        AND g.sender_id IN (m.mentee_id, m.mentor_id) GROUP BY m.id",
                    // Each active pair's channel walked back from its newest event to the first
                    // message of either person: usually one row.
                    None => "INSERT INTO pair_contacts (match_id, last_contact_at) \
                        SELECT id, last_at FROM (SELECT m.id, (SELECT g.created_at FROM messages g WHERE g.channel_id = m.channel_id \
                        AND g.kind = 'message' AND g.sender_id IN (m.mentee_id, m.mentor_id) ORDER BY g.seq DESC LIMIT 1) AS last_at \
                        FROM matches m WHERE m.status = 'active' AND m.channel_id IS NOT NULL) latest WHERE last_at IS NOT NULL",
                };
                let mut tx = self.begin().await?;
                let query = sqlx::query::<$db>(sqlx::AssertSqlSafe(format!("{messages}{FORWARD}")));
                match since {
                    Some(since) => query.bind(since).execute(&mut *tx).await?,
                    None => query.execute(&mut *tx).await?,
                };
                // Meetings: calls both people joined, to the active match of the two (either of
                // whom may have called).
                const MET: &str = "WHERE c.ended_at >= $1 AND NOT c.live AND c.caller_joined_at IS NOT NULL \
                    AND c.callee_joined_at IS NOT NULL";
                sqlx::query::<$db>(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO pair_contacts (match_id, last_contact_at) \
                     SELECT match_id, MAX(ended_at) FROM (\
                     SELECT m.id AS match_id, c.ended_at FROM calls c JOIN matches m ON m.mentee_id = c.caller_id \
                     AND m.mentor_id = c.callee_id AND m.program_id = c.program_id AND m.status = 'active' {MET} \
                     UNION ALL SELECT m.id, c.ended_at FROM calls c JOIN matches m ON m.mentee_id = c.callee_id \
                     AND m.mentor_id = c.caller_id AND m.program_id = c.program_id AND m.status = 'active' {MET}) met \
                     WHERE match_id IS NOT NULL GROUP BY match_id{FORWARD}"
                )))
                .bind(since.unwrap_or(0))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn quiet_pairs(&self, program_id: Uuid, before: i64) -> StoreResult<Vec<QuietPair>> {
                Ok(sqlx::query_as::<$db, QuietPair>(
                    "SELECT m.id AS match_id, pc.last_contact_at, m.activated_at FROM matches m \
                     LEFT JOIN pair_contacts pc ON pc.match_id = m.id \
                     WHERE m.program_id = $1 AND m.status = 'active' AND m.activated_at < $2 \
                     AND (pc.last_contact_at IS NULL OR pc.last_contact_at < $2) \
                     AND NOT EXISTS (SELECT 1 FROM risk_alerts a WHERE a.match_id = m.id AND a.rule = 'no_contact' AND a.resolved_at IS NULL)",
                )
                .bind(program_id)
                .bind(before)
                .fetch_all(self.reader())
                .await?)
            }

            async fn back_in_contact(&self, program_id: Uuid, since: i64) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT a.match_id FROM risk_alerts a JOIN pair_contacts pc ON pc.match_id = a.match_id \
                     WHERE a.program_id = $1 AND a.rule = 'no_contact' AND a.resolved_at IS NULL AND pc.last_contact_at >= $2",
                )
                .bind(program_id)
                .bind(since)
                .fetch_all(self.reader())
                .await?)
            }

            async fn activated_pairs_activity(
                &self,
                program_id: Uuid,
                page: PageRequest,
            ) -> StoreResult<(ProgramActivity, Option<Uuid>)> {
                let pairs = self.pairs_page(program_id, page, true).await?;
                let mut activity = ProgramActivity {
                    pairs: pairs.items,
                    messages: Vec::new(),
                    meetings: Vec::new(),
                    active_weeks: Vec::new(),
                };
                // Messages by their pair channel, the first column of their key: a page reads its
                // own channels, never the whole table.
                let channels: Vec<Uuid> = activity.pairs.iter().filter_map(|p| p.channel_id).collect();
                for chunk in channels.chunks(IN_LIST_CHUNK) {
                    let sql = format!(
                        "SELECT g.channel_id, g.sender_id, COUNT(*) AS count, MIN(g.created_at) AS first_at, MAX(g.created_at) AS last_at \
                         FROM messages g JOIN matches m ON m.channel_id = g.channel_id AND m.program_id = $1 \
                         WHERE g.channel_id IN ({}) AND g.kind = 'message' AND g.sender_id IN (m.mentee_id, m.mentor_id) \
                         GROUP BY g.channel_id, g.sender_id",
                        numbered(2, chunk.len())
                    );
                    let mut query = sqlx::query_as::<$db, MessageStat>(sqlx::AssertSqlSafe(sql)).bind(program_id);
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    activity.messages.extend(query.fetch_all(self.reader()).await?);
                }
                let keys: Vec<String> = activity.pairs.iter().map(|p| pair_key(p.mentee_id, p.mentor_id)).collect();
                for keys in keys.chunks(IN_LIST_CHUNK) {
                    let sql = format!(
                        "SELECT id, pair_key, ended_at, COALESCE(duration_ms, 0) AS duration_ms FROM calls \
                         WHERE program_id = $1 AND pair_key IN ({}) AND NOT live AND caller_joined_at IS NOT NULL \
                         AND callee_joined_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY ended_at",
                        numbered(2, keys.len())
                    );
                    let mut query = sqlx::query_as::<$db, MeetingStat>(sqlx::AssertSqlSafe(sql)).bind(program_id);
                    for key in keys {
                        query = query.bind(key.clone());
                    }
                    activity.meetings.extend(query.fetch_all(self.reader()).await?);
                }
                Ok((activity, pairs.next))
            }

            async fn meetings_since(&self, since: i64) -> StoreResult<Vec<(Uuid, Uuid, Uuid, Uuid, i64)>> {
                Ok(sqlx::query_as::<$db, (Uuid, Uuid, Uuid, Uuid, i64)>(
                    "SELECT id, program_id, caller_id, callee_id, ended_at FROM calls WHERE NOT live AND ended_at >= $1 \
                     AND caller_joined_at IS NOT NULL AND callee_joined_at IS NOT NULL ORDER BY ended_at",
                )
                .bind(since)
                .fetch_all(self.reader())
                .await?)
            }

            async fn program_help(&self, program_id: Uuid) -> StoreResult<ProgramHelpRow> {
                sqlx::query_as::<$db, ProgramHelpRow>(
                    "SELECT p.id AS program_id, p.name AS program_name, COALESCE(h.text, '') AS text, h.updated_at \
                     FROM programs p LEFT JOIN program_help h ON h.program_id = p.id WHERE p.id = $1",
                )
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?
                .ok_or(StoreError::NotFound)
            }

            async fn put_program_help(&self, program_id: Uuid, text: &str, by: Uuid, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO program_help (program_id, text, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (program_id) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, \
                     updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(text)
                .bind(by)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn help_for(&self, user_id: Uuid) -> StoreResult<Vec<ProgramHelpRow>> {
                Ok(sqlx::query_as::<$db, ProgramHelpRow>(
                    "SELECT p.id AS program_id, p.name AS program_name, h.text, h.updated_at FROM memberships ms \
                     JOIN programs p ON p.id = ms.program_id JOIN program_help h ON h.program_id = p.id \
                     WHERE ms.user_id = $1 AND h.text <> '' ORDER BY p.name, p.id",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn risk_settings(&self, program_id: Uuid) -> StoreResult<Option<RiskSettingsRow>> {
                Ok(sqlx::query_as::<$db, RiskSettingsRow>(
                    "SELECT enabled, no_contact_days, rating_drop, fit_check FROM risk_settings WHERE program_id = $1",
                )
                .bind(program_id)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn put_risk_settings(&self, program_id: Uuid, s: &RiskSettingsRow) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO risk_settings (program_id, enabled, no_contact_days, rating_drop, fit_check) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (program_id) DO UPDATE SET enabled = excluded.enabled, no_contact_days = excluded.no_contact_days, \
                     rating_drop = excluded.rating_drop, fit_check = excluded.fit_check",
                )
                .bind(program_id)
                .bind(s.enabled)
                .bind(s.no_contact_days)
                .bind(s.rating_drop)
                .bind(s.fit_check)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn programs_for_risk_checks(&self) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT DISTINCT m.program_id FROM matches m LEFT JOIN risk_settings s ON s.program_id = m.program_id \
                     WHERE m.status = 'active' AND (s.enabled IS NULL OR s.enabled)",
                )
                .fetch_all(self.reader())
                .await?)
            }

            async fn raise_alert(
                &self,
                program_id: Uuid,
                match_id: Uuid,
                rule: RiskRule,
                raised_by: Option<Uuid>,
                detail: &str,
                now: OffsetDateTime,
            ) -> StoreResult<Option<Uuid>> {
                let id = Uuid::now_v7();
                let done = sqlx::query::<$db>(
                    "INSERT INTO risk_alerts (id, program_id, match_id, rule, raised_by, detail, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (match_id, rule, raised_by) WHERE resolved_at IS NULL DO NOTHING",
                )
                .bind(id)
                .bind(program_id)
                .bind(match_id)
                .bind(rule.as_str())
                .bind(raised_by.unwrap_or(Uuid::nil()))
                .bind(detail)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok((done.rows_affected() == 1).then_some(id))
            }

            async fn list_alerts(&self, program_id: Uuid, open_only: bool, page: PageRequest) -> StoreResult<Page<AlertRow>> {
                // The cursor is the last alert of the previous page; its (time, id) is where this
                // page starts.
                let rows = sqlx::query_as::<$db, AlertRow>(concat!(
                    alert_select!(),
                    " WHERE a.program_id = $1 AND (a.resolved_at IS NULL OR NOT $2) AND ($3 IS NULL OR \
                     (a.raised_at, a.id) < (SELECT c.raised_at, c.id FROM risk_alerts c WHERE c.id = $3)) \
                     ORDER BY a.raised_at DESC, a.id DESC LIMIT $4"
                ))
                .bind(program_id)
                .bind(open_only)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |a| a.id))
            }

            async fn get_alert(&self, id: Uuid) -> StoreResult<AlertRow> {
                sqlx::query_as::<$db, AlertRow>(concat!(alert_select!(), " WHERE a.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .ok_or(StoreError::NotFound)
            }

            async fn resolve_alert(&self, id: Uuid, resolution: &str, now: OffsetDateTime) -> StoreResult<bool> {
                let done = sqlx::query::<$db>(
                    "UPDATE risk_alerts SET resolved_at = $3, resolution = $2 WHERE id = $1 AND resolved_at IS NULL",
                )
                .bind(id)
                .bind(resolution)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn program_members_of_role(&self, program_id: Uuid, role: Role) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT user_id FROM memberships WHERE program_id = $1 AND role = $2")
                    .bind(program_id)
                    .bind(role.as_str())
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn resolve_rule(&self, match_id: Uuid, rule: RiskRule, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "UPDATE risk_alerts SET resolved_at = $3, resolution = 'cleared' WHERE match_id = $1 AND rule = $2 AND resolved_at IS NULL",
                )
                .bind(match_id)
                .bind(rule.as_str())
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn checkin_channel(&self, match_id: Uuid, coordinator: Uuid) -> StoreResult<Option<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT channel_id FROM pair_checkin_channels WHERE match_id = $1 AND coordinator_id = $2",
                )
                .bind(match_id)
                .bind(coordinator)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn set_checkin_channel(&self, match_id: Uuid, coordinator: Uuid, channel: Uuid) -> StoreResult<Uuid> {
                sqlx::query::<$db>(
                    "INSERT INTO pair_checkin_channels (match_id, coordinator_id, channel_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(match_id)
                .bind(coordinator)
                .bind(channel)
                .execute(self.writer())
                .await?;
                self.checkin_channel(match_id, coordinator).await?.ok_or(StoreError::NotFound)
            }

            async fn followup_channel(&self, program_id: Uuid, coordinator: Uuid, user: Uuid) -> StoreResult<Option<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT channel_id FROM followup_channels WHERE program_id = $1 AND coordinator_id = $2 AND user_id = $3",
                )
                .bind(program_id)
                .bind(coordinator)
                .bind(user)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn set_followup_channel(&self, program_id: Uuid, coordinator: Uuid, user: Uuid, channel: Uuid) -> StoreResult<Uuid> {
                sqlx::query::<$db>(
                    "INSERT INTO followup_channels (program_id, coordinator_id, user_id, channel_id) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(program_id)
                .bind(coordinator)
                .bind(user)
                .bind(channel)
                .execute(self.writer())
                .await?;
                self.followup_channel(program_id, coordinator, user).await?.ok_or(StoreError::NotFound)
            }

            async fn record_audit(&self, actor: Uuid, action: &str, program_id: Option<Uuid>, detail: &str, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO audit_log (id, actor_id, action, program_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(Uuid::now_v7())
                .bind(actor)
                .bind(action)
                .bind(program_id)
                .bind(detail)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn list_audit(&self, before: Option<Uuid>, limit: u32) -> StoreResult<Vec<AuditRow>> {
                Ok(sqlx::query_as::<$db, AuditRow>(
                    "SELECT a.id, a.actor_id, u.name AS actor_name, a.action, a.program_id, a.detail, a.created_at \
                     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2",
                )
                .bind(before.unwrap_or(Uuid::max()))
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?)
            }

            async fn notification_prefs(&self, user_id: Uuid) -> StoreResult<NotificationPrefsRow> {
                Ok(sqlx::query_as::<$db, NotificationPrefsRow>(
                    "SELECT message_digest, meeting_reminders, survey_invitations, match_proposals FROM notification_prefs WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?
                .unwrap_or_default())
            }

            async fn put_notification_prefs(&self, user_id: Uuid, p: NotificationPrefsRow) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO notification_prefs (user_id, message_digest, meeting_reminders, survey_invitations, match_proposals) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET message_digest = excluded.message_digest, \
                     meeting_reminders = excluded.meeting_reminders, survey_invitations = excluded.survey_invitations, \
                     match_proposals = excluded.match_proposals",
                )
                .bind(user_id)
                .bind(p.message_digest)
                .bind(p.meeting_reminders)
                .bind(p.survey_invitations)
                .bind(p.match_proposals)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn digest_candidates(&self, after: i64, before: i64) -> StoreResult<Vec<Uuid>> {
                // Per channel with messages in the window, its members who have not read up to
                // the last of them (a superset: `unread_for_digest` counts exactly), and only
                // people who can be sent a digest; a channel of thousands costs its members once,
                // not once per message.
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT cm.user_id FROM (SELECT channel_id, MAX(seq) AS top FROM messages \
                     WHERE created_at >= $1 AND created_at < $2 AND kind = 'message' AND deleted_at IS NULL \
                     GROUP BY channel_id) w \
                     JOIN channel_members cm ON cm.channel_id = w.channel_id AND cm.last_read_seq < w.top \
                     JOIN users u ON u.id = cm.user_id LEFT JOIN notification_prefs p ON p.user_id = cm.user_id \
                     WHERE u.password_hash IS NOT NULL AND COALESCE(p.message_digest, TRUE) \
                     UNION SELECT user_id FROM digest_waiting",
                )
                .bind(after)
                .bind(before)
                .fetch_all(self.reader())
                .await?)
            }

            async fn unread_for_digest(&self, users: &[Uuid], before: i64) -> StoreResult<Vec<UnreadRow>> {
                let mut rows = Vec::new();
                for chunk in users.chunks(IN_LIST_CHUNK) {
                    let n = chunk.len();
                    let sql = format!(
                        "SELECT cm.user_id, u.email, u.name, COUNT(*) AS unread, COUNT(DISTINCT cm.channel_id) AS channels, \
                         MAX(g.created_at) AS latest_at FROM channel_members cm \
                         JOIN messages g ON g.channel_id = cm.channel_id AND g.seq > cm.last_read_seq \
                         JOIN users u ON u.id = cm.user_id LEFT JOIN notification_prefs p ON p.user_id = cm.user_id \
                         WHERE cm.user_id IN ({}) AND g.kind = 'message' AND g.deleted_at IS NULL \
                         AND g.sender_id <> cm.user_id AND g.created_at < ${} \
                         AND g.created_at > COALESCE(p.digest_through, 0) AND COALESCE(p.message_digest, TRUE) \
                         AND u.password_hash IS NOT NULL \
                         GROUP BY cm.user_id, u.email, u.name",
                        numbered(1, n),
                        n + 1
                    );
                    let mut query = sqlx::query_as::<$db, UnreadRow>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    rows.extend(query.bind(before).fetch_all(self.reader()).await?);
                }
                Ok(rows)
            }

            async fn claim_digest(&self, user_id: Uuid, through: i64) -> StoreResult<bool> {
                let done = sqlx::query::<$db>(
                    "INSERT INTO notification_prefs (user_id, digest_through) VALUES ($1, $2) \
                     ON CONFLICT (user_id) DO UPDATE SET digest_through = excluded.digest_through \
                     WHERE notification_prefs.digest_through < excluded.digest_through",
                )
                .bind(user_id)
                .bind(through)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_digest_waiting(&self, add: &[Uuid], remove: &[Uuid]) -> StoreResult<()> {
                for id in add {
                    // From `users`: someone whose account was deleted since is skipped, not an error.
                    sqlx::query::<$db>(
                        "INSERT INTO digest_waiting (user_id) SELECT id FROM users WHERE id = $1 ON CONFLICT (user_id) DO NOTHING",
                    )
                        .bind(*id)
                        .execute(self.writer())
                        .await?;
                }
                for chunk in remove.chunks(IN_LIST_CHUNK) {
                    let sql = format!("DELETE FROM digest_waiting WHERE user_id IN ({})", numbered(1, chunk.len()));
                    let mut query = sqlx::query::<$db>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    query.execute(self.writer()).await?;
                }
                Ok(())
            }

            async fn sweep_mark(&self, name: &str) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar::<$db, i64>("SELECT through FROM sweep_marks WHERE name = $1")
                    .bind(name)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn advance_sweep_mark(&self, name: &str, through: i64) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO sweep_marks (name, through) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET through = excluded.through WHERE sweep_marks.through < excluded.through",
                )
                .bind(name)
                .bind(through)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
                sqlx::query::<$db>("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(candidate)
                    .execute(self.writer())
                    .await?;
                Ok(sqlx::query_scalar::<$db, String>("SELECT value FROM secrets WHERE name = $1")
                    .bind(name)
                    .fetch_one(self.reader())
                    .await?)
            }

            async fn authored_messages(&self, user_id: Uuid, page: PageRequest) -> StoreResult<Page<AuthoredMessage>> {
                // One range of the sender index (`sender_id, created_at, id`) per page.
                let rows = sqlx::query_as::<$db, AuthoredMessage>(
                    "SELECT id, channel_id, seq, body, created_at, edited_at, deleted_at FROM messages \
                     WHERE sender_id = $1 AND kind = 'message' \
                     AND ($2 IS NULL OR (created_at, id) > (SELECT a.created_at, a.id FROM messages a WHERE a.id = $2)) \
                     ORDER BY created_at, id LIMIT $3",
                )
                .bind(user_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |m| m.id))
            }

            async fn own_survey_responses(&self, user_id: Uuid) -> StoreResult<Vec<(String, String, i64)>> {
                Ok(sqlx::query_as::<$db, (String, String, i64)>(
                    "SELECT s.title, r.answers, r.created_at FROM survey_responses r JOIN surveys s ON s.id = r.survey_id \
                     WHERE r.user_id = $1 ORDER BY r.created_at",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn own_checkins(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, i32, String, i64)>> {
                Ok(sqlx::query_as::<$db, (Uuid, i32, String, i64)>(
                    "SELECT call_id, rating, note, created_at FROM call_checkins WHERE user_id = $1 ORDER BY created_at",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn own_alerts(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, String, i64, Option<i64>)>> {
                Ok(sqlx::query_as::<$db, (Uuid, String, String, i64, Option<i64>)>(
                    "SELECT program_id, rule, detail, raised_at, resolved_at FROM risk_alerts WHERE raised_by = $1 ORDER BY raised_at",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn own_questionnaires(&self, user_id: Uuid) -> StoreResult<Vec<(Uuid, String, Option<i64>)>> {
                Ok(sqlx::query_as::<$db, (Uuid, String, Option<i64>)>(
                    "SELECT program_id, answers, completed_at FROM questionnaires WHERE user_id = $1",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn delete_account(&self, user_id: Uuid, now: OffsetDateTime) -> StoreResult<DeletedAccount> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                // Tombstones: the messages keep their place in each log, without their text.
                sqlx::query::<$db>(
                    "UPDATE messages SET body = '', deleted_at = COALESCE(deleted_at, $2) WHERE sender_id = $1 AND kind = 'message'",
                )
                .bind(user_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>("UPDATE messages SET body = '' WHERE sender_id = $1 AND kind <> 'message'")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                let pair_channels = sqlx::query_scalar::<$db, Uuid>(
                    "SELECT channel_id FROM matches \
                     WHERE (mentee_id = $1 OR mentor_id = $1) AND status IN ('active','ended') AND channel_id IS NOT NULL",
                )
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
                let closed_matches = sqlx::query_scalar::<$db, Uuid>(
                    "SELECT id FROM matches WHERE (mentee_id = $1 OR mentor_id = $1) AND status IN ('proposed','active')",
                )
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
                sqlx::query::<$db>(
                    "UPDATE matches SET status = CASE WHEN status = 'proposed' THEN 'declined' ELSE 'ended' END, ended_at = $2, \
                     reason = 'account deleted', reason_by = NULL WHERE (mentee_id = $1 OR mentor_id = $1) AND status IN ('proposed','active')",
                )
                .bind(user_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                for table in [
                    "DELETE FROM sessions WHERE user_id = $1",
                    "DELETE FROM questionnaires WHERE user_id = $1",
                    "DELETE FROM survey_responses WHERE user_id = $1",
                    "DELETE FROM survey_invitations WHERE user_id = $1",
                    "DELETE FROM notification_prefs WHERE user_id = $1",
                    "DELETE FROM calendar_feeds WHERE user_id = $1",
                    "DELETE FROM password_resets WHERE user_id = $1",
                    "UPDATE call_checkins SET note = '' WHERE user_id = $1",
                    "UPDATE risk_alerts SET detail = 'removed with the account' WHERE raised_by = $1",
                    "DELETE FROM memberships WHERE user_id = $1",
                ] {
                    sqlx::query::<$db>(table).bind(user_id).execute(&mut *tx).await?;
                }
                let erased = format!("deleted-{}@deleted.invalid", user_id.simple());
                sqlx::query::<$db>(
                    "UPDATE users SET name = 'Deleted person', email = $2, email_lower = $2, password_hash = NULL, pronouns = NULL, \
                     institution = NULL, career_stage = NULL, time_zone = NULL, is_admin = FALSE, can_create_programs = FALSE WHERE id = $1",
                )
                .bind(user_id)
                .bind(&erased)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(DeletedAccount { pair_channels, closed_matches })
            }
        }

    };
}

macro_rules! survey_invitation_select {
    () => {
        "SELECT i.id, i.survey_id, i.user_id, i.occasion, i.match_id, i.created_at, i.answered_at, s.program_id, \
         p.name AS program_name, s.title, s.anonymous, s.questions, u.email, u.name FROM survey_invitations i \
         JOIN surveys s ON s.id = i.survey_id JOIN programs p ON p.id = s.program_id JOIN users u ON u.id = i.user_id"
    };
}

macro_rules! alert_select {
    () => {
        "SELECT a.id, a.program_id, a.match_id, a.rule, a.detail, a.raised_at, a.resolved_at, a.resolution, a.raised_by, \
         m.mentee_id, e.name AS mentee_name, m.mentor_id, r.name AS mentor_name FROM risk_alerts a \
         JOIN matches m ON m.id = a.match_id JOIN users e ON e.id = m.mentee_id JOIN users r ON r.id = m.mentor_id"
    };
}

pub(super) use {alert_select, impl_program_data_store, survey_invitation_select};

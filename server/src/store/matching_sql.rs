//! The matching SQL both backends run, written once, as `impl_store!` does for the rest: an
//! `impl_matching_store!` expansion per backend.
//!
//! The invariants live in the database: a partial unique index allows one open match per mentee;
//! a mentor's capacity is checked in the transaction that adds the match, after touching the
//! mentor's questionnaire row so that concurrent placements for the same mentor queue on
//! PostgreSQL (SQLite's write transactions are serial anyway); rounds and answers change state
//! with conditional `UPDATE`s, so a second approval or a second answer matches nothing.

use uuid::Uuid;

use super::sql::role_from;
use super::{
    Audience, Exclusion, Interest, MatchRecord, MatchStatus, Question, QuestionKind, QuestionnaireRecord, Response,
    RoundRecord, RoundStatus,
};
use super::{Participant, from_millis};

#[derive(sqlx::FromRow)]
pub(super) struct QuestionRow {
    pub id: Uuid,
    pub prompt: String,
    pub kind: String,
    pub options: String,
    pub audience: String,
    pub required: bool,
    pub feeds_matching: bool,
    pub created_at: i64,
}

impl From<QuestionRow> for Question {
    fn from(r: QuestionRow) -> Self {
        Question {
            id: r.id,
            prompt: r.prompt,
            kind: if r.kind == "choice" { QuestionKind::Choice } else { QuestionKind::Text },
            options: serde_json::from_str(&r.options).unwrap_or_default(),
            audience: match r.audience.as_str() {
                "mentee" => Audience::Mentee,
                "mentor" => Audience::Mentor,
                _ => Audience::Both,
            },
            required: r.required,
            feeds_matching: r.feeds_matching,
            created_at: from_millis(r.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InterestRow {
    pub id: Uuid,
    pub label: String,
}

impl From<InterestRow> for Interest {
    fn from(r: InterestRow) -> Self {
        Interest { id: r.id, label: r.label }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct QuestionnaireRow {
    pub answers: String,
    pub completed_at: Option<i64>,
    pub updated_at: i64,
}

impl From<QuestionnaireRow> for QuestionnaireRecord {
    fn from(r: QuestionnaireRow) -> Self {
        QuestionnaireRecord {
            answers: r.answers,
            completed_at: r.completed_at.map(from_millis),
            updated_at: from_millis(r.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ParticipantRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub answers: Option<String>,
    pub completed_at: Option<i64>,
}

impl From<ParticipantRow> for Participant {
    fn from(r: ParticipantRow) -> Self {
        Participant {
            user_id: r.id,
            name: r.name,
            email: r.email,
            role: role_from(&r.role),
            answers: r.answers,
            completed: r.completed_at.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ExclusionRow {
    pub id: Uuid,
    pub a: Uuid,
    pub a_name: String,
    pub b: Uuid,
    pub b_name: String,
    pub reason: String,
    pub created_at: i64,
}

impl From<ExclusionRow> for Exclusion {
    fn from(r: ExclusionRow) -> Self {
        Exclusion {
            id: r.id,
            a: r.a,
            a_name: r.a_name,
            b: r.b,
            b_name: r.b_name,
            reason: r.reason,
            created_at: from_millis(r.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RoundRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub status: String,
    pub body: String,
    pub created_at: i64,
}

impl From<RoundRow> for RoundRecord {
    fn from(r: RoundRow) -> Self {
        RoundRecord {
            id: r.id,
            program_id: r.program_id,
            status: RoundStatus::parse(&r.status),
            body: r.body,
            created_at: from_millis(r.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MatchRow {
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
    pub status: String,
    pub score: f64,
    pub explanation: String,
    pub mentee_response: String,
    pub mentor_response: String,
    pub reason: Option<String>,
    pub reason_by: Option<Uuid>,
    pub channel_id: Option<Uuid>,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub ended_at: Option<i64>,
}

impl From<MatchRow> for MatchRecord {
    fn from(r: MatchRow) -> Self {
        MatchRecord {
            id: r.id,
            program_id: r.program_id,
            program_name: r.program_name,
            mentee_id: r.mentee_id,
            mentee_name: r.mentee_name,
            mentee_email: r.mentee_email,
            mentor_id: r.mentor_id,
            mentor_name: r.mentor_name,
            mentor_email: r.mentor_email,
            round_id: r.round_id,
            status: MatchStatus::parse(&r.status).unwrap_or(MatchStatus::Ended),
            score: r.score,
            explanation: r.explanation,
            mentee_response: Response::parse(&r.mentee_response),
            mentor_response: Response::parse(&r.mentor_response),
            reason: r.reason,
            reason_by: r.reason_by,
            channel_id: r.channel_id,
            created_at: from_millis(r.created_at),
            activated_at: r.activated_at.map(from_millis),
            ended_at: r.ended_at.map(from_millis),
        }
    }
}

macro_rules! match_select {
    () => {
        "SELECT mt.id, mt.program_id, p.name AS program_name, mt.mentee_id, e.name AS mentee_name, e.email AS mentee_email, \
         mt.mentor_id, r.name AS mentor_name, r.email AS mentor_email, mt.round_id, mt.status, mt.score, mt.explanation, \
         mt.mentee_response, mt.mentor_response, mt.reason, mt.reason_by, mt.channel_id, mt.created_at, mt.activated_at, mt.ended_at \
         FROM matches mt JOIN programs p ON p.id = mt.program_id JOIN users e ON e.id = mt.mentee_id JOIN users r ON r.id = mt.mentor_id"
    };
}

macro_rules! exclusion_select {
    () => {
        "SELECT x.id, x.a, ua.name AS a_name, x.b, ub.name AS b_name, x.reason, x.created_at FROM match_exclusions x \
         JOIN users ua ON ua.id = x.a JOIN users ub ON ub.id = x.b"
    };
}

pub(super) use {exclusion_select, match_select};

macro_rules! impl_matching_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Queues a job inside a caller's transaction (skipped while one with the same key is pending).
            /// Adds one proposal inside a caller's transaction, checking every rule that must hold.
            async fn insert_match_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                new: &NewMatch,
                now_ms: i64,
            ) -> StoreResult<Uuid> {
                if new.mentee_id == new.mentor_id {
                    return Err(StoreError::Conflict("a person cannot be their own mentor"));
                }
                // Serialises placements for this mentor (a row lock on PostgreSQL).
                sqlx::query::<$db>("UPDATE questionnaires SET updated_at = updated_at WHERE program_id = $1 AND user_id = $2")
                    .bind(new.program_id)
                    .bind(new.mentor_id)
                    .execute(&mut **tx)
                    .await?;
                let open: i64 = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM matches WHERE program_id = $1 AND mentor_id = $2 AND status IN ('proposed','active')",
                )
                .bind(new.program_id)
                .bind(new.mentor_id)
                .fetch_one(&mut **tx)
                .await?;
                if open >= i64::from(new.mentor_capacity) {
                    return Err(StoreError::Conflict("the mentor has no capacity left"));
                }
                let excluded: i64 = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM match_exclusions WHERE program_id = $1 AND pair_key = $2",
                )
                .bind(new.program_id)
                .bind(pair_key(new.mentee_id, new.mentor_id))
                .fetch_one(&mut **tx)
                .await?;
                if excluded > 0 {
                    return Err(StoreError::Conflict("this pair is on the do-not-match list"));
                }
                let before: i64 = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM matches WHERE program_id = $1 AND mentee_id = $2 AND mentor_id = $3 AND status IN ('declined','ended')",
                )
                .bind(new.program_id)
                .bind(new.mentee_id)
                .bind(new.mentor_id)
                .fetch_one(&mut **tx)
                .await?;
                if before > 0 {
                    return Err(StoreError::Conflict("this pair was declined or ended before"));
                }
                let id = new.id;
                sqlx::query::<$db>(
                    "INSERT INTO matches (id, program_id, mentee_id, mentor_id, round_id, status, score, explanation, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, $8)",
                )
                .bind(id)
                .bind(new.program_id)
                .bind(new.mentee_id)
                .bind(new.mentor_id)
                .bind(new.round_id)
                .bind(new.score)
                .bind(&new.explanation)
                .bind(now_ms)
                .execute(&mut **tx)
                .await
                .map_err(conflict_on_unique("the mentee already has an open match"))?;
                Self::enqueue_in(tx, &new.announce, now_ms).await?;
                Ok(id)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::MatchingStore for $store {
            async fn list_interests(&self, program_id: Uuid) -> StoreResult<Vec<Interest>> {
                let rows = sqlx::query_as::<$db, InterestRow>("SELECT id, label FROM program_interests WHERE program_id = $1 ORDER BY label_lower")
                    .bind(program_id)
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows.into_iter().map(Interest::from).collect())
            }

            async fn create_interest(&self, program_id: Uuid, label: &str, now: OffsetDateTime) -> StoreResult<Interest> {
                let row = sqlx::query_as::<$db, InterestRow>(
                    "INSERT INTO program_interests (id, program_id, label, label_lower, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, label",
                )
                .bind(Uuid::now_v7())
                .bind(program_id)
                .bind(label)
                .bind(label.to_lowercase())
                .bind(to_millis(now))
                .fetch_one(self.writer())
                .await
                .map_err(conflict_on_unique("this interest is already in the list"))?;
                Ok(row.into())
            }

            async fn delete_interest(&self, program_id: Uuid, id: Uuid) -> StoreResult<()> {
                let done = sqlx::query::<$db>("DELETE FROM program_interests WHERE program_id = $1 AND id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn list_questions(&self, program_id: Uuid) -> StoreResult<Vec<Question>> {
                let rows = sqlx::query_as::<$db, QuestionRow>(
                    "SELECT id, prompt, kind, options, audience, required, feeds_matching, created_at FROM program_questions WHERE program_id = $1 ORDER BY id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Question::from).collect())
            }

            async fn create_question(&self, q: NewQuestion, now: OffsetDateTime) -> StoreResult<Question> {
                let audience = match q.audience {
                    Audience::Mentee => "mentee",
                    Audience::Mentor => "mentor",
                    Audience::Both => "both",
                };
                let row = sqlx::query_as::<$db, QuestionRow>(
                    "INSERT INTO program_questions (id, program_id, prompt, kind, options, audience, required, feeds_matching, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     RETURNING id, prompt, kind, options, audience, required, feeds_matching, created_at",
                )
                .bind(Uuid::now_v7())
                .bind(q.program_id)
                .bind(&q.prompt)
                .bind(if q.kind == QuestionKind::Choice { "choice" } else { "text" })
                .bind(serde_json::to_string(&q.options).unwrap_or_else(|_| "[]".into()))
                .bind(audience)
                .bind(q.required)
                .bind(q.feeds_matching)
                .bind(to_millis(now))
                .fetch_one(self.writer())
                .await?;
                Ok(row.into())
            }

            async fn delete_question(&self, program_id: Uuid, id: Uuid) -> StoreResult<()> {
                let done = sqlx::query::<$db>("DELETE FROM program_questions WHERE program_id = $1 AND id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn get_questionnaire(&self, program_id: Uuid, user_id: Uuid) -> StoreResult<Option<QuestionnaireRecord>> {
                let row = sqlx::query_as::<$db, QuestionnaireRow>(
                    "SELECT answers, completed_at, updated_at FROM questionnaires WHERE program_id = $1 AND user_id = $2",
                )
                .bind(program_id)
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(Into::into))
            }

            async fn save_questionnaire(
                &self,
                program_id: Uuid,
                user_id: Uuid,
                answers: &str,
                complete: bool,
                enqueue: Option<&NewJob>,
                now: OffsetDateTime,
            ) -> StoreResult<QuestionnaireRecord> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let row = sqlx::query_as::<$db, QuestionnaireRow>(
                    "INSERT INTO questionnaires (program_id, user_id, answers, completed_at, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (program_id, user_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at, \
                     completed_at = COALESCE(questionnaires.completed_at, excluded.completed_at) \
                     RETURNING answers, completed_at, updated_at",
                )
                .bind(program_id)
                .bind(user_id)
                .bind(answers)
                .bind(complete.then_some(now_ms))
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(job) = enqueue {
                    Self::enqueue_in(&mut tx, job, now_ms).await?;
                }
                tx.commit().await?;
                Ok(row.into())
            }

            async fn participants(&self, program_id: Uuid) -> StoreResult<Vec<Participant>> {
                let rows = sqlx::query_as::<$db, ParticipantRow>(
                    "SELECT u.id, u.name, u.email, m.role, q.answers, q.completed_at FROM memberships m JOIN users u ON u.id = m.user_id \
                     LEFT JOIN questionnaires q ON q.program_id = m.program_id AND q.user_id = m.user_id \
                     WHERE m.program_id = $1 AND m.role IN ('mentor','mentee') AND m.suspended_at IS NULL ORDER BY u.id",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Participant::from).collect())
            }

            async fn matching_settings(&self, program_id: Uuid) -> StoreResult<Option<(String, bool)>> {
                Ok(sqlx::query_as::<$db, (String, bool)>("SELECT weights, auto_match FROM matching_settings WHERE program_id = $1")
                    .bind(program_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn save_matching_settings(&self, program_id: Uuid, weights: &str, auto_match: bool, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO matching_settings (program_id, weights, auto_match, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (program_id) DO UPDATE SET weights = excluded.weights, auto_match = excluded.auto_match, updated_at = excluded.updated_at",
                )
                .bind(program_id)
                .bind(weights)
                .bind(auto_match)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn list_exclusions(&self, program_id: Uuid) -> StoreResult<Vec<Exclusion>> {
                let rows = sqlx::query_as::<$db, ExclusionRow>(concat!(exclusion_select!(), " WHERE x.program_id = $1 ORDER BY x.id"))
                    .bind(program_id)
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows.into_iter().map(Exclusion::from).collect())
            }

            async fn create_exclusion(&self, program_id: Uuid, a: Uuid, b: Uuid, reason: &str, now: OffsetDateTime) -> StoreResult<Exclusion> {
                let id = Uuid::now_v7();
                sqlx::query::<$db>(
                    "INSERT INTO match_exclusions (id, program_id, a, b, pair_key, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(program_id)
                .bind(a)
                .bind(b)
                .bind(pair_key(a, b))
                .bind(reason)
                .bind(to_millis(now))
                .execute(self.writer())
                .await
                .map_err(conflict_on_unique("these two are already on the do-not-match list"))?;
                let row = sqlx::query_as::<$db, ExclusionRow>(concat!(exclusion_select!(), " WHERE x.id = $1"))
                    .bind(id)
                    .fetch_one(self.reader())
                    .await?;
                Ok(row.into())
            }

            async fn delete_exclusion(&self, program_id: Uuid, id: Uuid) -> StoreResult<()> {
                let done = sqlx::query::<$db>("DELETE FROM match_exclusions WHERE program_id = $1 AND id = $2")
                    .bind(program_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn create_round(&self, program_id: Uuid, body: &str, created_by: Option<Uuid>, now: OffsetDateTime) -> StoreResult<RoundRecord> {
                let row = sqlx::query_as::<$db, RoundRow>(
                    "INSERT INTO match_rounds (id, program_id, status, body, created_by, created_at) VALUES ($1, $2, 'preview', $3, $4, $5) \
                     RETURNING id, program_id, status, body, created_at",
                )
                .bind(Uuid::now_v7())
                .bind(program_id)
                .bind(body)
                .bind(created_by)
                .bind(to_millis(now))
                .fetch_one(self.writer())
                .await?;
                Ok(row.into())
            }

            async fn get_round(&self, program_id: Uuid, id: Uuid) -> StoreResult<RoundRecord> {
                let row = sqlx::query_as::<$db, RoundRow>(
                    "SELECT id, program_id, status, body, created_at FROM match_rounds WHERE program_id = $1 AND id = $2",
                )
                .bind(program_id)
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn list_rounds(&self, program_id: Uuid, limit: u32) -> StoreResult<Vec<RoundRecord>> {
                let rows = sqlx::query_as::<$db, RoundRow>(
                    "SELECT id, program_id, status, body, created_at FROM match_rounds WHERE program_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(program_id)
                .bind(i64::from(limit))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn approve_round(&self, program_id: Uuid, id: Uuid, matches: Vec<NewMatch>, body: &str, now: OffsetDateTime) -> StoreResult<Vec<MatchRecord>> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let decided = sqlx::query::<$db>(
                    "UPDATE match_rounds SET status = 'approved', body = $3, decided_at = $4 WHERE program_id = $1 AND id = $2 AND status = 'preview'",
                )
                .bind(program_id)
                .bind(id)
                .bind(body)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                if decided.rows_affected() == 0 {
                    drop(tx);
                    self.get_round(program_id, id).await?;
                    return Err(StoreError::Conflict("this round has already been decided"));
                }
                let mut ids = Vec::with_capacity(matches.len());
                for new in &matches {
                    ids.push(Self::insert_match_in(&mut tx, new, now_ms).await?);
                }
                tx.commit().await?;
                let mut records = Vec::with_capacity(ids.len());
                for id in ids {
                    records.push(self.get_match(id).await?);
                }
                Ok(records)
            }

            async fn discard_round(&self, program_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<RoundRecord> {
                let done = sqlx::query::<$db>(
                    "UPDATE match_rounds SET status = 'discarded', decided_at = $3 WHERE program_id = $1 AND id = $2 AND status = 'preview'",
                )
                .bind(program_id)
                .bind(id)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                let round = self.get_round(program_id, id).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this round has already been decided"));
                }
                Ok(round)
            }

            async fn create_match(&self, new: NewMatch, now: OffsetDateTime) -> StoreResult<MatchRecord> {
                let mut tx = self.begin().await?;
                let id = Self::insert_match_in(&mut tx, &new, to_millis(now)).await?;
                tx.commit().await?;
                self.get_match(id).await
            }

            async fn get_match(&self, id: Uuid) -> StoreResult<MatchRecord> {
                let row = sqlx::query_as::<$db, MatchRow>(concat!(match_select!(), " WHERE mt.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn program_matches(&self, program_id: Uuid, status: Option<MatchStatus>) -> StoreResult<Vec<MatchRecord>> {
                let rows = sqlx::query_as::<$db, MatchRow>(concat!(
                    match_select!(),
                    " WHERE mt.program_id = $1 AND ($2 IS NULL OR mt.status = $2) ORDER BY mt.id DESC"
                ))
                .bind(program_id)
                .bind(status.map(MatchStatus::as_str))
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn user_matches(&self, user_id: Uuid) -> StoreResult<Vec<MatchRecord>> {
                let rows = sqlx::query_as::<$db, MatchRow>(concat!(
                    match_select!(),
                    " WHERE mt.mentee_id = $1 OR mt.mentor_id = $1 ORDER BY mt.id DESC"
                ))
                .bind(user_id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn respond_match(
                &self,
                id: Uuid,
                user_id: Uuid,
                accept: bool,
                reason: Option<&str>,
                on_active: &NewJob,
                now: OffsetDateTime,
            ) -> StoreResult<Responded> {
                let current = self.get_match(id).await?;
                let column = if current.mentee_id == user_id {
                    "mentee_response"
                } else if current.mentor_id == user_id {
                    "mentor_response"
                } else {
                    return Err(StoreError::NotFound);
                };
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                let answer = if accept { "accepted" } else { "declined" };
                let sql = if column == "mentee_response" {
                    "UPDATE matches SET mentee_response = $2 WHERE id = $1 AND status = 'proposed' AND mentee_response = 'pending'"
                } else {
                    "UPDATE matches SET mentor_response = $2 WHERE id = $1 AND status = 'proposed' AND mentor_response = 'pending'"
                };
                let done = sqlx::query::<$db>(sql).bind(id).bind(answer).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this proposal is not waiting for your answer"));
                }
                let mut activated = false;
                if accept {
                    let done = sqlx::query::<$db>(
                        "UPDATE matches SET status = 'active', activated_at = $2 WHERE id = $1 AND status = 'proposed' \
                         AND mentee_response = 'accepted' AND mentor_response = 'accepted'",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 1 {
                        activated = true;
                        Self::enqueue_in(&mut tx, on_active, now_ms).await?;
                    }
                } else {
                    sqlx::query::<$db>("UPDATE matches SET status = 'declined', reason = $2, reason_by = $3, ended_at = $4 WHERE id = $1")
                        .bind(id)
                        .bind(reason)
                        .bind(user_id)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Responded { record: self.get_match(id).await?, activated })
            }

            async fn end_match(&self, id: Uuid, by: Uuid, reason: Option<&str>, now: OffsetDateTime) -> StoreResult<MatchRecord> {
                let done = sqlx::query::<$db>(
                    "UPDATE matches SET status = 'ended', reason = $2, reason_by = $3, ended_at = $4 WHERE id = $1 AND status IN ('proposed','active')",
                )
                .bind(id)
                .bind(reason)
                .bind(by)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                let record = self.get_match(id).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this match has already ended"));
                }
                Ok(record)
            }

            async fn set_match_channel(&self, id: Uuid, channel_id: Uuid) -> StoreResult<()> {
                sqlx::query::<$db>("UPDATE matches SET channel_id = $2 WHERE id = $1")
                    .bind(id)
                    .bind(channel_id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }
        }
    };
}

pub(super) use impl_matching_store;

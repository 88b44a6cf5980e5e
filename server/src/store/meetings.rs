//! Scheduled meetings of a pair, check-ins after calls, and calendar feeds. A meeting is created
//! once per client id; two meetings of the same person never overlap (checked in the creating
//! transaction); a check-in is given once per person and call.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::vocab::MeetingStatus;

use super::{PersonRef, StoreResult, from_millis};

#[derive(Clone, Debug)]
pub struct Meeting {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub organizer: PersonRef,
    pub invitee: PersonRef,
    pub title: String,
    pub agenda: String,
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    pub status: MeetingStatus,
    /// Who proposed the current time; the other person accepts it or proposes another.
    pub proposed_by: Uuid,
    pub updated_at: OffsetDateTime,
}

impl Meeting {
    pub fn involves(&self, user: Uuid) -> bool {
        self.organizer.user_id == user || self.invitee.user_id == user
    }

    pub fn ends_at(&self) -> OffsetDateTime {
        self.starts_at + time::Duration::minutes(i64::from(self.duration_min))
    }
}

#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub organizer: Uuid,
    pub invitee: Uuid,
    pub title: String,
    pub agenda: String,
    pub starts_at: i64,
    pub duration_min: i32,
    pub client_id: String,
}

/// Check-ins of a program, only in aggregate.
#[derive(Clone, Debug)]
pub struct CheckinSummary {
    pub count: i64,
    /// How many different people gave them.
    pub people: i64,
    /// Mean rating, 1 to 5; null without check-ins.
    pub average: Option<f64>,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
}

#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Creates a meeting, or returns the one created before with the same client id. `Conflict`
    /// if it overlaps another open meeting of either person.
    async fn create_meeting(&self, new: NewMeeting, now: OffsetDateTime) -> StoreResult<(Meeting, bool)>;
    async fn get_meeting(&self, id: Uuid) -> StoreResult<Meeting>;
    /// A person's meetings, soonest first.
    async fn user_meetings(&self, user: Uuid) -> StoreResult<Vec<Meeting>>;
    /// Moves a meeting from `from` statuses to `to`; `Conflict` if it is in none of them.
    async fn set_meeting_status(
        &self,
        id: Uuid,
        from: &[MeetingStatus],
        to: MeetingStatus,
        now: OffsetDateTime,
    ) -> StoreResult<Meeting>;
    /// A new time proposed by `by` (checked for overlaps like a new meeting).
    async fn repropose_meeting(
        &self,
        id: Uuid,
        by: Uuid,
        starts_at: i64,
        duration_min: i32,
        now: OffsetDateTime,
    ) -> StoreResult<Meeting>;
    /// `Conflict` when this person already checked in for this call.
    async fn add_checkin(
        &self,
        call: Uuid,
        user: Uuid,
        rating: i32,
        note: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Ended calls both people joined, in which `user` took part and has not checked in.
    async fn pending_checkins(&self, user: Uuid) -> StoreResult<Vec<Uuid>>;
    async fn checkin_summary(&self, program_id: Uuid) -> StoreResult<CheckinSummary>;
    /// A person's own ratings of their calls with the other person of `call` (in its program),
    /// oldest first, `call`'s included.
    async fn own_ratings_of_pair(&self, user: Uuid, call: Uuid) -> StoreResult<Vec<i32>>;
    async fn set_calendar_feed(&self, user: Uuid, token_hash: &str, now: OffsetDateTime) -> StoreResult<()>;
    async fn calendar_feed_user(&self, token_hash: &str) -> StoreResult<Option<Uuid>>;
}

#[derive(sqlx::FromRow)]
pub(super) struct MeetingRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub match_id: Uuid,
    pub organizer_id: Uuid,
    pub organizer_name: String,
    pub invitee_id: Uuid,
    pub invitee_name: String,
    pub title: String,
    pub agenda: String,
    pub starts_at: i64,
    pub duration_min: i32,
    pub status: String,
    pub proposed_by: Uuid,
    pub updated_at: i64,
}

impl From<MeetingRow> for Meeting {
    fn from(r: MeetingRow) -> Self {
        Meeting {
            id: r.id,
            program_id: r.program_id,
            match_id: r.match_id,
            organizer: PersonRef { user_id: r.organizer_id, name: r.organizer_name },
            invitee: PersonRef { user_id: r.invitee_id, name: r.invitee_name },
            title: r.title,
            agenda: r.agenda,
            starts_at: from_millis(r.starts_at),
            duration_min: r.duration_min,
            status: MeetingStatus::parse(&r.status),
            proposed_by: r.proposed_by,
            updated_at: from_millis(r.updated_at),
        }
    }
}

macro_rules! meeting_select {
    () => {
        "SELECT m.id, m.program_id, m.match_id, m.organizer_id, o.name AS organizer_name, m.invitee_id, i.name AS invitee_name, \
         m.title, m.agenda, m.starts_at, m.duration_min, m.status, m.proposed_by, m.updated_at \
         FROM meetings m JOIN users o ON o.id = m.organizer_id JOIN users i ON i.id = m.invitee_id"
    };
}

/// Open meetings of either person overlapping [$3, $4), other than meeting $5.
macro_rules! overlap_sql {
    () => {
        "SELECT COUNT(*) FROM meetings WHERE status IN ('proposed','accepted') AND id <> $5 \
         AND (organizer_id IN ($1, $2) OR invitee_id IN ($1, $2)) \
         AND starts_at < $4 AND starts_at + CAST(duration_min AS BIGINT) * 60000 > $3"
    };
}

pub(super) use {meeting_select, overlap_sql};

macro_rules! impl_meeting_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::MeetingStore for $store {
            async fn create_meeting(&self, new: NewMeeting, now: OffsetDateTime) -> StoreResult<(Meeting, bool)> {
                let existing: Option<Uuid> = sqlx::query_scalar::<$db, Uuid>("SELECT id FROM meetings WHERE organizer_id = $1 AND client_id = $2")
                    .bind(new.organizer)
                    .bind(&new.client_id)
                    .fetch_optional(self.reader())
                    .await?;
                if let Some(id) = existing {
                    return Ok((self.get_meeting(id).await?, false));
                }
                let id = Uuid::now_v7();
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                // Serialises scheduling for this pair on PostgreSQL (SQLite's writes are serial).
                sqlx::query::<$db>("UPDATE matches SET score = score WHERE id = $1").bind(new.match_id).execute(&mut *tx).await?;
                let overlapping: i64 = sqlx::query_scalar::<$db, i64>(overlap_sql!())
                    .bind(new.organizer)
                    .bind(new.invitee)
                    .bind(new.starts_at)
                    .bind(new.starts_at + i64::from(new.duration_min) * 60_000)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if overlapping > 0 {
                    return Err(StoreError::Conflict("it overlaps another meeting of one of you"));
                }
                sqlx::query::<$db>(
                    "INSERT INTO meetings (id, program_id, match_id, organizer_id, invitee_id, title, agenda, starts_at, duration_min, \
                     status, proposed_by, client_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'proposed', $4, $10, $11, $11)",
                )
                .bind(id)
                .bind(new.program_id)
                .bind(new.match_id)
                .bind(new.organizer)
                .bind(new.invitee)
                .bind(&new.title)
                .bind(&new.agenda)
                .bind(new.starts_at)
                .bind(new.duration_min)
                .bind(&new.client_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .map_err(conflict_on_unique("a meeting with this client id exists"))?;
                tx.commit().await?;
                Ok((self.get_meeting(id).await?, true))
            }

            async fn get_meeting(&self, id: Uuid) -> StoreResult<Meeting> {
                let row = sqlx::query_as::<$db, MeetingRow>(concat!(meeting_select!(), " WHERE m.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn user_meetings(&self, user: Uuid) -> StoreResult<Vec<Meeting>> {
                let rows = sqlx::query_as::<$db, MeetingRow>(concat!(
                    meeting_select!(),
                    " WHERE m.organizer_id = $1 OR m.invitee_id = $1 ORDER BY m.starts_at LIMIT 500"
                ))
                .bind(user)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn set_meeting_status(&self, id: Uuid, from: &[MeetingStatus], to: MeetingStatus, now: OffsetDateTime) -> StoreResult<Meeting> {
                let current = self.get_meeting(id).await?;
                if !from.contains(&current.status) {
                    return Err(StoreError::Conflict("the meeting is not in a state that allows this"));
                }
                let done = sqlx::query::<$db>("UPDATE meetings SET status = $2, updated_at = $4 WHERE id = $1 AND status = $3")
                    .bind(id)
                    .bind(to.as_str())
                    .bind(current.status.as_str())
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("the meeting changed meanwhile; reload it"));
                }
                self.get_meeting(id).await
            }

            async fn repropose_meeting(&self, id: Uuid, by: Uuid, starts_at: i64, duration_min: i32, now: OffsetDateTime) -> StoreResult<Meeting> {
                let current = self.get_meeting(id).await?;
                let mut tx = self.begin().await?;
                sqlx::query::<$db>("UPDATE matches SET score = score WHERE id = $1").bind(current.match_id).execute(&mut *tx).await?;
                let overlapping: i64 = sqlx::query_scalar::<$db, i64>(overlap_sql!())
                    .bind(current.organizer.user_id)
                    .bind(current.invitee.user_id)
                    .bind(starts_at)
                    .bind(starts_at + i64::from(duration_min) * 60_000)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if overlapping > 0 {
                    return Err(StoreError::Conflict("it overlaps another meeting of one of you"));
                }
                let done = sqlx::query::<$db>(
                    "UPDATE meetings SET starts_at = $2, duration_min = $3, proposed_by = $4, status = 'proposed', updated_at = $5 \
                     WHERE id = $1 AND status IN ('proposed','accepted')",
                )
                .bind(id)
                .bind(starts_at)
                .bind(duration_min)
                .bind(by)
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("the meeting was declined or cancelled"));
                }
                tx.commit().await?;
                self.get_meeting(id).await
            }

            async fn add_checkin(&self, call: Uuid, user: Uuid, rating: i32, note: &str, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>("INSERT INTO call_checkins (call_id, user_id, rating, note, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(call)
                    .bind(user)
                    .bind(rating)
                    .bind(note)
                    .bind(to_millis(now))
                    .execute(self.writer())
                    .await
                    .map_err(conflict_on_unique("you already checked in for this meeting"))?;
                Ok(())
            }

            async fn pending_checkins(&self, user: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(
                    "SELECT c.id FROM calls c WHERE (c.caller_id = $1 OR c.callee_id = $1) AND NOT c.live \
                     AND c.caller_joined_at IS NOT NULL AND c.callee_joined_at IS NOT NULL \
                     AND NOT EXISTS (SELECT 1 FROM call_checkins k WHERE k.call_id = c.id AND k.user_id = $1) ORDER BY c.id DESC LIMIT 20",
                )
                .bind(user)
                .fetch_all(self.reader())
                .await?)
            }

            async fn checkin_summary(&self, program_id: Uuid) -> StoreResult<CheckinSummary> {
                let rows = sqlx::query_as::<$db, (i32, i64)>(
                    "SELECT k.rating, COUNT(*) FROM call_checkins k JOIN calls c ON c.id = k.call_id WHERE c.program_id = $1 GROUP BY k.rating",
                )
                .bind(program_id)
                .fetch_all(self.reader())
                .await?;
                let mut distribution = [0i64; 5];
                for (rating, n) in rows {
                    if (1..=5).contains(&rating) {
                        distribution[(rating - 1) as usize] = n;
                    }
                }
                let count: i64 = distribution.iter().sum();
                let total: i64 = distribution.iter().enumerate().map(|(i, n)| (i as i64 + 1) * n).sum();
                let average = (count > 0).then(|| (total as f64 / count as f64 * 100.0).round() / 100.0);
                let people = sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(DISTINCT k.user_id) FROM call_checkins k JOIN calls c ON c.id = k.call_id WHERE c.program_id = $1",
                )
                .bind(program_id)
                .fetch_one(self.reader())
                .await?;
                Ok(CheckinSummary { count, people, average, distribution })
            }

            async fn own_ratings_of_pair(&self, user: Uuid, call: Uuid) -> StoreResult<Vec<i32>> {
                Ok(sqlx::query_scalar::<$db, i32>(
                    "SELECT k.rating FROM call_checkins k JOIN calls c ON c.id = k.call_id JOIN calls this ON this.id = $2 \
                     WHERE k.user_id = $1 AND c.program_id = this.program_id AND c.pair_key = this.pair_key \
                     ORDER BY k.created_at, c.id",
                )
                .bind(user)
                .bind(call)
                .fetch_all(self.reader())
                .await?)
            }

            async fn set_calendar_feed(&self, user: Uuid, token_hash: &str, now: OffsetDateTime) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
                )
                .bind(user)
                .bind(token_hash)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn calendar_feed_user(&self, token_hash: &str) -> StoreResult<Option<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(self.reader())
                    .await?)
            }
        }
    };
}

pub(super) use impl_meeting_store;

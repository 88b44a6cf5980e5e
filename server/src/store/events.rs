//! Group events in the store: who is invited (the program, a cohort, or named people; speakers,
//! the host and the program's coordinators always), RSVPs within the capacity (checked in the
//! transaction that records a "going"), and what a person's calendar holds.

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::vocab::EventStatus;

use super::{NewJob, Page, PageRequest, StoreResult};

/// How someone named on an event takes part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventPersonRole {
    Speaker,
    Invitee,
}

impl EventPersonRole {
    pub fn as_str(self) -> &'static str {
        match self {
            EventPersonRole::Speaker => "speaker",
            EventPersonRole::Invitee => "invitee",
        }
    }
}

/// Someone named on an event.
#[derive(Clone, Debug)]
pub struct EventPerson {
    pub user_id: Uuid,
    pub name: String,
    pub role: EventPersonRole,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GroupEventRow {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub description: String,
    pub starts_at: i64,
    pub duration_min: i32,
    pub capacity: i32,
    pub audience: String,
    pub cohort: String,
    #[sqlx(try_from = "String")]
    pub status: EventStatus,
    pub host_id: Uuid,
    pub host_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub going: i64,
    /// When the host ended the live room.
    pub ended_at: Option<i64>,
    /// The event's chat channel (the people invited are its members).
    pub chat_channel_id: Option<Uuid>,
}

/// One stay in an event's live room.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttendanceRow {
    pub user_id: Uuid,
    pub name: String,
    pub joined_at: i64,
    pub left_at: Option<i64>,
}

/// A new event with everything that comes with it, written in one transaction.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Chosen by the caller, so the reminder's payload can name it.
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub description: String,
    pub starts_at: i64,
    pub duration_min: i32,
    pub capacity: i32,
    pub audience: String,
    pub cohort: String,
    pub host_id: Uuid,
    pub speakers: Vec<Uuid>,
    pub invitees: Vec<Uuid>,
    /// The event's chat channel: everyone invited may read and write; a program-wide event's
    /// channel follows the program's membership.
    pub chat_name: String,
    pub chat_program_wide: bool,
    /// The reminder before it starts.
    pub reminder: NewJob,
}

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Stores an event, its speakers and invitees, its chat channel (members: everyone invited)
    /// and its reminder, all or nothing; returns the channel.
    async fn create_event(&self, new: NewEvent, now: OffsetDateTime) -> StoreResult<super::Channel>;
    async fn get_event(&self, id: Uuid) -> StoreResult<GroupEventRow>;
    /// An event's speakers and named invitees.
    async fn event_people(&self, id: Uuid) -> StoreResult<Vec<EventPerson>>;
    /// Whether a person is invited: by the audience, as speaker or host, or as a coordinator.
    async fn event_invited(&self, id: Uuid, user: Uuid) -> StoreResult<bool>;
    /// Events a person is invited to that have not ended, soonest first.
    /// Events a person is invited to that have not ended, soonest first.
    async fn user_events(&self, user: Uuid, now: OffsetDateTime, page: PageRequest)
    -> StoreResult<Page<GroupEventRow>>;
    /// A program's events, latest start first.
    async fn program_events(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<GroupEventRow>>;
    /// A person's answer; `Conflict` when "going" would pass the capacity.
    async fn rsvp(&self, id: Uuid, user: Uuid, going: bool, now: OffsetDateTime) -> StoreResult<()>;
    async fn my_rsvp(&self, id: Uuid, user: Uuid) -> StoreResult<Option<bool>>;
    /// Everyone who said they are going.
    async fn going(&self, id: Uuid) -> StoreResult<Vec<Uuid>>;
    async fn cancel_event(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;
    /// Events in a person's calendar: going, speaking or hosting.
    async fn calendar_events(&self, user: Uuid) -> StoreResult<Vec<GroupEventRow>>;
    /// Everyone invited to an event (the members of its chat channel).
    async fn event_audience(&self, id: Uuid) -> StoreResult<Vec<Uuid>>;
    /// The host ended the live room (the first end counts).
    async fn end_event(&self, id: Uuid, at: i64) -> StoreResult<()>;
    /// Records a stay in the live room: its start, and later its end (same `joined_at`).
    async fn record_attendance(&self, event: Uuid, user: Uuid, joined_at: i64, left_at: Option<i64>)
    -> StoreResult<()>;
    /// Every stay in the room, in order.
    async fn event_attendance(&self, id: Uuid) -> StoreResult<Vec<AttendanceRow>>;
}

macro_rules! event_select {
    () => {
        "SELECT e.id, e.program_id, e.title, e.description, e.starts_at, e.duration_min, e.capacity, e.audience, e.cohort, \
         e.status, e.host_id, h.name AS host_name, e.created_at, e.updated_at, \
         (SELECT COUNT(*) FROM group_event_rsvps r WHERE r.event_id = e.id AND r.going) AS going, e.ended_at, e.chat_channel_id \
         FROM group_events e JOIN users h ON h.id = e.host_id"
    };
}

/// The invitation rule, for the person `$1` whose membership is `m` (never someone a
/// coordinator took out of the event).
macro_rules! invited_sql {
    () => {
        "((e.audience = 'program' OR m.role = 'coordinator' OR e.host_id = $1 \
          OR (e.audience = 'cohort' AND m.cohort = e.cohort) \
          OR EXISTS (SELECT 1 FROM group_event_people p WHERE p.event_id = e.id AND p.user_id = $1)) \
          AND NOT EXISTS (SELECT 1 FROM event_removals xr WHERE xr.event_id = e.id AND xr.user_id = $1))"
    };
}

/// Who an event `e` invites, for the member `m` (the event's audience).
macro_rules! audience_sql {
    () => {
        "((e.audience = 'program' OR m.role = 'coordinator' OR e.host_id = m.user_id \
          OR (e.audience = 'cohort' AND m.cohort = e.cohort) \
          OR EXISTS (SELECT 1 FROM group_event_people p WHERE p.event_id = e.id AND p.user_id = m.user_id)) \
          AND NOT EXISTS (SELECT 1 FROM event_removals xr WHERE xr.event_id = e.id AND xr.user_id = m.user_id))"
    };
}

macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::EventStore for $store {
            async fn create_event(&self, new: NewEvent, now: OffsetDateTime) -> StoreResult<$crate::store::Channel> {
                let id = new.id;
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                sqlx::query::<$db>(
                    "INSERT INTO group_events (id, program_id, title, description, starts_at, duration_min, capacity, audience, cohort, \
                     status, host_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', $10, $11, $11)",
                )
                .bind(id)
                .bind(new.program_id)
                .bind(&new.title)
                .bind(&new.description)
                .bind(new.starts_at)
                .bind(new.duration_min)
                .bind(new.capacity)
                .bind(&new.audience)
                .bind(&new.cohort)
                .bind(new.host_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                let people = new
                    .speakers
                    .iter()
                    .map(|u| (u, EventPersonRole::Speaker))
                    .chain(new.invitees.iter().map(|u| (u, EventPersonRole::Invitee)));
                for (user, role) in people {
                    sqlx::query::<$db>(
                        "INSERT INTO group_event_people (event_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(user)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                let channel = Uuid::now_v7();
                sqlx::query::<$db>(
                    "INSERT INTO channels (id, program_id, kind, name, program_wide, last_seq, created_at, last_activity_at) VALUES ($1, $2, 'group', $3, $4, 0, $5, $5)",
                )
                .bind(channel)
                .bind(new.program_id)
                .bind(&new.chat_name)
                .bind(new.chat_program_wide)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>(concat!(
                    "INSERT INTO channel_members (channel_id, user_id, can_post, last_read_seq, joined_at) \
                     SELECT $1, m.user_id, TRUE, 0, $3 FROM group_events e JOIN memberships m ON m.program_id = e.program_id \
                     WHERE e.id = $2 AND ",
                    audience_sql!(),
                    " ON CONFLICT DO NOTHING"
                ))
                .bind(channel)
                .bind(id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query::<$db>("UPDATE group_events SET chat_channel_id = $2 WHERE id = $1")
                    .bind(id)
                    .bind(channel)
                    .execute(&mut *tx)
                    .await?;
                Self::enqueue_in(&mut tx, &new.reminder, now_ms).await?;
                tx.commit().await?;
                self.get_channel(channel).await
            }

            async fn get_event(&self, id: Uuid) -> StoreResult<GroupEventRow> {
                sqlx::query_as::<$db, GroupEventRow>(concat!(event_select!(), " WHERE e.id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    .ok_or(StoreError::NotFound)
            }

            async fn event_people(&self, id: Uuid) -> StoreResult<Vec<EventPerson>> {
                let rows = sqlx::query_as::<$db, (Uuid, String, String)>(
                    "SELECT p.user_id, u.name, p.role FROM group_event_people p JOIN users u ON u.id = p.user_id \
                     WHERE p.event_id = $1 ORDER BY p.role DESC, u.name",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user_id, name, role)| EventPerson {
                        user_id,
                        name,
                        role: if role == "speaker" { EventPersonRole::Speaker } else { EventPersonRole::Invitee },
                    })
                    .collect())
            }

            async fn event_invited(&self, id: Uuid, user: Uuid) -> StoreResult<bool> {
                let n: i64 = sqlx::query_scalar::<$db, i64>(concat!(
                    "SELECT COUNT(*) FROM group_events e JOIN memberships m ON m.program_id = e.program_id AND m.user_id = $1 AND m.suspended_at IS NULL \
                     WHERE e.id = $2 AND ",
                    invited_sql!()
                ))
                .bind(user)
                .bind(id)
                .fetch_one(self.reader())
                .await?;
                Ok(n > 0)
            }

            async fn user_events(&self, user: Uuid, now: OffsetDateTime, page: PageRequest) -> StoreResult<Page<GroupEventRow>> {
                // The cursor is the last event of the previous page: this page starts after its
                // (start, id).
                let rows = sqlx::query_as::<$db, GroupEventRow>(concat!(
                    event_select!(),
                    " JOIN memberships m ON m.program_id = e.program_id AND m.user_id = $1 \
                     WHERE e.starts_at + CAST(e.duration_min AS BIGINT) * 60000 > $2 AND ",
                    invited_sql!(),
                    " AND ($3 IS NULL OR (e.starts_at, e.id) > (SELECT c.starts_at, c.id FROM group_events c WHERE c.id = $3)) \
                     ORDER BY e.starts_at, e.id LIMIT $4"
                ))
                .bind(user)
                .bind(to_millis(now))
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |e| e.id))
            }

            async fn program_events(&self, program_id: Uuid, page: PageRequest) -> StoreResult<Page<GroupEventRow>> {
                let rows = sqlx::query_as::<$db, GroupEventRow>(concat!(
                    event_select!(),
                    " WHERE e.program_id = $1 AND ($2 IS NULL OR \
                     (e.starts_at, e.id) < (SELECT c.starts_at, c.id FROM group_events c WHERE c.id = $2)) \
                     ORDER BY e.starts_at DESC, e.id DESC LIMIT $3"
                ))
                .bind(program_id)
                .bind(page.after)
                .bind(page.fetch())
                .fetch_all(self.reader())
                .await?;
                Ok(Page::from_rows(rows, page.limit, |e| e.id))
            }

            async fn rsvp(&self, id: Uuid, user: Uuid, going: bool, now: OffsetDateTime) -> StoreResult<()> {
                let now_ms = to_millis(now);
                let mut tx = self.begin().await?;
                // Serialises answers to one event on PostgreSQL (SQLite's writes are serial).
                let capacity: Option<i32> = sqlx::query_scalar::<$db, i32>(
                    "UPDATE group_events SET updated_at = updated_at WHERE id = $1 AND status = 'scheduled' RETURNING capacity",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(capacity) = capacity else {
                    return Err(StoreError::Conflict("the event was cancelled"));
                };
                if going {
                    let others: i64 = sqlx::query_scalar::<$db, i64>(
                        "SELECT COUNT(*) FROM group_event_rsvps WHERE event_id = $1 AND going AND user_id <> $2",
                    )
                    .bind(id)
                    .bind(user)
                    .fetch_one(&mut *tx)
                    .await?;
                    if others >= i64::from(capacity) {
                        return Err(StoreError::Conflict("the event is full"));
                    }
                }
                sqlx::query::<$db>(
                    "INSERT INTO group_event_rsvps (event_id, user_id, going, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (event_id, user_id) DO UPDATE SET going = excluded.going, updated_at = excluded.updated_at",
                )
                .bind(id)
                .bind(user)
                .bind(going)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn my_rsvp(&self, id: Uuid, user: Uuid) -> StoreResult<Option<bool>> {
                Ok(sqlx::query_scalar::<$db, bool>("SELECT going FROM group_event_rsvps WHERE event_id = $1 AND user_id = $2")
                    .bind(id)
                    .bind(user)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn going(&self, id: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>("SELECT user_id FROM group_event_rsvps WHERE event_id = $1 AND going")
                    .bind(id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn cancel_event(&self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
                let done = sqlx::query::<$db>(
                    "UPDATE group_events SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status = 'scheduled'",
                )
                .bind(id)
                .bind(to_millis(now))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn calendar_events(&self, user: Uuid) -> StoreResult<Vec<GroupEventRow>> {
                Ok(sqlx::query_as::<$db, GroupEventRow>(concat!(
                    event_select!(),
                    " WHERE e.host_id = $1 OR EXISTS (SELECT 1 FROM group_event_rsvps r WHERE r.event_id = e.id AND r.user_id = $1 AND r.going) \
                     OR EXISTS (SELECT 1 FROM group_event_people p WHERE p.event_id = e.id AND p.user_id = $1 AND p.role = 'speaker') \
                     ORDER BY e.starts_at LIMIT 500"
                ))
                .bind(user)
                .fetch_all(self.reader())
                .await?)
            }

            async fn event_audience(&self, id: Uuid) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar::<$db, Uuid>(concat!(
                    "SELECT m.user_id FROM group_events e JOIN memberships m ON m.program_id = e.program_id WHERE e.id = $1 AND ",
                    audience_sql!()
                ))
                .bind(id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn end_event(&self, id: Uuid, at: i64) -> StoreResult<()> {
                sqlx::query::<$db>("UPDATE group_events SET ended_at = $2, updated_at = $2 WHERE id = $1 AND ended_at IS NULL")
                    .bind(id)
                    .bind(at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn record_attendance(&self, event: Uuid, user: Uuid, joined_at: i64, left_at: Option<i64>) -> StoreResult<()> {
                sqlx::query::<$db>(
                    "INSERT INTO group_event_attendance (event_id, user_id, joined_at, left_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (event_id, user_id, joined_at) DO UPDATE SET left_at = excluded.left_at",
                )
                .bind(event)
                .bind(user)
                .bind(joined_at)
                .bind(left_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn event_attendance(&self, id: Uuid) -> StoreResult<Vec<AttendanceRow>> {
                Ok(sqlx::query_as::<$db, AttendanceRow>(
                    "SELECT a.user_id, u.name, a.joined_at, a.left_at FROM group_event_attendance a JOIN users u ON u.id = a.user_id \
                     WHERE a.event_id = $1 ORDER BY a.joined_at, u.name",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await?)
            }
        }
    };
}

pub(super) use {audience_sql, event_select, impl_event_store, invited_sql};

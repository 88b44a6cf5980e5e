//! What group events show over HTTP and the WebSocket, built from the domain's views
//! (`domain::events`).

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::events;
use crate::vocab::{EventAudience, EventStatus, PersonRef};

/// A group event as an invited person sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupEvent {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    /// How many may say they are going.
    pub capacity: i32,
    pub going: i64,
    pub audience: EventAudience,
    /// For `cohort` events.
    pub cohort: String,
    /// `scheduled` or `cancelled`.
    pub status: EventStatus,
    pub host: PersonRef,
    pub speakers: Vec<PersonRef>,
    /// My answer: `true` going, `false` not going, null not answered.
    #[schema(required = true)]
    pub my_rsvp: Option<bool>,
    /// The event's chat channel (everyone invited is a member).
    #[schema(required = true)]
    pub chat_channel: Option<Uuid>,
    /// When the host ended the live room; it cannot be entered after that.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub ended_at: Option<OffsetDateTime>,
}

impl From<events::GroupEvent> for GroupEvent {
    fn from(v: events::GroupEvent) -> Self {
        GroupEvent {
            id: v.id,
            program_id: v.program_id,
            title: v.title,
            description: v.description,
            starts_at: v.starts_at,
            duration_min: v.duration_min,
            capacity: v.capacity,
            going: v.going,
            audience: v.audience,
            cohort: v.cohort,
            status: v.status,
            host: v.host,
            speakers: v.speakers,
            my_rsvp: v.my_rsvp,
            chat_channel: v.chat_channel,
            ended_at: v.ended_at,
        }
    }
}

/// One stay in an event's live room.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Attendance {
    pub user: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Null while they are still in the room.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub left_at: Option<OffsetDateTime>,
    /// Minutes in the room, to the end of the stay or now.
    pub minutes: i64,
}

impl From<events::Attendance> for Attendance {
    fn from(v: events::Attendance) -> Self {
        Attendance { user: v.user, joined_at: v.joined_at, left_at: v.left_at, minutes: v.minutes }
    }
}

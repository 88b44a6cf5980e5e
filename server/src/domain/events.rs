//! Group events that coordinators host: who may create, see, answer and cancel one; the event's
//! chat channel and reminder; what each invited person sees; and who is told when it changes.
//! The live room itself is the `live` shell's (docs/sfu.md); its attendance is read here.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{self, ProgramAccess, RoomPart};
use super::jobs::Work;
use super::notify::{Notice, To};
use super::program_data::notify as mail;
use super::{Core, Error, Problems, Result, validate};
use crate::store::{
    EventPersonRole, EventStatus, GroupEventRow, NewEvent, Page, PageRequest, PersonRef, Store, StoreError, User,
    from_millis, to_millis,
};
use crate::vocab::EmailKind;
use crate::vocab::EventAudience;

/// How long before its start an event's live room opens.
pub const OPENS_BEFORE_MS: i64 = 30 * 60 * 1000;
/// How long after its scheduled end a live room may still be entered (events overrun).
pub const CLOSES_AFTER_MS: i64 = 2 * 60 * 60 * 1000;

/// How long before an event (or a meeting) people are reminded.
pub const REMINDER_BEFORE: time::Duration = time::Duration::minutes(15);

/// A group event as an invited person sees it.
#[derive(Clone, Debug)]
pub struct GroupEvent {
    pub id: Uuid,
    pub program_id: Uuid,
    pub title: String,
    pub description: String,
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
    pub my_rsvp: Option<bool>,
    /// The event's chat channel (everyone invited is a member).
    pub chat_channel: Option<Uuid>,
    /// When the host ended the live room; it cannot be entered after that.
    pub ended_at: Option<OffsetDateTime>,
}

/// One stay in an event's live room.
#[derive(Clone, Debug)]
pub struct Attendance {
    pub user: PersonRef,
    pub joined_at: OffsetDateTime,
    /// Null while they are still in the room.
    pub left_at: Option<OffsetDateTime>,
    /// Minutes in the room, to the end of the stay or now.
    pub minutes: i64,
}

/// What a coordinator asks for when creating an event.
pub struct Draft {
    pub title: String,
    pub description: String,
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    pub capacity: i32,
    pub audience: EventAudience,
    pub cohort: String,
    pub invitees: Vec<Uuid>,
    pub speakers: Vec<Uuid>,
}

/// `row` as `me` sees it.
pub async fn view(core: &Core, row: GroupEventRow, me: Uuid) -> Result<GroupEvent> {
    let speakers = speakers(core, row.id).await?;
    let my_rsvp = core.store.my_rsvp(row.id, me).await?;
    Ok(view_with(row, speakers, my_rsvp))
}

async fn speakers(core: &Core, event: Uuid) -> Result<Vec<PersonRef>> {
    Ok(core
        .store
        .event_people(event)
        .await?
        .into_iter()
        .filter(|p| p.role == EventPersonRole::Speaker)
        .map(|p| PersonRef { user_id: p.user_id, name: p.name })
        .collect())
}

fn view_with(row: GroupEventRow, speakers: Vec<PersonRef>, my_rsvp: Option<bool>) -> GroupEvent {
    GroupEvent {
        id: row.id,
        program_id: row.program_id,
        title: row.title,
        description: row.description,
        starts_at: from_millis(row.starts_at),
        duration_min: row.duration_min,
        capacity: row.capacity,
        going: row.going,
        audience: EventAudience::parse(&row.audience),
        cohort: row.cohort,
        status: row.status,
        host: PersonRef { user_id: row.host_id, name: row.host_name },
        speakers,
        my_rsvp,
        chat_channel: row.chat_channel_id,
        ended_at: row.ended_at.map(from_millis),
    }
}

/// Several events as `me` sees them.
async fn views(core: &Core, rows: Page<GroupEventRow>, me: Uuid) -> Result<Page<GroupEvent>> {
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        items.push(view(core, row, me).await?);
    }
    Ok(Page { items, next: rows.next })
}

/// Creates an event the caller hosts, with its chat channel (everyone invited; a program-wide
/// event's channel follows the program's membership) and its reminder.
pub async fn create(core: &Core, me: &User, program_id: Uuid, draft: Draft) -> Result<GroupEvent> {
    let access = ProgramAccess::of(core, me, program_id).await?;
    access.require_coordinator()?;
    access.require_coordinator_member("join the program as a coordinator to host its events")?;
    let now = core.clock.now();
    let mut problems = Problems::default();
    let title = problems.take(validate::required("title", &draft.title, 200))?;
    let description =
        problems.take(validate::optional("description", Some(draft.description), 4000))?.unwrap_or_default();
    problems.take(validate::upcoming("starts_at", draft.starts_at, now).map(Some))?;
    problems.take(validate::minutes("duration_min", draft.duration_min, 15..=480).map(Some))?;
    if !(2..=1000).contains(&draft.capacity) {
        problems.add("capacity", "must be between 2 and 1000");
    }
    let cohort = draft.cohort.trim().to_owned();
    match draft.audience {
        EventAudience::Cohort if cohort.is_empty() => problems.add("cohort", "name the cohort invited"),
        EventAudience::People if draft.invitees.is_empty() => problems.add("invitees", "name the people invited"),
        EventAudience::Program | EventAudience::Cohort if !draft.invitees.is_empty() => {
            problems.add("invitees", "only events for named people list invitees")
        }
        _ => {}
    }
    if draft.speakers.len() > 20 {
        problems.add("speakers", "at most 20 speakers");
    }
    if draft.invitees.len() > 1000 {
        problems.add("invitees", "at most 1000 people; invite the program or a cohort");
    }
    // One query for the whole list, not one per person.
    let named: Vec<Uuid> = draft.speakers.iter().chain(&draft.invitees).copied().collect();
    let members: HashSet<Uuid> = core.store.program_roles(program_id, &named).await?.into_keys().collect();
    for (field, people) in [("speakers", &draft.speakers), ("invitees", &draft.invitees)] {
        if let Some(person) = people.iter().find(|p| !members.contains(p)) {
            problems.add(field, format!("{person} is not a member of this program"));
        }
    }
    problems.into_result()?;
    let id = Uuid::now_v7();
    let starts_ms = to_millis(draft.starts_at);
    let new = NewEvent {
        id,
        program_id,
        title: title.clone(),
        description,
        starts_at: starts_ms,
        duration_min: draft.duration_min,
        capacity: draft.capacity,
        audience: draft.audience.as_str().to_owned(),
        cohort: if draft.audience == EventAudience::Cohort { cohort } else { String::new() },
        host_id: me.id,
        speakers: draft.speakers,
        invitees: draft.invitees,
        chat_name: title,
        chat_program_wide: draft.audience == EventAudience::Program,
        reminder: Work::EventReminder { event: id, starts_ms }.job((draft.starts_at - REMINDER_BEFORE).max(now)),
    };
    let channel = core.store.create_event(new, now).await?;
    core.work.notify_one();
    core.notify.channel_opened(&channel).await?;
    let row = core.store.get_event(id).await?;
    view(core, row, me.id).await
}

/// A program's events (its coordinators), newest first.
pub async fn of_program(core: &Core, me: &User, program_id: Uuid, page: PageRequest) -> Result<Page<GroupEvent>> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    views(core, core.store.program_events(program_id, page).await?, me.id).await
}

/// Events I am invited to that have not ended, soonest first.
pub async fn mine(core: &Core, me: &User, page: PageRequest) -> Result<Page<GroupEvent>> {
    views(core, core.store.user_events(me.id, core.clock.now(), page).await?, me.id).await
}

/// An event `me` is invited to (or hosts, or coordinates); not found for anyone else.
pub async fn invited(core: &Core, me: &User, id: Uuid) -> Result<GroupEventRow> {
    let row = core.store.get_event(id).await?;
    if !core.store.event_invited(id, me.id).await? && !me.is_admin {
        return Err(Error::NotFound);
    }
    Ok(row)
}

pub async fn get(core: &Core, me: &User, id: Uuid) -> Result<GroupEvent> {
    let row = invited(core, me, id).await?;
    view(core, row, me.id).await
}

/// Says whether I am going; a conflict when the event is full or cancelled.
pub async fn rsvp(core: &Core, me: &User, id: Uuid, going: bool) -> Result<GroupEvent> {
    let row = invited(core, me, id).await?;
    if going {
        access::conduct(core.store.as_ref(), me.id, row.program_id).await?;
    }
    core.store.rsvp(id, me.id, going, core.clock.now()).await?;
    let row = core.store.get_event(id).await?;
    view(core, row, me.id).await
}

/// Cancels an event (its program's coordinators); everyone going is told.
pub async fn cancel(core: &Core, me: &User, id: Uuid) -> Result<GroupEvent> {
    let row = invited(core, me, id).await?;
    ProgramAccess::of(core, me, row.program_id).await?.require_coordinator()?;
    if !core.store.cancel_event(id, core.clock.now()).await? {
        return Err(Error::Conflict("the event is already cancelled".into()));
    }
    let row = core.store.get_event(id).await?;
    publish(core, &row, false).await?;
    view(core, row, me.id).await
}

/// Who was in the event's live room, from when to when (its program's coordinators).
pub async fn attendance(core: &Core, me: &User, id: Uuid) -> Result<Vec<Attendance>> {
    let row = invited(core, me, id).await?;
    ProgramAccess::of(core, me, row.program_id).await?.require_coordinator()?;
    let now = core.clock.now();
    Ok(core
        .store
        .event_attendance(id)
        .await?
        .into_iter()
        .map(|a| {
            let joined_at = from_millis(a.joined_at);
            let left_at = a.left_at.map(from_millis);
            Attendance {
                user: PersonRef { user_id: a.user_id, name: a.name },
                joined_at,
                left_at,
                minutes: (left_at.unwrap_or(now) - joined_at).whole_minutes().max(0),
            }
        })
        .collect())
}

/// Tells the people going, the speakers and the host about an event (a change, or a reminder);
/// returns who was told.
pub async fn publish(core: &Core, row: &GroupEventRow, reminder: bool) -> Result<Vec<Uuid>> {
    let going: HashSet<Uuid> = core.store.going(row.id).await?.into_iter().collect();
    let speakers = speakers(core, row.id).await?;
    let mut people: Vec<Uuid> = going.iter().copied().collect();
    people.extend(speakers.iter().map(|s| s.user_id));
    people.push(row.host_id);
    people.sort_unstable();
    people.dedup();
    // One view for everyone; only the answer differs (read for the few not going: speakers, host).
    let mut answers: HashMap<Uuid, Option<bool>> = HashMap::new();
    for user in people.iter().filter(|u| !going.contains(u)) {
        answers.insert(*user, core.store.my_rsvp(row.id, *user).await?);
    }
    let mut event = view_with(row.clone(), speakers, None);
    for user in &people {
        event.my_rsvp = if going.contains(user) { Some(true) } else { answers.get(user).copied().flatten() };
        core.notify.send(To::User(*user), Notice::GroupEvent { event: &event, reminder }).await;
    }
    Ok(people)
}

/// Reminds everyone going to a group event (and its speakers and host), unless it was cancelled
/// or moved since the reminder was queued.
pub(crate) async fn remind(core: &Core, id: Uuid, starts_ms: i64) -> anyhow::Result<()> {
    let event = core.store.get_event(id).await?;
    if event.status != EventStatus::Scheduled || event.starts_at != starts_ms {
        return Ok(());
    }
    let people = publish(core, &event, true).await?;
    let when = from_millis(event.starts_at).format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    for user in people {
        if let Ok(account) = core.store.get_user(user).await {
            let body = format!(
                "Hello {},\n\n\"{}\", hosted by {}, starts at {when} (UTC).\nJoin from Kindred: {}/events/{}\n",
                account.name, event.title, event.host_name, core.public_url, event.id
            );
            let subject = format!("Reminder: {}", event.title);
            mail::email(core, account.id, &account.email, EmailKind::MeetingReminders, &subject, &body).await;
        }
    }
    Ok(())
}

/// Why someone may not enter a live room now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomRefusal {
    /// Not invited (or no such event): the same answer, so event ids reveal nothing.
    NotInvited,
    /// Cancelled, ended, or not open yet; the reason says which.
    NotOpen(&'static str),
    /// The program's code of conduct is not accepted yet.
    Conduct,
    /// The check itself failed; try again.
    Unavailable,
}

/// Records one stay of `user` in `event`'s live room, from `joined_at` to `left_at` (the store's
/// milliseconds; `None` while they are still in), as the SFU reports it.
pub async fn record_stay(
    store: &dyn Store,
    event: Uuid,
    user: Uuid,
    joined_at: i64,
    left_at: Option<i64>,
) -> crate::store::StoreResult<()> {
    store.record_attendance(event, user, joined_at, left_at).await
}

/// Records that the host ended `event`'s live room at `at`: it cannot be entered after that.
pub async fn room_ended(store: &dyn Store, event: Uuid, at: i64) -> crate::store::StoreResult<()> {
    store.end_event(event, at).await
}

/// May `user` enter `event`'s live room at `now_ms`, and as whom? Whom the room reaches, and as
/// what, is the access policy's answer (`access::event_room`: invited people, admins too); when
/// is the event's: from 30 minutes before the start until 2 hours after the scheduled end, unless
/// the event was cancelled or its host ended the room.
pub async fn room_entry(store: &dyn Store, event: Uuid, user: &User, now_ms: i64) -> Result<RoomPart, RoomRefusal> {
    let unavailable = |e: StoreError| {
        tracing::error!(error = %e, "room entry check failed");
        RoomRefusal::Unavailable
    };
    let row = match store.get_event(event).await {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Err(RoomRefusal::NotInvited),
        Err(e) => return Err(unavailable(e)),
    };
    let Some(part) = access::event_room(store, &row, user).await.map_err(unavailable)? else {
        return Err(RoomRefusal::NotInvited);
    };
    if row.status == EventStatus::Cancelled {
        return Err(RoomRefusal::NotOpen("this event was cancelled"));
    }
    if row.ended_at.is_some() || now_ms > row.starts_at + i64::from(row.duration_min) * 60_000 + CLOSES_AFTER_MS {
        return Err(RoomRefusal::NotOpen("this event has ended"));
    }
    if now_ms < row.starts_at - OPENS_BEFORE_MS {
        return Err(RoomRefusal::NotOpen("the room opens 30 minutes before the event starts"));
    }
    if !user.is_admin {
        match access::conduct(store, user.id, row.program_id).await {
            Ok(()) => {}
            Err(Error::Forbidden(_)) => return Err(RoomRefusal::Conduct),
            Err(e) => {
                tracing::error!(error = %e, "room entry check failed");
                return Err(RoomRefusal::Unavailable);
            }
        }
    }
    Ok(part)
}

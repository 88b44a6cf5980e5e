//! Scheduled meetings between the two people of an active match: propose a time, accept it or
//! propose another, decline or cancel; reminders before the start; each person's private calendar
//! feed. And check-ins after a call both people joined (a 1–5 rating and a note), which
//! coordinators see only as program totals over at least `checkin_totals_min_people` people.

use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{self, ProgramAccess};
use super::accounts::{new_secret, secret_hash};
use super::calendar::{self, CalendarEntry};
use super::events::REMINDER_BEFORE;
use super::jobs::{self, Work};
use super::notify::{Notice, To};
use super::program_data::notify as mail;
use super::program_data::personal::{self, SupportOffer};
use super::{Core, Error, Problems, Result, validate};
use crate::store::{CheckinSummary, Meeting, MeetingStatus, NewMeeting, User, to_millis};
use crate::vocab::EmailKind;

/// What a person asks for when proposing a meeting.
pub struct Proposal {
    pub match_id: Uuid,
    pub title: String,
    pub agenda: String,
    pub starts_at: OffsetDateTime,
    pub duration_min: i32,
    /// Chosen by the client; a retry with the same id returns the same meeting.
    pub client_id: String,
}

/// Tells both people's connections about a meeting.
pub async fn publish(core: &Core, meeting: &Meeting, reminder: bool) {
    let people = [meeting.organizer.user_id, meeting.invitee.user_id];
    core.notify.send(To::Users(&people), Notice::Meeting { meeting, reminder }).await;
}

/// Queues the reminder of an accepted meeting (a moved meeting gets a new one; the old one finds
/// the time changed and does nothing).
async fn schedule_reminder(core: &Core, m: &Meeting) -> Result<()> {
    let at = (m.starts_at - REMINDER_BEFORE).max(core.clock.now());
    jobs::enqueue(core, Work::MeetingReminder { meeting: m.id, starts_ms: to_millis(m.starts_at) }, at).await?;
    Ok(())
}

fn check_time(core: &Core, problems: &mut Problems, starts_at: OffsetDateTime, duration_min: i32) -> Result<()> {
    problems.take(validate::upcoming("starts_at", starts_at, core.clock.now()).map(Some))?;
    problems.take(validate::minutes("duration_min", duration_min, 15..=240).map(Some))?;
    Ok(())
}

/// Proposes a meeting to my match; returns it and whether it is new (not a retry).
pub async fn propose(core: &Core, me: &User, input: Proposal) -> Result<(Meeting, bool)> {
    let record = core.store.get_match(input.match_id).await?;
    let invitee = access::may_meet(core.store.as_ref(), &record, me.id).await?;
    let mut problems = Problems::default();
    let title = problems.take(validate::required("title", &input.title, 200))?;
    let agenda = problems.take(validate::optional("agenda", Some(input.agenda), 4000))?.unwrap_or_default();
    let client_id = problems.take(validate::required("client_id", &input.client_id, 64))?;
    check_time(core, &mut problems, input.starts_at, input.duration_min)?;
    problems.into_result()?;
    let new = NewMeeting {
        program_id: record.program_id,
        match_id: record.id,
        organizer: me.id,
        invitee,
        title,
        agenda,
        starts_at: to_millis(input.starts_at),
        duration_min: input.duration_min,
        client_id,
    };
    let (meeting, created) = core.store.create_meeting(new, core.clock.now()).await?;
    if created {
        publish(core, &meeting, false).await;
    }
    Ok((meeting, created))
}

/// My meetings, soonest first.
pub async fn mine(core: &Core, me: &User) -> Result<Vec<Meeting>> {
    Ok(core.store.user_meetings(me.id).await?)
}

/// A meeting of mine; not found for anyone else.
pub async fn get(core: &Core, me: &User, id: Uuid) -> Result<Meeting> {
    let meeting = core.store.get_meeting(id).await?;
    if !meeting.involves(me.id) {
        return Err(Error::NotFound);
    }
    Ok(meeting)
}

/// Accepts the proposed time (the person who did not propose it).
pub async fn accept(core: &Core, me: &User, id: Uuid) -> Result<Meeting> {
    let meeting = get(core, me, id).await?;
    if meeting.proposed_by == me.id {
        return Err(Error::Conflict("the other person accepts the time you proposed".into()));
    }
    if meeting.starts_at <= core.clock.now() {
        return Err(Error::Conflict("this time has passed; propose another".into()));
    }
    let meeting = core
        .store
        .set_meeting_status(id, &[MeetingStatus::Proposed], MeetingStatus::Accepted, core.clock.now())
        .await?;
    schedule_reminder(core, &meeting).await?;
    publish(core, &meeting, false).await;
    Ok(meeting)
}

/// Proposes another time; the other person then accepts it or proposes again.
pub async fn repropose(
    core: &Core,
    me: &User,
    id: Uuid,
    starts_at: OffsetDateTime,
    duration_min: Option<i32>,
) -> Result<Meeting> {
    let meeting = get(core, me, id).await?;
    let duration = duration_min.unwrap_or(meeting.duration_min);
    let mut problems = Problems::default();
    check_time(core, &mut problems, starts_at, duration)?;
    problems.into_result()?;
    let meeting = core.store.repropose_meeting(id, me.id, to_millis(starts_at), duration, core.clock.now()).await?;
    publish(core, &meeting, false).await;
    Ok(meeting)
}

/// Declines (the invitee, before accepting) or cancels (either, any time before it ends).
pub async fn cancel(core: &Core, me: &User, id: Uuid) -> Result<Meeting> {
    let meeting = get(core, me, id).await?;
    let to = if meeting.status == MeetingStatus::Proposed && meeting.proposed_by != me.id {
        MeetingStatus::Declined
    } else {
        MeetingStatus::Cancelled
    };
    let open = [MeetingStatus::Proposed, MeetingStatus::Accepted];
    let meeting = core.store.set_meeting_status(id, &open, to, core.clock.now()).await?;
    publish(core, &meeting, false).await;
    Ok(meeting)
}

/// One meeting of mine as an iCalendar document.
pub async fn ics(core: &Core, me: &User, id: Uuid) -> Result<String> {
    let meeting = get(core, me, id).await?;
    Ok(calendar::calendar(&[CalendarEntry::meeting(&meeting, &core.public_url)], core.clock.now()))
}

/// A new private calendar feed URL for my meetings and events (the previous one stops working).
pub async fn new_feed(core: &Core, me: &User) -> Result<String> {
    let token = new_secret("kc_");
    core.store.set_calendar_feed(me.id, &secret_hash(&token), core.clock.now()).await?;
    Ok(format!("{}/api/calendar/{token}.ics", core.public_url))
}

/// The calendar behind a feed token (the token is the credential): accepted, proposed and
/// cancelled meetings, and the events in the person's calendar.
pub async fn feed(core: &Core, token: &str) -> Result<String> {
    let user = core.store.calendar_feed_user(&secret_hash(token)).await?.ok_or(Error::NotFound)?;
    let mut entries: Vec<CalendarEntry> = core
        .store
        .user_meetings(user)
        .await?
        .iter()
        .filter(|m| matches!(m.status, MeetingStatus::Accepted | MeetingStatus::Proposed | MeetingStatus::Cancelled))
        .map(|m| CalendarEntry::meeting(m, &core.public_url))
        .collect();
    for event in core.store.calendar_events(user).await? {
        entries.push(calendar::event_entry(&event, &core.public_url));
    }
    entries.sort_by_key(|e| e.starts_at);
    Ok(calendar::calendar(&entries, core.clock.now()))
}

/// Reminds both people of an accepted meeting, unless it moved or was cancelled since.
pub(crate) async fn remind(core: &Core, id: Uuid, starts_ms: i64) -> anyhow::Result<()> {
    let meeting = core.store.get_meeting(id).await?;
    if meeting.status != MeetingStatus::Accepted || to_millis(meeting.starts_at) != starts_ms {
        return Ok(());
    }
    publish(core, &meeting, true).await;
    let when = meeting.starts_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    for (user, other) in [(&meeting.organizer, &meeting.invitee), (&meeting.invitee, &meeting.organizer)] {
        if let Ok(account) = core.store.get_user(user.user_id).await {
            let body = format!(
                "Hello {},\n\nYour meeting \"{}\" with {} starts at {when} (UTC).\nJoin from your chat: {}/messages\n",
                user.name, meeting.title, other.name, core.public_url
            );
            let subject = format!("Reminder: {}", meeting.title);
            mail::email(core, account.id, &account.email, EmailKind::MeetingReminders, &subject, &body).await;
        }
    }
    Ok(())
}

// --- check-ins ---

/// Calls I took part in (both joined) that I have not rated yet, newest first.
pub async fn pending_checkins(core: &Core, me: &User) -> Result<Vec<Uuid>> {
    Ok(core.store.pending_checkins(me.id).await?)
}

/// Rates a call I took part in, once. The rating stays private: when my own ratings of calls
/// with this person are falling, I alone am offered to ask a coordinator for support.
pub async fn checkin(core: &Core, me: &User, call: Uuid, rating: i32, note: String) -> Result<Option<SupportOffer>> {
    let mut problems = Problems::default();
    if !(1..=5).contains(&rating) {
        problems.add("rating", "must be between 1 and 5");
    }
    let note = problems.take(validate::optional("note", Some(note), 2000))?.unwrap_or_default();
    problems.into_result()?;
    // Someone else's call is not found; one of mine that cannot be rated (already rated, not
    // ended, or not joined by both) is a conflict. Nothing is written in either case.
    if !core.store.pending_checkins(me.id).await?.contains(&call) {
        return Err(if peer(core, call, me.id).await?.is_some() {
            Error::Conflict("this call cannot be rated: already rated, not over, or not joined by both".into())
        } else {
            Error::NotFound
        });
    }
    core.store.add_checkin(call, me.id, rating, &note, core.clock.now()).await?;
    match peer(core, call, me.id).await? {
        Some(other) => personal::support_offer(core, me, call, other).await,
        None => Ok(None),
    }
}

/// The other person of a call `user` took part in.
async fn peer(core: &Core, call: Uuid, user: Uuid) -> Result<Option<Uuid>> {
    let Some(stored) = core.store.load_call(call).await? else { return Ok(None) };
    let machine: kindred_signaling::Call = serde_json::from_str(&stored.machine).map_err(Error::internal)?;
    Ok(machine.peer_of(user))
}

/// A program's check-ins as coordinators see them.
pub struct CheckinTotals {
    pub count: i64,
    /// How many different people gave them.
    pub people: i64,
    /// Ratings are shown once this many different people gave them (`checkin_totals_min_people`):
    /// with fewer, a total could be one person's answer.
    pub minimum_people: i64,
    /// The mean and how many gave 1 to 5; none until `minimum_people` people have rated.
    pub ratings: Option<(f64, [i64; 5])>,
}

/// Check-ins of the program's calls, in aggregate only (its coordinators), and the ratings only
/// once enough people gave them.
pub async fn checkin_summary(core: &Core, me: &User, program_id: Uuid) -> Result<CheckinTotals> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let summary: CheckinSummary = core.store.checkin_summary(program_id).await?;
    let minimum_people = i64::from(core.config.checkin_totals_min_people);
    let shown = summary.people >= minimum_people;
    Ok(CheckinTotals {
        count: summary.count,
        people: summary.people,
        minimum_people,
        ratings: summary.average.filter(|_| shown).map(|average| (average, summary.distribution)),
    })
}

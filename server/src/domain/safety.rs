//! Safety: blocking. Anyone may block a person they share a program with, at once and without
//! giving a reason. What a block stops is the access policy's business ([`access`]): from then
//! on neither reaches the other directly on any path (the conversation of just the two of them,
//! calls, meetings, typing, receipts, presence, matching), on every node. Blocking also ends
//! their open match quietly (no message in their conversation, no email; the blocked person sees
//! that it ended, not why; coordinators see that a block ended it) and puts both back in line for
//! a rematch, cancels their upcoming meetings and hangs up a call between them. Group channels
//! and events they share stay usable; the blocker's client hides the other's messages there.
//! Lifting a block restores contact, not the match.
//!
//! Reporting: anyone reports a message they can read, a person they share a program with, a
//! meeting of theirs or someone in an event they were invited to, to the program's coordinators,
//! with a category and optional words. A report carries copies of exactly the messages its
//! reporter chose to share, and nothing else: the only way message text ever reaches a
//! coordinator (audited). Coordinators work through the program's queue (most severe first, with
//! the shared copies and earlier reports about the same person) and close each report: dismiss
//! it, send the person a private warning, or end the match between the two. Every close is in
//! the audit log with who and why; the reporter sees only that their report was reviewed, and
//! the reported person never learns who reported them.

use uuid::Uuid;

use super::access::{self, ProgramAccess};
use super::matching::worker::{publish_match, rematch_later};
use super::notify::{Notice, To};
use super::{Core, Error, Problems, Result, validate};
use crate::bus::{BusEvent, PresenceState};
use crate::store::{
    BlockRow, ConductRow, MatchStatus, NewReport, Page, PageRequest, PersonRef, ReportMessage, ReportRow, Role,
    SYSTEM_USER, User, to_millis,
};
use crate::vocab::{ReportCategory, ReportKind, ReportOutcome};

/// What a match ended by a block records as its reason: coordinators see it, and the blocker;
/// the blocked person sees only that it ended.
pub const ENDED_BY_BLOCK: &str = "ended by a block";

/// `me` blocks `other`. Refused for oneself (422), for someone `me` shares no program with (404,
/// as for an unknown id), and when already blocked (409).
pub async fn block(core: &Core, me: &User, other: Uuid) -> Result<BlockRow> {
    if other == me.id {
        return Err(Error::field("user_id", "you cannot block yourself"));
    }
    let them = reachable(core, me, other).await?;
    let now = core.clock.now();
    let done = core.store.block(me.id, other, ENDED_BY_BLOCK, now).await?;
    if !done.created {
        return Err(Error::Conflict("you have already blocked this person".into()));
    }
    // Live connections first, on every node: from here on nothing about one reaches the other.
    let presence = [PresenceState::Offline; 2];
    let event = BusEvent::Block { between: [me.id, other], blocked: true, channels: done.channels, presence };
    core.notify.publish(event).await;
    super::calls::end_call_between(core, me.id, other).await;
    for id in done.matches {
        let record = core.store.get_match(id).await?;
        publish_match(core, &record).await;
        rematch_later(core, record.program_id).await?;
    }
    for id in done.meetings {
        let meeting = core.store.get_meeting(id).await?;
        super::meetings::publish(core, &meeting, false).await;
    }
    core.notify.send(To::User(me.id), Notice::Block { user: other, blocked: true }).await;
    Ok(BlockRow { user_id: other, name: them.name, created_at: to_millis(now) })
}

/// `me` lifts their block of `other` (404 when there is none). Contact returns unless `other`
/// blocks `me` too; an ended match stays ended.
pub async fn unblock(core: &Core, me: &User, other: Uuid) -> Result<()> {
    let done = core.store.unblock(me.id, other).await?;
    if !done.removed {
        return Err(Error::NotFound);
    }
    if !done.still_blocked {
        let states = core.bus.presence_of(&[me.id, other]).await.unwrap_or_default();
        let state = |u: Uuid| states.get(&u).copied().unwrap_or(PresenceState::Offline);
        let presence = [state(me.id), state(other)];
        let event = BusEvent::Block { between: [me.id, other], blocked: false, channels: done.channels, presence };
        core.notify.publish(event).await;
    }
    core.notify.send(To::User(me.id), Notice::Block { user: other, blocked: false }).await;
    Ok(())
}

/// A page of the people `me` blocked.
pub async fn blocks(core: &Core, me: &User, page: PageRequest) -> Result<Page<BlockRow>> {
    Ok(core.store.blocks_by(me.id, page).await?)
}

/// The person `me` wants to block, if `me` could reach them at all: someone they share a program
/// with. Anyone else is told they do not exist.
async fn reachable(core: &Core, me: &User, other: Uuid) -> Result<User> {
    let them = core.store.get_user(other).await?;
    if !core.store.share_program(me.id, other).await? {
        return Err(Error::NotFound);
    }
    Ok(them)
}

/// At most this many messages are shared with one report.
pub const MAX_SHARED: usize = 20;

/// What someone reports. Which ids are needed depends on `kind`: a message names its `channel_id`
/// and `seq`; a person their `user_id` and the `program_id`; a meeting its `meeting_id`; an event
/// its `event_id` and the `user_id` of the person. `share` (message reports only) lists the
/// sequence numbers, in the same channel, of the messages the reporter shares with coordinators.
#[derive(Debug, Default)]
pub struct ReportDraft {
    pub kind: Option<ReportKind>,
    pub category: Option<ReportCategory>,
    pub note: Option<String>,
    pub channel_id: Option<Uuid>,
    pub seq: Option<i64>,
    pub share: Vec<i64>,
    pub user_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
}

/// A report in a coordinator's queue: the report, the copies it carries, and earlier reports
/// about the same person in the program.
pub struct QueuedReport {
    pub report: ReportRow,
    pub messages: Vec<ReportMessage>,
    pub earlier: Vec<ReportRow>,
}

impl QueuedReport {
    /// Two different people reported this person, or three reports stand: the queue shows it
    /// first and coordinators are alerted.
    pub fn repeat(&self) -> bool {
        let mut reporters: Vec<Uuid> = self.earlier.iter().map(|r| r.reporter_id).collect();
        reporters.push(self.report.reporter_id);
        reporters.sort();
        reporters.dedup();
        reporters.len() >= 2 || self.earlier.len() >= 2
    }
}

/// `me` reports something to the program's coordinators (see [`ReportDraft`]).
pub async fn report(core: &Core, me: &User, draft: ReportDraft) -> Result<ReportRow> {
    let mut problems = Problems::default();
    let note = problems.take(validate::optional("note", draft.note, 2000))?.unwrap_or_default();
    let (Some(kind), Some(category)) = (draft.kind, draft.category) else {
        if draft.kind.is_none() {
            problems.add("kind", "is required: message, person, meeting or event");
        }
        if draft.category.is_none() {
            problems.add("category", "is required");
        }
        return Err(problems.into_result().unwrap_err());
    };
    let mut need = |field: &str, present: bool| {
        if !present {
            problems.add(field, format!("is required for a {} report", kind.as_str()));
        }
    };
    match kind {
        ReportKind::Message => {
            need("channel_id", draft.channel_id.is_some());
            need("seq", draft.seq.is_some());
        }
        ReportKind::Person => {
            need("user_id", draft.user_id.is_some());
            need("program_id", draft.program_id.is_some());
        }
        ReportKind::Meeting => need("meeting_id", draft.meeting_id.is_some()),
        ReportKind::Event => {
            need("event_id", draft.event_id.is_some());
            need("user_id", draft.user_id.is_some());
        }
    }
    let mut share = draft.share;
    share.sort_unstable();
    share.dedup();
    if kind != ReportKind::Message && !share.is_empty() {
        problems.add("share", "only a message report shares messages");
    } else if share.len() > MAX_SHARED {
        problems.add("share", format!("at most {MAX_SHARED} messages"));
    }
    if draft.user_id == Some(me.id) {
        problems.add("user_id", "you cannot report yourself");
    }
    problems.into_result()?;

    let store = core.store.as_ref();
    let (program_id, subject, target_id, messages) = match kind {
        ReportKind::Message => {
            let (channel, seq) = (draft.channel_id.unwrap_or_default(), draft.seq.unwrap_or_default());
            access::channel(store, channel, me.id).await?;
            let program_id = store.get_channel(channel).await?.program_id;
            let Some(reported) = store.message_copies(channel, &[seq]).await?.pop() else {
                return Err(Error::field("seq", "no such message in this channel (or it was deleted)"));
            };
            if reported.sender_id == me.id {
                return Err(Error::field("seq", "you cannot report your own message"));
            }
            if reported.sender_id == SYSTEM_USER {
                return Err(Error::field("seq", "Kindred's own messages cannot be reported"));
            }
            let copies = store.message_copies(channel, &share).await?;
            if copies.len() != share.len() {
                return Err(Error::field("share", "names a message that is not in this channel (or was deleted)"));
            }
            (program_id, reported.sender_id, reported.message_id.unwrap_or_default(), copies)
        }
        ReportKind::Person => {
            let (program_id, user) = (draft.program_id.unwrap_or_default(), draft.user_id.unwrap_or_default());
            let access = ProgramAccess::of(core, me, program_id).await?;
            if access.role.is_none() || store.role_in_program(program_id, user).await?.is_none() {
                return Err(Error::NotFound);
            }
            (program_id, user, user, Vec::new())
        }
        ReportKind::Meeting => {
            let meeting = super::meetings::get(core, me, draft.meeting_id.unwrap_or_default()).await?;
            let other =
                if meeting.organizer.user_id == me.id { meeting.invitee.user_id } else { meeting.organizer.user_id };
            (meeting.program_id, other, meeting.id, Vec::new())
        }
        ReportKind::Event => {
            let (event_id, user) = (draft.event_id.unwrap_or_default(), draft.user_id.unwrap_or_default());
            let event = store.get_event(event_id).await?;
            if access::event_room(store, &event, me).await?.is_none() {
                return Err(Error::NotFound);
            }
            if event.host_id != user && !store.event_invited(event_id, user).await? {
                return Err(Error::field("user_id", "was not part of this event"));
            }
            // One open event report per person reported, whichever event.
            (event.program_id, user, user, Vec::new())
        }
    };
    let new = NewReport {
        id: Uuid::now_v7(),
        program_id,
        reporter: me.id,
        subject,
        kind,
        target_id,
        category,
        note,
        messages,
    };
    let now = core.clock.now();
    let row = core.store.create_report(&new, now).await?;
    let detail = format!(
        "report {} ({}, {}) about {}, sharing {} message(s)",
        row.id,
        kind.as_str(),
        category.as_str(),
        row.subject_name,
        new.messages.len()
    );
    core.store.record_audit(me.id, "report", Some(program_id), &detail, now).await?;
    let queued = queued(core, row.clone()).await?;
    let coordinators = core.store.program_members_of_role(program_id, Role::Coordinator).await?;
    let notice = Notice::Report { program: program_id, report: row.id, reviewed: false, repeat: queued.repeat() };
    core.notify.send(To::Users(&coordinators), notice).await;
    Ok(row)
}

/// A page of the reports `me` made, newest first.
pub async fn my_reports(core: &Core, me: &User, page: PageRequest) -> Result<Page<ReportRow>> {
    Ok(core.store.reports_by(me.id, page).await?)
}

async fn queued(core: &Core, report: ReportRow) -> Result<QueuedReport> {
    let messages = core.store.report_messages(report.id).await?;
    let mut earlier = core.store.reports_about(report.program_id, report.subject_id, 21).await?;
    earlier.retain(|r| r.id != report.id);
    earlier.truncate(20);
    Ok(QueuedReport { report, messages, earlier })
}

/// A page of the program's moderation queue (coordinators): open reports, or `all`.
pub async fn queue(
    core: &Core,
    me: &User,
    program_id: Uuid,
    all: bool,
    page: PageRequest,
) -> Result<Page<QueuedReport>> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let rows = core.store.program_reports(program_id, all, page).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        items.push(queued(core, row).await?);
    }
    Ok(Page { items, next: rows.next })
}

/// One report of the program's (coordinators).
pub async fn queued_report(core: &Core, me: &User, program_id: Uuid, id: Uuid) -> Result<QueuedReport> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let row = core.store.get_report(id).await?;
    if row.program_id != program_id {
        return Err(Error::NotFound);
    }
    queued(core, row).await
}

/// How a coordinator closes a report.
pub struct Closing {
    pub outcome: ReportOutcome,
    /// Why, for the audit log and the other coordinators.
    pub reason: String,
    /// For a warning: the words the reported person reads.
    pub warning: Option<String>,
    /// For a mute: for how many minutes.
    pub minutes: Option<u32>,
}

/// Closes a report with an action (coordinators of its program): recorded in the audit log; the
/// reporter is told it was reviewed, not what was done.
pub async fn close(core: &Core, me: &User, program_id: Uuid, id: Uuid, closing: Closing) -> Result<QueuedReport> {
    let access = ProgramAccess::of(core, me, program_id).await?;
    access.require_coordinator()?;
    let row = core.store.get_report(id).await?;
    if row.program_id != program_id {
        return Err(Error::NotFound);
    }
    let mut problems = Problems::default();
    let reason = problems.take(validate::required("reason", &closing.reason, 1000))?;
    let warning = match closing.outcome {
        ReportOutcome::Warned => {
            problems.take(validate::required("warning", closing.warning.as_deref().unwrap_or(""), 2000))?
        }
        _ if closing.warning.is_some() => {
            problems.add("warning", "only a warning has words for the person");
            String::new()
        }
        _ => String::new(),
    };
    let minutes = match (closing.outcome, closing.minutes) {
        (ReportOutcome::Muted, Some(m)) => problems.take(mute_minutes(m))?,
        (ReportOutcome::Muted, None) => {
            problems.add("minutes", "is required for a mute");
            0
        }
        (_, Some(_)) => {
            problems.add("minutes", "only a mute lasts a number of minutes");
            0
        }
        (_, None) => 0,
    };
    problems.into_result()?;
    if row.closed_at.is_some() {
        return Err(Error::Conflict("this report is already closed".into()));
    }
    let now = core.clock.now();
    match closing.outcome {
        ReportOutcome::Dismissed => {}
        ReportOutcome::Warned => {
            access.require_coordinator_member("join the program as a coordinator to warn its members")?;
            let person = PersonRef { user_id: row.subject_id, name: row.subject_name.clone() };
            let channel = super::program_data::coordinate::followup_channel(core, me, program_id, &person).await?;
            let text = format!("A warning from the program's coordinators: {warning}");
            // One warning per report, however often the close is retried or raced.
            core.notify.post(channel, me.id, format!("warn-{id}"), text, now).await?;
        }
        ReportOutcome::MatchEnded => {
            let between = core
                .store
                .user_matches(row.reporter_id)
                .await?
                .into_iter()
                .find(|m| {
                    m.program_id == program_id
                        && m.status == MatchStatus::Active
                        && (m.mentee_id == row.subject_id || m.mentor_id == row.subject_id)
                })
                .ok_or_else(|| Error::Conflict("there is no active match between the two to end".into()))?;
            let reason = Some("ended by the program's coordinators");
            let record = core.store.end_match(between.id, me.id, reason, now).await?;
            super::matching::worker::publish_match(core, &record).await;
            rematch_later(core, program_id).await?;
        }
        ReportOutcome::Muted => {
            mute(core, me, program_id, row.subject_id, Some(minutes), &reason).await?;
        }
        ReportOutcome::Suspended => {
            suspend(core, me, program_id, row.subject_id, true, &reason).await?;
        }
        ReportOutcome::Removed => {
            if row.kind != ReportKind::Message {
                return Err(Error::Conflict("only a message report names a channel to remove someone from".into()));
            }
            let channel = core.store.message_channel(row.target_id).await?.ok_or(Error::NotFound)?;
            remove_from_channel(core, me, channel, row.subject_id, &reason).await?;
        }
    }
    let closed = core.store.close_report(id, closing.outcome.as_str(), &reason, me.id, now).await?;
    let detail = format!("report {id}: {} ({reason})", closing.outcome.as_str());
    core.store.record_audit(me.id, "report_closed", Some(program_id), &detail, now).await?;
    // The reporter learns it was reviewed; the other coordinators' queues move on.
    let notice = Notice::Report { program: program_id, report: id, reviewed: true, repeat: false };
    let mut told = core.store.program_members_of_role(program_id, Role::Coordinator).await?;
    told.push(closed.reporter_id);
    core.notify.send(To::Users(&told), notice).await;
    queued(core, closed).await
}

// --- code of conduct ---

/// A program's code of conduct as one of its members sees it, with where they stand.
pub struct ConductView {
    pub current: Option<ConductRow>,
    /// The latest version they accepted, and when.
    pub accepted: Option<(i32, i64)>,
    /// They must accept the current version before they post, call or join events.
    pub required: bool,
}

/// The program's code of conduct (any member, and admins).
pub async fn conduct(core: &Core, me: &User, program_id: Uuid) -> Result<ConductView> {
    let access = ProgramAccess::of(core, me, program_id).await?;
    let current = core.store.conduct(program_id).await?;
    let accepted = core.store.accepted_conduct(program_id, me.id).await?;
    let required = access.role.is_some_and(|r| r != Role::Coordinator)
        && current.as_ref().is_some_and(|c| accepted.is_none_or(|(v, _)| v < c.version));
    Ok(ConductView { current, accepted, required })
}

/// Sets the program's code of conduct (coordinators; Markdown, at most 20,000 characters). A
/// changed text is a new version, which every member accepts again; recorded in the audit log.
pub async fn set_conduct(core: &Core, me: &User, program_id: Uuid, text: &str) -> Result<ConductView> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let text = validate::required("text", text, 20_000)?;
    let now = core.clock.now();
    let (row, new) = core.store.put_conduct(program_id, &text, me.id, now).await?;
    if new {
        let detail = format!("version {} ({} characters)", row.version, text.chars().count());
        core.store.record_audit(me.id, "conduct", Some(program_id), &detail, now).await?;
        // Connections forget that their people accepted the program's code: the next message
        // each sends there asks again.
        core.notify.publish(BusEvent::Conduct { program: program_id }).await;
        // Its members are asked live (one small frame each; a new version is rare).
        let mut members = core.store.program_members_of_role(program_id, Role::Mentee).await?;
        members.extend(core.store.program_members_of_role(program_id, Role::Mentor).await?);
        core.notify.send(To::Users(&members), Notice::Conduct { program: program_id, version: row.version }).await;
    }
    conduct(core, me, program_id).await
}

/// `me` accepts version `version` of the program's code of conduct (the current one).
pub async fn accept_conduct(core: &Core, me: &User, program_id: Uuid, version: i32) -> Result<()> {
    let access = ProgramAccess::of(core, me, program_id).await?;
    if access.role.is_none() {
        return Err(Error::NotFound);
    }
    Ok(core.store.accept_conduct(program_id, me.id, version, core.clock.now()).await?)
}

/// The codes of conduct `me` has yet to accept, one per program.
pub async fn pending_conduct(core: &Core, me: &User) -> Result<Vec<ConductRow>> {
    Ok(core.store.pending_conduct(me.id).await?)
}

// --- mutes and removals ---

/// The longest mute: 30 days.
pub const MAX_MUTE_MINUTES: u32 = 43_200;

fn mute_minutes(minutes: u32) -> Result<u32> {
    if (1..=MAX_MUTE_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Error::field("minutes", format!("must be between 1 and {MAX_MUTE_MINUTES} (30 days)")))
    }
}

/// A member of the program a coordinator may act on: not themself, not a coordinator. Anyone who
/// is not a member is not found.
async fn moderated_member(core: &Core, me: &User, program_id: Uuid, user: Uuid) -> Result<()> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    match core.store.role_in_program(program_id, user).await? {
        None => Err(Error::NotFound),
        Some(Role::Coordinator) => Err(Error::Conflict("coordinators are not muted or removed".into())),
        Some(_) if user == me.id => Err(Error::field("user_id", "you cannot moderate yourself")),
        Some(_) => Ok(()),
    }
}

/// Mutes `user` in the program's group channels for `minutes` (1 to 30 days; replacing an
/// earlier mute), or lifts their mute (`None`). Coordinators of the program; audited with why.
/// While muted they read but cannot post there, on every node at once; their conversations of
/// two stay theirs. Returns until when (ms).
pub async fn mute(
    core: &Core,
    me: &User,
    program_id: Uuid,
    user: Uuid,
    minutes: Option<u32>,
    reason: &str,
) -> Result<Option<i64>> {
    moderated_member(core, me, program_id, user).await?;
    let mut problems = Problems::default();
    let reason = problems.take(validate::required("reason", reason, 1000))?;
    let minutes = match minutes {
        Some(m) => Some(problems.take(mute_minutes(m))?),
        None => None,
    };
    problems.into_result()?;
    let now = core.clock.now();
    let until = minutes.map(|m| to_millis(now) + i64::from(m) * 60_000);
    let changed = core.store.set_mute(program_id, user, until, me.id, &reason, now).await?;
    if until.is_none() && !changed {
        return Err(Error::NotFound);
    }
    core.notify.publish(BusEvent::Mute { user, program: program_id, until }).await;
    let detail = match minutes {
        Some(m) => format!("{user} muted for {m} minutes: {reason}"),
        None => format!("{user} unmuted: {reason}"),
    };
    let action = if until.is_some() { "mute" } else { "unmute" };
    core.store.record_audit(me.id, action, Some(program_id), &detail, now).await?;
    Ok(until)
}

/// Takes `user` out of a group channel of the program (its coordinators; never a conversation
/// of two): they no longer read or post there, and their screens drop it at once. Audited.
pub async fn remove_from_channel(core: &Core, me: &User, channel_id: Uuid, user: Uuid, reason: &str) -> Result<()> {
    let channel = core.store.get_channel(channel_id).await?;
    moderated_member(core, me, channel.program_id, user).await?;
    let reason = validate::required("reason", reason, 1000)?;
    if !access::may_moderate(core.store.as_ref(), me.id, &channel).await? {
        return Err(Error::Conflict("only group channels of more than two people are moderated".into()));
    }
    if !core.store.remove_member(channel_id, user).await? {
        return Err(Error::NotFound);
    }
    core.notify.left(channel_id, user).await;
    let detail = format!("{user} removed from {} ({channel_id}): {reason}", channel.name);
    core.store.record_audit(me.id, "channel_remove", Some(channel.program_id), &detail, core.clock.now()).await?;
    Ok(())
}

/// Suspends a member from the program (`suspended`), or reinstates them (its coordinators;
/// audited with why). While suspended they are no member for anything the program offers: its
/// pages, channels, calls, events and matching; their data is kept. Their connections close at
/// once, so every device reconnects without the program; reinstating restores everything.
pub async fn suspend(
    core: &Core,
    me: &User,
    program_id: Uuid,
    user: Uuid,
    suspended: bool,
    reason: &str,
) -> Result<()> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let reason = validate::required("reason", reason, 1000)?;
    match core.store.membership_standing(program_id, user).await? {
        None => return Err(Error::NotFound),
        Some((role, _)) if role == Role::Coordinator.as_str() => {
            return Err(Error::Conflict("coordinators are not suspended".into()));
        }
        Some((_, already)) if already == suspended => {
            let state = if suspended { "already suspended" } else { "not suspended" };
            return Err(Error::Conflict(format!("this member is {state}")));
        }
        Some(_) => {}
    }
    let now = core.clock.now();
    core.store.set_suspended(program_id, user, suspended, now).await?;
    // Every device reconnects and reads its channels again, with or without the program's.
    core.notify.publish(BusEvent::Reconnect { user }).await;
    let action = if suspended { "suspend" } else { "reinstate" };
    core.store.record_audit(me.id, action, Some(program_id), &format!("{user}: {reason}"), now).await?;
    Ok(())
}

/// Takes `user` out of a group event (the program's coordinators; never its host or a
/// coordinator): they are no longer invited, whatever the event's audience (so they cannot RSVP
/// or enter its room), their RSVP goes, and they leave its chat at once. Someone in the live room
/// now is taken out with the room's own Remove. Audited with why.
pub async fn remove_from_event(core: &Core, me: &User, event_id: Uuid, user: Uuid, reason: &str) -> Result<()> {
    let event = core.store.get_event(event_id).await?;
    ProgramAccess::of(core, me, event.program_id).await?.require_coordinator()?;
    let reason = validate::required("reason", reason, 1000)?;
    if event.host_id == user {
        return Err(Error::Conflict("the event's host is not removed from it; change the host instead".into()));
    }
    match core.store.role_in_program(event.program_id, user).await? {
        None => return Err(Error::NotFound),
        Some(Role::Coordinator) => return Err(Error::Conflict("coordinators are not removed from events".into())),
        Some(_) => {}
    }
    let now = core.clock.now();
    if !core.store.remove_from_event(event_id, user, me.id, &reason, now).await? {
        return Err(Error::Conflict("this person was already removed from the event".into()));
    }
    if let Some(chat) = event.chat_channel_id
        && core.store.remove_member(chat, user).await?
    {
        core.notify.left(chat, user).await;
    }
    let detail = format!("{user} removed from the event {} ({event_id}): {reason}", event.title);
    core.store.record_audit(me.id, "event_remove", Some(event.program_id), &detail, now).await?;
    Ok(())
}

/// Lifts `user`'s removal from a group event (its program's coordinators): they are invited again
/// as its audience says (an event's chat they left is not rejoined). Audited with why.
pub async fn restore_to_event(core: &Core, me: &User, event_id: Uuid, user: Uuid, reason: &str) -> Result<()> {
    let event = core.store.get_event(event_id).await?;
    ProgramAccess::of(core, me, event.program_id).await?.require_coordinator()?;
    let reason = validate::required("reason", reason, 1000)?;
    if !core.store.restore_to_event(event_id, user).await? {
        return Err(Error::NotFound);
    }
    let detail = format!("{user} restored to the event {} ({event_id}): {reason}", event.title);
    core.store.record_audit(me.id, "event_restore", Some(event.program_id), &detail, core.clock.now()).await?;
    Ok(())
}

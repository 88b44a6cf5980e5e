//! Safety: blocking. Anyone may block a person they share a program with, at once and without
//! giving a reason. What a block stops is the access policy's business ([`access`]): from then
//! on neither reaches the other directly on any path (the conversation of just the two of them,
//! calls, meetings, typing, receipts, presence, matching), on every node. Blocking also ends
//! their open match quietly (no message in their conversation, no email; the blocked person sees
//! that it ended, not why; coordinators see that a block ended it) and puts both back in line for
//! a rematch, cancels their upcoming meetings and hangs up a call between them. Group channels
//! and events they share stay usable; the blocker's client hides the other's messages there.
//! Lifting a block restores contact, not the match.

use uuid::Uuid;

use super::matching::worker::{publish_match, rematch_later};
use super::notify::{Notice, To};
use super::{Core, Error, Result};
use crate::bus::{BusEvent, PresenceState};
use crate::store::{BlockRow, Page, PageRequest, User, to_millis};

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

//! Chat channels outside the live connection: my channels, a channel's history, and coordinators
//! opening channels (pairs, groups, announcements). Sending, receipts and typing are live, on the
//! WebSocket shell, which asks [`crate::domain::access::channel`] for membership.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::access::{self, ProgramAccess};
use super::{Core, Error, Result, validate};
use crate::store::{
    Channel, ChannelKind, ChannelMemberView, ChannelView, Event, NewChannel, Page as StorePage, PageRequest, Role, User,
};

/// Most members one request may name.
pub const MAX_MEMBERS: usize = 10_000;

/// What a coordinator asks for when opening a channel.
pub struct Opening {
    pub kind: ChannelKind,
    /// For pairs, empty means "the two names".
    pub name: String,
    /// Every program member belongs, including people who join later.
    pub program_wide: bool,
    pub members: Vec<Uuid>,
}

/// A page of history, newest first.
pub struct Page {
    pub items: Vec<Event>,
    /// The `before` of the previous page; `None` at the beginning of the channel.
    pub next_before: Option<i64>,
}

/// How many channels the first page of a person's list holds (a `welcome` adds their pair
/// channels that are not on it).
pub const FIRST_PAGE: u32 = 50;

/// A page of my channels, most recently active first, with my read position and unread count.
pub async fn mine(core: &Core, me: &User, page: PageRequest) -> Result<StorePage<ChannelView>> {
    access::channels(core.store.as_ref(), me.id, page).await
}

/// One of my channels as my list shows it; not found when I am not a member.
pub async fn one(core: &Core, me: &User, channel: Uuid) -> Result<ChannelView> {
    access::channel_view(core.store.as_ref(), me.id, channel).await
}

/// Most people a members request may name by id.
pub const MAX_MEMBERS_NAMED: usize = 100;

/// Which members of a channel to list.
pub enum Members {
    /// A page by user id.
    Page(PageRequest),
    /// These people, those of them who are members (the senders a conversation shows).
    Among(Vec<Uuid>),
}

/// Members of a channel I belong to, with names and read positions: how a client learns about the
/// members of a channel too large to carry them (`access::MEMBER_LIST_UP_TO`).
pub async fn members(core: &Core, me: &User, channel: Uuid, which: Members) -> Result<StorePage<ChannelMemberView>> {
    access::channel(core.store.as_ref(), channel, me.id).await?;
    Ok(match which {
        Members::Page(page) => {
            let items = core.store.channel_members_page(channel, page.after, page.limit).await?;
            let next = if items.len() == page.limit as usize { items.last().map(|m| m.user_id) } else { None };
            StorePage { items, next }
        }
        Members::Among(ids) => {
            if ids.len() > MAX_MEMBERS_NAMED {
                return Err(Error::field("ids", "at most 100 people at once"));
            }
            StorePage { items: core.store.channel_members_among(channel, &ids).await?, next: None }
        }
    })
}

/// History of a channel I belong to, paged backwards by sequence number (`limit` 1 to 200,
/// checked by the caller with the paging parameters).
pub async fn history(core: &Core, me: &User, channel: Uuid, before: Option<i64>, limit: u32) -> Result<Page> {
    access::channel(core.store.as_ref(), channel, me.id).await?;
    let items = core.store.history(channel, before, limit).await?;
    let next_before = if items.len() == limit as usize { items.last().map(|e| e.seq).filter(|s| *s > 1) } else { None };
    Ok(Page { items, next_before })
}

/// Opens a channel in a program (its coordinators). A pair is opened once: asking again returns
/// the existing channel and `false`.
pub async fn open(core: &Core, me: &User, program_id: Uuid, opening: Opening) -> Result<(Channel, bool)> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let unique: HashSet<Uuid> = opening.members.iter().copied().collect();
    if unique.len() != opening.members.len() {
        return Err(Error::field("members", "lists someone twice"));
    }
    if opening.members.len() > MAX_MEMBERS {
        return Err(Error::field("members", "at most 10000 members; use program_wide for everyone"));
    }
    // One query for everyone named, not one per person.
    let roles: HashMap<Uuid, Role> = core.store.program_roles(program_id, &opening.members).await?;
    if let Some(stranger) = opening.members.iter().find(|m| !roles.contains_key(m)) {
        return Err(Error::field("members", format!("{stranger} is not a member of this program")));
    }
    let now = core.clock.now();
    let (channel, created) = match opening.kind {
        ChannelKind::Pair => {
            if opening.members.len() != 2 || opening.program_wide {
                return Err(Error::field("members", "a pair channel has exactly two members and is not program-wide"));
            }
            let (a, b) =
                (core.store.get_user(opening.members[0]).await?, core.store.get_user(opening.members[1]).await?);
            let name = match opening.name.trim() {
                "" => format!("{} & {}", a.name, b.name),
                n => validate::required("name", n, 100)?,
            };
            access::may_converse(core.store.as_ref(), a.id, b.id).await?;
            core.store.open_pair_channel(program_id, a.id, b.id, &name, now).await?
        }
        kind => {
            let name = validate::required("name", &opening.name, 100)?;
            if !opening.program_wide && opening.members.is_empty() {
                return Err(Error::field("members", "name the members, or make the channel program-wide"));
            }
            let mut members: Vec<(Uuid, bool)> = opening
                .members
                .iter()
                .map(|id| (*id, kind == ChannelKind::Group || roles.get(id) == Some(&Role::Coordinator)))
                .collect();
            // The coordinator who opens a channel is in it (an admin who is not a member is not).
            if !unique.contains(&me.id) && core.store.role_in_program(program_id, me.id).await?.is_some() {
                members.push((me.id, true));
            }
            if let [(a, _), (b, _)] = members[..]
                && !opening.program_wide
            {
                access::may_converse(core.store.as_ref(), a, b).await?;
            }
            let fields = NewChannel { program_id, kind, name, program_wide: opening.program_wide, members };
            (core.store.create_channel(fields, now).await?, true)
        }
    };
    if created {
        core.notify.channel_opened(&channel).await?;
    }
    Ok((channel, created))
}

/// A group channel of more than two people that `me` moderates (its program's coordinators).
async fn moderated_group(core: &Core, me: &User, channel_id: Uuid) -> Result<Channel> {
    let channel = core.store.get_channel(channel_id).await?;
    ProgramAccess::of(core, me, channel.program_id).await?.require_coordinator()?;
    if channel.kind != ChannelKind::Group || channel.member_count <= 2 {
        return Err(Error::Conflict(
            "only group channels of more than two people are moderated this way (coordinators alone post in announcement channels)"
                .into(),
        ));
    }
    if !access::may_moderate(core.store.as_ref(), me.id, &channel).await? {
        return Err(Error::Forbidden("join the program as a coordinator to moderate its channels"));
    }
    Ok(channel)
}

/// Tells a moderated channel's members to read it again, and writes the change to the audit log.
async fn moderated(core: &Core, me: &User, channel: &Channel, action: &str, detail: String) -> Result<Channel> {
    let notice = super::notify::Notice::ChannelChanged { channel: channel.id };
    core.notify.send(super::notify::To::Channel { channel: channel.id, except: None }, notice).await;
    let now = core.clock.now();
    let detail = format!("{} ({}): {detail}", channel.name, channel.id);
    core.store.record_audit(me.id, action, Some(channel.program_id), &detail, now).await?;
    Ok(core.store.get_channel(channel.id).await?)
}

/// Locks or unlocks a group channel (its program's coordinators; a conversation of two is never
/// locked): while locked only coordinators post, on every node at once, and the members are told
/// to read the channel again. Recorded in the audit log.
pub async fn lock(core: &Core, me: &User, channel_id: Uuid, locked: bool) -> Result<Channel> {
    let channel = moderated_group(core, me, channel_id).await?;
    core.store.set_channel_locked(channel_id, locked).await?;
    let keep = core.store.program_members_of_role(channel.program_id, crate::store::Role::Coordinator).await?;
    core.notify.publish(crate::bus::BusEvent::Lock { channel: channel_id, locked, keep }).await;
    let action = if locked { "channel_locked" } else { "channel_unlocked" };
    moderated(core, me, &channel, action, String::new()).await
}

/// The longest slow mode: an hour between messages.
pub const MAX_SLOW_MODE_S: u32 = 3600;

/// Sets a group channel's slow mode (its program's coordinators): members who are not
/// coordinators post at most once every `seconds` (0 turns it off), on every node at once.
/// Recorded in the audit log.
pub async fn slow_mode(core: &Core, me: &User, channel_id: Uuid, seconds: u32) -> Result<Channel> {
    if seconds > MAX_SLOW_MODE_S {
        return Err(Error::field("seconds", format!("must be between 0 (off) and {MAX_SLOW_MODE_S}")));
    }
    let channel = moderated_group(core, me, channel_id).await?;
    core.store.set_slow_mode(channel_id, seconds as i32).await?;
    core.notify.publish(crate::bus::BusEvent::SlowMode { channel: channel_id, seconds }).await;
    moderated(core, me, &channel, "slow_mode", format!("{seconds} s")).await
}

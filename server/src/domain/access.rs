//! The one access policy: every "may X do Y to Z" and "may A reach B" question the server asks
//! is answered here, so a rule changes in one place.
//!
//! - Programs: admins reach every program; its coordinators manage it; other members read it.
//!   Anyone else is told it does not exist, so program ids reveal nothing.
//! - Channels: members read; members with posting rights write (announcement channels are
//!   read-only for all but coordinators). Non-members are told the channel does not exist.
//! - Person to person ([`may_reach`]): a call or a meeting reaches someone only through a
//!   relationship the program made (an active match). Messages, typing and receipts reach only a
//!   channel's members, because the gateway delivers them by the channel membership granted here
//!   ([`channel`], [`channels`]); presence reaches only channel-mates
//!   ([`Memberships::presence_contacts`], [`presence_channels`]). Matching never proposes a pair
//!   the program excluded ([`never_matched`]), nor two people one of whom blocked the other
//!   ([`blocked_pairs`]). An event's live room reaches the people invited to it, as host,
//!   speaker or audience ([`event_room`]); it has no person-to-person path.
//! - A program's code of conduct ([`conduct`]): its members (not its coordinators) accept the
//!   current version before they post, call or join its events.
//! - Blocks (`domain::safety`): a block either way stops direct contact on every path above.
//!   [`may_reach`] refuses calls and meetings; the conversation of just the two closes to
//!   posting ([`Grant::Closed`]); frames about one (typing, receipts, presence) never reach the
//!   other ([`Memberships::blocked`], and the bus event that updates live connections);
//!   matching never proposes them. Group channels and events they share stay usable.

use uuid::Uuid;

use super::{Core, Error, Result};
use crate::store::{
    Channel, ChannelAccess, ChannelKind, ChannelView, EventPersonRole, Exclusion, GroupEventRow, MatchRecord,
    MatchStatus, Membership, Page, PageRequest, Role, Store, StoreResult, User,
};

/// A channel of at most this many members shows them to each other: its member list travels with
/// it (the channel list, `welcome`, `channel_added`), its read receipts go to every member, and
/// its members see each other's presence. A larger channel (a program-wide announcement, an
/// event's chat) carries its `member_count` instead; its members are fetched a page at a time, or
/// by id for the senders on screen, and it shares no presence or receipts, so joining, reading or
/// coming online in it costs the same at 10,000 members as at 50.
pub const MEMBER_LIST_UP_TO: i64 = 50;

/// What a person may do in one program.
#[derive(Clone, Copy, Debug)]
pub struct ProgramAccess {
    /// Their role there, if they are a member.
    pub role: Option<Role>,
    /// Instance administrators reach every program.
    pub admin: bool,
}

impl ProgramAccess {
    /// The caller's access to a program; not found when they are neither a member nor an admin.
    pub async fn of(core: &Core, user: &User, program_id: Uuid) -> Result<ProgramAccess> {
        let role = core.store.role_in_program(program_id, user.id).await?;
        if role.is_none() && !user.is_admin {
            return Err(Error::NotFound);
        }
        Ok(ProgramAccess { role, admin: user.is_admin })
    }

    /// Coordinators of the program, and admins.
    pub fn may_manage(&self) -> bool {
        self.admin || self.role == Some(Role::Coordinator)
    }

    pub fn require_coordinator(&self) -> Result<()> {
        if self.may_manage() { Ok(()) } else { Err(Error::Forbidden("only the program's coordinators can do this")) }
    }

    /// Hosting, messaging pairs and other acts done *as* a coordinator need the role itself, not
    /// an admin's reach.
    pub fn require_coordinator_member(&self, why: &'static str) -> Result<()> {
        if self.role == Some(Role::Coordinator) { Ok(()) } else { Err(Error::Forbidden(why)) }
    }
}

/// What a member may do in a channel they read: the grant a WebSocket connection holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Read and post.
    Post,
    /// Read only: an announcement channel, where coordinators post.
    Read,
    /// Read only: a conversation closed by a block between its two people ([`crate::domain::safety`]).
    Closed,
}

impl Grant {
    /// A channel joined now: posting as the channel says.
    pub fn of(can_post: bool) -> Grant {
        if can_post { Grant::Post } else { Grant::Read }
    }

    fn of_membership(m: &Membership) -> Grant {
        match (m.can_post, m.channel.kind) {
            (true, _) => Grant::Post,
            (false, ChannelKind::Announcement) => Grant::Read,
            (false, _) => Grant::Closed,
        }
    }

    pub fn may_post(self) -> bool {
        self == Grant::Post
    }
}

/// A member's access to a channel; not found for anyone else.
pub async fn channel(store: &dyn Store, channel_id: Uuid, user: Uuid) -> Result<ChannelAccess> {
    store.channel_access(channel_id, user).await?.ok_or(Error::NotFound)
}

/// Every channel a person belongs to, read once when a WebSocket connection opens: its grants,
/// the channels its presence goes to and the `welcome`'s first page all come from this one read.
/// With them, the people a block stands between the person and ([`Memberships::blocked`]).
pub struct Memberships(Vec<Membership>, Vec<Uuid>);

/// A person's [`Memberships`].
pub async fn memberships(store: &dyn Store, user: Uuid) -> Result<Memberships> {
    Ok(Memberships(store.user_memberships(user).await?, store.block_relations(user).await?))
}

impl Memberships {
    /// Everyone with a block between them and the person, either way: a connection withholds
    /// frames about them (typing, receipts, presence) and never shows them as online.
    pub fn blocked(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.1.iter().copied()
    }

    /// The people whose presence the person sees when they connect: those who share one of
    /// their [`Memberships::presence_channels`] with them, but nobody a block stands between.
    pub async fn presence_contacts(&self, store: &dyn Store, user: Uuid) -> Result<Vec<Uuid>> {
        let mut contacts = store.contacts(user, &self.presence_channels()).await?;
        contacts.retain(|c| !self.1.contains(c));
        Ok(contacts)
    }

    /// Every channel the person may read, with whether they may post in it: the grant a WebSocket
    /// connection holds for its life (the hub refuses frames for any other channel, and delivers
    /// a channel's messages, typing and receipts only to the connections granted it).
    pub fn grants(&self) -> impl Iterator<Item = (Uuid, Grant)> + '_ {
        self.0.iter().map(|m| (m.channel.id, Grant::of_membership(m)))
    }

    /// The channels a change of the person's presence is announced in, as
    /// [`presence_channels`] reads them.
    pub fn presence_channels(&self) -> Vec<Uuid> {
        self.0.iter().filter(|m| m.channel.member_count <= MEMBER_LIST_UP_TO).map(|m| m.channel.id).collect()
    }

    /// The first page of the person's channels for a `welcome`, as [`channels`] orders it, with
    /// every pair channel of theirs that is not on it: 1:1 conversations are always at hand (an
    /// incoming call names the caller from theirs), and a person has few of them. The cursor is
    /// the page's. The counts, members and latest sequence numbers are read now, so a connection
    /// registered for live delivery before this call misses nothing.
    pub async fn first_page(self, store: &dyn Store, user: Uuid, limit: u32) -> Result<Page<ChannelView>> {
        let mut all = self.0;
        all.sort_by_key(|m| std::cmp::Reverse((m.channel.last_activity_at, m.channel.id)));
        let rest = all.split_off(all.len().min(limit as usize));
        let next = if rest.is_empty() { None } else { all.last().map(|m| m.channel.id) };
        all.extend(rest.into_iter().filter(|m| m.channel.kind == ChannelKind::Pair));
        let items = store.channel_views(user, all, MEMBER_LIST_UP_TO).await?;
        Ok(Page { items, next })
    }
}

/// A page of the channels a person belongs to, most recently active first, as they see them
/// (read position, unread count, the members of a channel of at most [`MEMBER_LIST_UP_TO`]).
pub async fn channels(store: &dyn Store, user: Uuid, page: PageRequest) -> Result<Page<ChannelView>> {
    Ok(store.user_channels(user, page, MEMBER_LIST_UP_TO).await?)
}

/// One channel as [`channels`] shows it; not found for anyone who is not a member.
pub async fn channel_view(store: &dyn Store, user: Uuid, channel_id: Uuid) -> Result<ChannelView> {
    store.user_channel(user, channel_id, MEMBER_LIST_UP_TO).await?.ok_or(Error::NotFound)
}

/// The channels a change of `user`'s presence is announced in (their own of at most
/// [`MEMBER_LIST_UP_TO`] members).
pub async fn presence_channels(store: &dyn Store, user: Uuid) -> Result<Vec<Uuid>> {
    Ok(store.user_channel_ids(user, MEMBER_LIST_UP_TO).await?)
}

/// Pairs a program may never propose, whatever their score: its do-not-match list. (The
/// matching engine adds the hard constraints of matching itself: never the same person, never a
/// pair that declined or ended before, a mentor's capacity.)
pub async fn never_matched(store: &dyn Store, program_id: Uuid) -> Result<Vec<Exclusion>> {
    Ok(store.list_exclusions(program_id).await?)
}

/// Pairs that are never proposed because one of the two blocked the other, as (blocker,
/// blocked), for the blockers among the program's members.
pub async fn blocked_pairs(store: &dyn Store, program_id: Uuid) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(store.program_blocks(program_id).await?)
}

/// The wording for anyone refused because of a block: the same whichever of the two blocked,
/// so nobody learns from it that they were blocked.
pub const UNREACHABLE: &str = "you cannot reach this person";

/// May `user` moderate `channel`: remove anyone's message, lock it? Its program's coordinators,
/// in group and announcement channels of more than two people; never in a conversation of two
/// (a pair's chat, a coordinator's follow-up with one person), which stays theirs.
pub async fn may_moderate(store: &dyn Store, user: Uuid, channel: &Channel) -> Result<bool> {
    if channel.kind == ChannelKind::Pair || channel.member_count <= 2 {
        return Ok(false);
    }
    Ok(store.role_in_program(channel.program_id, user).await? == Some(Role::Coordinator))
}

/// Where a channel stands for one of its writers: its program (a channel never changes
/// program), whether its coordinators moderate it (a group or announcement channel of more than
/// two people: a mute or a slow mode applies there, never in a conversation of two), whether the
/// writer is one of those coordinators, and its slow mode.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub program: Uuid,
    pub moderated: bool,
    pub coordinator: bool,
    pub slow_mode_s: u32,
}

/// A channel's [`Scope`] for `user`.
pub async fn channel_scope(store: &dyn Store, channel: Uuid, user: Uuid) -> Result<Scope> {
    let channel = store.get_channel(channel).await?;
    let coordinator = store.role_in_program(channel.program_id, user).await? == Some(Role::Coordinator);
    Ok(Scope {
        program: channel.program_id,
        moderated: channel.kind != ChannelKind::Pair && channel.member_count > 2,
        coordinator,
        slow_mode_s: u32::try_from(channel.slow_mode_s).unwrap_or(0),
    })
}

/// The programs whose group channels `user` is muted in at `now_ms`, and until when.
pub async fn mutes(store: &dyn Store, user: Uuid, now_ms: i64) -> Result<Vec<(Uuid, i64)>> {
    Ok(store.mutes_of(user, now_ms).await?)
}

/// The refusal for a member who has not accepted their program's current code of conduct.
pub const CONDUCT_FIRST: &str = "accept the program's code of conduct first";

/// May `user` chat, call and join events in the program? Once they accepted its current code of
/// conduct, if it has one (its coordinators, who write it, need not).
pub async fn conduct(store: &dyn Store, user: Uuid, program_id: Uuid) -> Result<()> {
    let Some(current) = store.conduct(program_id).await? else { return Ok(()) };
    if store.role_in_program(program_id, user).await? == Some(Role::Coordinator) {
        return Ok(());
    }
    match store.accepted_conduct(program_id, user).await? {
        Some((version, _)) if version >= current.version => Ok(()),
        _ => Err(Error::Forbidden(CONDUCT_FIRST)),
    }
}

/// May `a` and `b` have a conversation of just the two of them (a channel opened for the two,
/// a coordinator's follow-up to one person)? Not across a block.
pub async fn may_converse(store: &dyn Store, a: Uuid, b: Uuid) -> Result<()> {
    if store.blocked_between(a, b).await? { Err(Error::Forbidden(UNREACHABLE)) } else { Ok(()) }
}

/// How one person would reach another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Ringing them (1:1 video).
    Call,
    /// Proposing or moving a meeting with them.
    Meeting,
}

/// The relationship that lets one person reach another: their active match.
#[derive(Clone, Copy, Debug)]
pub struct Pair {
    pub program_id: Uuid,
    /// The pair's channel, once opened.
    pub channel_id: Option<Uuid>,
}

/// May `from` reach `to` this way? Only the two people of an active match reach each other
/// directly, and never across a block; everyone else is refused with a reason `from` may see.
pub async fn may_reach(store: &dyn Store, from: Uuid, to: Uuid, how: Reach) -> Result<Pair> {
    if from == to {
        return Err(Error::field("to", "you cannot reach yourself"));
    }
    if store.blocked_between(from, to).await? {
        return Err(Error::Forbidden(UNREACHABLE));
    }
    match store.active_pair(from, to).await? {
        Some((program_id, channel_id)) => Ok(Pair { program_id, channel_id }),
        None => Err(Error::Forbidden(match how {
            Reach::Call => "you can only call someone you are matched with",
            Reach::Meeting => "meetings are for active matches",
        })),
    }
}

/// For an act on a match by one of its two people (answering it, scheduling in it): the other
/// person. Anyone else is told it does not exist.
pub fn counterpart(record: &MatchRecord, me: Uuid) -> Result<Uuid> {
    if record.mentee_id == me {
        Ok(record.mentor_id)
    } else if record.mentor_id == me {
        Ok(record.mentee_id)
    } else {
        Err(Error::NotFound)
    }
}

/// A meeting in `record` may be arranged by one of its people while the match is active, and
/// only if they may reach each other.
pub async fn may_meet(store: &dyn Store, record: &MatchRecord, me: Uuid) -> Result<Uuid> {
    let other = counterpart(record, me)?;
    if record.status != MatchStatus::Active {
        return Err(Error::Conflict("meetings are for active matches".into()));
    }
    may_reach(store, me, other, Reach::Meeting).await?;
    Ok(other)
}

/// How someone takes part in an event's live room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomPart {
    /// The host, the program's coordinators and admins: they run the room.
    Host,
    /// Named speakers: on stage from the start.
    Speaker,
    /// Everyone else invited.
    Audience,
}

/// Who an event's live room reaches, and as whom: the people invited to the event (admins too).
/// `None` for anyone else. When the room is open is the event's business (`events::room_entry`).
pub async fn event_room(store: &dyn Store, event: &GroupEventRow, user: &User) -> StoreResult<Option<RoomPart>> {
    if !user.is_admin && !store.event_invited(event.id, user.id).await? {
        return Ok(None);
    }
    let role = store.role_in_program(event.program_id, user.id).await?;
    if event.host_id == user.id || role == Some(Role::Coordinator) || user.is_admin {
        return Ok(Some(RoomPart::Host));
    }
    let speaker =
        store.event_people(event.id).await?.iter().any(|p| p.user_id == user.id && p.role == EventPersonRole::Speaker);
    Ok(Some(if speaker { RoomPart::Speaker } else { RoomPart::Audience }))
}

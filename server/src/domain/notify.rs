//! The one way to tell people something live: to a person (every connection, on any node), to a
//! channel's members, or by posting a system message into a channel (stored and sequenced first,
//! then fanned out). Capabilities say *what* happened as a [`Notice`] of domain values; how a
//! notice looks on the wire is the WebSocket shell's business, handed in once at start-up as an
//! [`Encoder`], so this module never imports a frame type.
//!
//! Durable first: a failed publish is logged and counted, never an error for the caller, because
//! everything a notice says is already in the store and clients catch up with `sync`.

use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use super::matching::views::Match;
use super::program_data::{Alert, SurveyInvitation};
use crate::bus::{Bus, BusEvent};
use crate::domain::events::GroupEvent;
use crate::store::{
    Append, Appended, Channel, ChannelMemberView, ChannelView, Event, Meeting, SYSTEM_USER, Store, StoreResult,
};

/// Something a person is told live. Each variant is one kind of frame in `docs/protocol.md`.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// One event of a channel's log (a new message, an edit or a delete) and, for edits and
    /// deletes, the changed message's new state.
    ChannelEvent { event: &'a Event, message: Option<&'a Event> },
    /// The person joined a channel.
    ChannelAdded { channel: &'a ChannelView },
    /// A member's read position in a channel moved.
    Read { channel: Uuid, user: Uuid, seq: i64 },
    /// To the reader's own connections: their unread count in a channel.
    Unread { channel: Uuid, last_read_seq: i64, unread: i64 },
    /// A member is typing.
    Typing { channel: Uuid, user: Uuid },
    /// A match of the person's was proposed or changed.
    Match { r#match: &'a Match },
    /// A meeting of the person's changed, or (`reminder`) starts soon.
    Meeting { meeting: &'a Meeting, reminder: bool },
    /// A group event of the person's changed, or (`reminder`) starts soon.
    GroupEvent { event: &'a GroupEvent, reminder: bool },
    /// A survey waits for the person's answers.
    Survey { survey: &'a SurveyInvitation, reminder: bool },
    /// To coordinators: a pair was flagged as at risk.
    Alert { alert: &'a Alert },
    /// To a program's members: its code of conduct has a new version to accept.
    Conduct { program: Uuid, version: i32 },
    /// To a person taken out of a channel (by a coordinator).
    ChannelRemoved { channel: Uuid },
    /// To a channel's members: its settings changed (a coordinator locked or unlocked it); read
    /// it again.
    ChannelChanged { channel: Uuid },
    /// To a person who blocked `user` (`blocked`) or lifted the block.
    Block { user: Uuid, blocked: bool },
    /// To a program's coordinators: a new report (`repeat` when the person was reported before
    /// by someone else, or often); to its reporter: it was `reviewed`.
    Report { program: Uuid, report: Uuid, reviewed: bool, repeat: bool },
}

/// Turns a notice into the text frame every connection receives (the WebSocket shell's codec).
pub type Encoder = fn(&Notice<'_>) -> String;

/// Who a notice is for.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    /// Every connection of one person.
    User(Uuid),
    /// Every connection of each of these people.
    Users(&'a [Uuid]),
    /// Every connection receiving a channel. A notice about one person (their typing, their
    /// receipt) names them as `except`: it reaches neither them nor anyone a block stands
    /// between them and.
    Channel { channel: Uuid, except: Option<Uuid> },
}

/// The notification path: encode once, publish to every node.
#[derive(Clone)]
pub struct Notifier {
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    encode: Encoder,
}

impl Notifier {
    pub fn new(bus: Arc<dyn Bus>, store: Arc<dyn Store>, encode: Encoder) -> Self {
        Notifier { bus, store, encode }
    }

    /// Tells `to` about `notice`.
    pub async fn send(&self, to: To<'_>, notice: Notice<'_>) {
        let frame = (self.encode)(&notice);
        self.send_encoded(to, frame).await;
    }

    /// Sends an already encoded frame: for frames the domain has no notice for (the call
    /// signaling the pure state machine produces, relayed as it is).
    pub async fn send_encoded(&self, to: To<'_>, frame: String) {
        match to {
            To::User(user) => self.publish(BusEvent::User { user, frame }).await,
            To::Users(users) => {
                if let Some((last, rest)) = users.split_last() {
                    for user in rest {
                        self.publish(BusEvent::User { user: *user, frame: frame.clone() }).await;
                    }
                    self.publish(BusEvent::User { user: *last, frame }).await;
                }
            }
            To::Channel { channel, except } => {
                self.publish(BusEvent::Channel { channel, frame, except_user: except }).await
            }
        }
    }

    /// `user` is out of `channel`: on every node, their connections stop receiving it and are
    /// told (`Notice::ChannelRemoved`).
    pub async fn left(&self, channel: Uuid, user: Uuid) {
        let frame = (self.encode)(&Notice::ChannelRemoved { channel });
        self.publish(BusEvent::Left { channel, user, frame }).await;
    }

    /// Ends live connections: those of `session`, or all of `user`'s (sign-out, password reset,
    /// account deletion).
    pub async fn revoke(&self, user: Uuid, session: Option<Uuid>) {
        self.publish(BusEvent::Revoke { user, session }).await;
    }

    /// Publishes to every node; a failure is logged, never lost data (the store has it).
    pub async fn publish(&self, event: BusEvent) {
        if let Err(e) = self.bus.publish(&event).await {
            metrics::counter!("kindred_bus_publish_errors_total").increment(1);
            tracing::warn!(error = %e, "could not publish to the bus; clients will catch up with sync");
        }
    }

    /// Stores `body` in `channel` from `sender` (the system, for Kindred's own messages) under
    /// `client_id`, then fans it out. Idempotent by client id: a repeat stores nothing new.
    pub async fn post(
        &self,
        channel: Uuid,
        sender: Uuid,
        client_id: String,
        body: String,
        now: OffsetDateTime,
    ) -> StoreResult<Appended> {
        let appended =
            self.store.append_message(Append { channel_id: channel, sender_id: sender, client_id, body }, now).await?;
        // Fanned out on a repeat too: a run that died after storing has not told anyone, and
        // clients drop an event whose sequence number they already have.
        let notice = Notice::ChannelEvent { event: &appended.event, message: None };
        self.send(To::Channel { channel, except: None }, notice).await;
        Ok(appended)
    }

    /// Kindred's own message in a channel (welcomes, nudges, missed calls), posted once per
    /// `client_id`.
    pub async fn post_system(
        &self,
        channel: Uuid,
        client_id: String,
        body: String,
        now: OffsetDateTime,
    ) -> StoreResult<Appended> {
        self.post(channel, SYSTEM_USER, client_id, body, now).await
    }

    /// Tells every member's live connections about a channel they are now in, so it appears
    /// without a reload, and lets channel-mates see each other's presence. Safe to repeat.
    pub async fn channel_opened(&self, channel: &Channel) -> StoreResult<()> {
        // A large channel carries its count, not its members: one small frame per member, not
        // a member list per member (`access::MEMBER_LIST_UP_TO`), and its members' names are
        // not read at all.
        let shown = channel.member_count <= super::access::MEMBER_LIST_UP_TO;
        let (grants, members): (Vec<(Uuid, bool)>, Vec<ChannelMemberView>) = if shown {
            let rows = self.store.channel_members(channel.id).await?;
            let grants = rows.iter().map(|m| (m.user_id, m.can_post)).collect();
            let members = rows
                .into_iter()
                .map(|m| ChannelMemberView { user_id: m.user_id, name: m.name, last_read_seq: 0 })
                .collect();
            (grants, members)
        } else {
            (self.store.channel_member_grants(channel.id).await?, Vec::new())
        };
        // Everyone who may post gets one frame and everyone who may not another: at most two
        // bus events, however large the channel.
        for can_post in [true, false] {
            let users: Vec<Uuid> = grants.iter().filter(|(_, may)| *may == can_post).map(|(user, _)| *user).collect();
            if users.is_empty() {
                continue;
            }
            let view = ChannelView {
                channel: channel.clone(),
                can_post,
                last_read_seq: 0,
                unread: 0,
                members: members.clone(),
            };
            let frame = (self.encode)(&Notice::ChannelAdded { channel: &view });
            self.publish(BusEvent::Joined { channel: channel.id, users, can_post, frame }).await;
        }
        if !shown {
            return Ok(());
        }
        let member_ids: Vec<Uuid> = grants.iter().map(|(user, _)| *user).collect();
        let online = match self.bus.presence_of(&member_ids).await {
            Ok(online) => online,
            Err(e) => {
                tracing::warn!(error = %e, "could not read presence for a new channel");
                Default::default()
            }
        };
        for (user, state) in online {
            self.publish(BusEvent::Presence { user, state, channels: vec![channel.id] }).await;
        }
        Ok(())
    }
}

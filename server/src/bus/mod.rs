//! The bus seam: how a node tells every node (itself included) about live events, and where
//! presence lives. Two implementations behind one trait: in-process (one node, the embedded
//! default) and Redis pub/sub (any number of nodes sharing one Redis).
//!
//! The bus carries only what is live. Messages are durable in the store before they are
//! published, so an event lost on the bus (a Redis restart) costs latency, not data: nodes then
//! tell their clients to `sync` from the store.

mod local;
mod redis;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

pub use local::LocalBus;
pub use redis::RedisBus;

/// What travels between nodes. Frames are already encoded, so each node forwards bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum BusEvent {
    /// Deliver `frame` to every connection of every member of `channel`. A frame about one
    /// person (their typing, their read receipt) names them as `except_user`: it goes neither
    /// to them nor to anyone with a block between them and that person.
    Channel { channel: Uuid, frame: String, except_user: Option<Uuid> },
    /// Deliver `frame` to every connection of `user`.
    User { user: Uuid, frame: String },
    /// `users` joined `channel`, all with the same `can_post`: register their connections and
    /// send them `frame` (channel_added). One event for a whole program joining a program-wide
    /// channel, not one per person.
    Joined { channel: Uuid, users: Vec<Uuid>, can_post: bool, frame: String },
    /// `user`'s merged presence is now `state`; deliver to members of `channels`.
    Presence { user: Uuid, state: PresenceState, channels: Vec<Uuid> },
    /// A block between the two people of `between` began (`blocked`) or ended (no block left
    /// either way): their connections stop (or start again) seeing each other's typing,
    /// receipts and presence, and `channels` (those of just the two of them) close to posting
    /// (or reopen). `presence` is each one's state, for telling the other when contact returns.
    Block { between: [Uuid; 2], blocked: bool, channels: Vec<Uuid>, presence: [PresenceState; 2] },
    /// A coordinator locked (or unlocked) `channel`: its members' connections, except those of
    /// `keep` (the program's coordinators), may no longer (or may again) post there.
    Lock { channel: Uuid, locked: bool, keep: Vec<Uuid> },
    /// `channel`'s slow mode is now `seconds` (0: off).
    SlowMode { channel: Uuid, seconds: u32 },
    /// `user` was muted in `program`'s group channels until `until` (ms), or unmuted (`None`).
    Mute { user: Uuid, program: Uuid, until: Option<i64> },
    /// `user` left (was taken out of) `channel`: their connections stop receiving it and are
    /// sent `frame` (channel_removed).
    Left { channel: Uuid, user: Uuid, frame: String },
    /// `program`'s code of conduct has a new version: connections forget that their people
    /// accepted it, so the next message each sends there is checked again.
    Conduct { program: Uuid },
    /// `user`'s access changed everywhere (a suspension): close their connections with the
    /// reconnect code, so each reconnects and reads its channels again.
    Reconnect { user: Uuid },
    /// Sessions ended (sign-out, sign-out everywhere, password reset): close the matching
    /// connections of `user` (those of `session`, or all of them).
    Revoke { user: Uuid, session: Option<Uuid> },
    /// Local only: a node's connections went away without it saying so (it died); the receiving
    /// node resolves who may see `user` and publishes their new presence.
    PresenceLost { user: Uuid, state: PresenceState },
    /// Local only: the bus may have dropped events (it reconnected); clients must `sync`.
    Resync,
    /// Deliver `frame` to connection `conn` of node `node` (live room frames).
    Conn { node: Uuid, conn: u64, frame: String },
    /// For the SFU on node `node`: a live room command from a connection on another node, encoded
    /// by the live-room shell (the bus carries it without knowing its type).
    Room { node: Uuid, command: String },
}

/// A person's presence as others see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Online,
    Away,
    Offline,
}

impl PresenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Online => "online",
            PresenceState::Away => "away",
            PresenceState::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> PresenceState {
        match s {
            "online" => PresenceState::Online,
            "away" => PresenceState::Away,
            _ => PresenceState::Offline,
        }
    }

    /// Combines the states of several connections or nodes: any online wins, then away.
    pub fn merge(self, other: PresenceState) -> PresenceState {
        use PresenceState::*;
        match (self, other) {
            (Online, _) | (_, Online) => Online,
            (Away, _) | (_, Away) => Away,
            _ => Offline,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("the bus is closed")]
    Closed,
}

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Sends an event to every node, this one included.
    async fn publish(&self, event: &BusEvent) -> Result<(), BusError>;
    /// Records this node's presence for `user` (`None`: no connection here any more) and returns
    /// the state merged across nodes.
    async fn set_presence(&self, user: Uuid, state: Option<PresenceState>) -> Result<PresenceState, BusError>;
    /// Merged presence of each of `users` (absent means offline).
    async fn presence_of(&self, users: &[Uuid]) -> Result<HashMap<Uuid, PresenceState>, BusError>;
    /// Whether the bus's backing service answers.
    async fn ping(&self) -> Result<(), BusError>;
    /// Says that this node hosts live rooms (runs an SFU).
    async fn offer_sfu(&self) -> Result<(), BusError>;
    /// The node hosting `event`'s live room: the one it is placed on while that node lives, or
    /// else one of the live nodes that host rooms, recorded for everyone. `None`: no SFU anywhere.
    async fn place_room(&self, event: Uuid) -> Result<Option<Uuid>, BusError>;
    fn backend(&self) -> &'static str;
}

/// Bus settings.
#[derive(Clone, Debug)]
pub struct BusConfig {
    /// `redis://…`, or `None` for in-process.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel, so deployments (and tests) can share a Redis.
    pub prefix: String,
    /// This process's id, unique per start.
    pub node_id: Uuid,
}

/// Opens the bus named by the configuration and the stream of events this node must deliver. Its
/// background tasks (Redis's subscriber and sweeper) join `tasks` and end with `shutdown`.
pub async fn open(
    config: BusConfig,
    shutdown: CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<(Arc<dyn Bus>, mpsc::Receiver<BusEvent>)> {
    // Bounded: if delivery falls behind, publishers wait rather than memory growing.
    let (tx, rx) = mpsc::channel(8192);
    let bus: Arc<dyn Bus> = match &config.redis_url {
        None => Arc::new(LocalBus::new(tx, config.node_id)),
        Some(url) => {
            Arc::new(RedisBus::connect(url, config.prefix.clone(), config.node_id, tx, shutdown, tasks).await?)
        }
    };
    Ok((bus, rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_as_json() {
        let e = BusEvent::Channel { channel: Uuid::nil(), frame: "{\"type\":\"x\"}".into(), except_user: None };
        let text = serde_json::to_string(&e).unwrap();
        match serde_json::from_str::<BusEvent>(&text).unwrap() {
            BusEvent::Channel { frame, .. } => assert_eq!(frame, "{\"type\":\"x\"}"),
            other => panic!("{other:?}"),
        }
    }
}

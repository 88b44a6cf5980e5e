//! The Redis bus: pub/sub for fan-out across nodes, and presence in Redis with heartbeats.
//!
//! Keys (all under the configured prefix):
//! - `events`: the pub/sub channel every node publishes to and subscribes to.
//! - `node:{id}`: a node's heartbeat, refreshed every few seconds, expiring after [`NODE_TTL`].
//! - `nodes`: the set of node ids that have announced themselves.
//! - `presence:{user}`: hash of node id → that node's state for the user.
//! - `node_users:{id}`: the users a node has presence for, so its entries can be reaped.
//!
//! A node that dies stops its heartbeat; within [`NODE_TTL`] plus one sweep another node reaps
//! its presence entries and its users go offline for everyone. A Redis restart loses the keys;
//! when the subscription comes back each node re-announces its users and asks its clients to
//! `sync`, because events published meanwhile were lost.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::PresenceState;
use super::{Bus, BusError, BusEvent};

/// How long a node's heartbeat lives without renewal.
pub const NODE_TTL: Duration = Duration::from_secs(15);
/// How often a node renews its heartbeat and looks for dead nodes.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5);

pub struct RedisBus {
    conn: ConnectionManager,
    prefix: String,
    node_id: Uuid,
}

impl RedisBus {
    pub async fn connect(
        url: &str,
        prefix: String,
        node_id: Uuid,
        tx: mpsc::Sender<BusEvent>,
        shutdown: CancellationToken,
        tasks: &TaskTracker,
    ) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        let bus = RedisBus { conn, prefix, node_id };
        bus.heartbeat().await?;
        // Subscribe before returning, so nothing published after start-up is missed.
        let pubsub = subscribe(&client, &bus.key("events")).await?;
        tasks.spawn(receive(client, bus.key("events"), pubsub, tx.clone(), shutdown.clone()));
        tasks.spawn(sweep(bus.conn.clone(), bus.prefix.clone(), node_id, tx, shutdown));
        Ok(bus)
    }

    fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    async fn heartbeat(&self) -> Result<(), BusError> {
        heartbeat(&mut self.conn.clone(), &self.prefix, self.node_id).await
    }
}

async fn heartbeat(conn: &mut ConnectionManager, prefix: &str, node_id: Uuid) -> Result<(), BusError> {
    redis::pipe()
        .set_ex(format!("{prefix}node:{node_id}"), 1, NODE_TTL.as_secs())
        .ignore()
        .sadd(format!("{prefix}nodes"), node_id.to_string())
        .ignore()
        .query_async::<()>(conn)
        .await?;
    Ok(())
}

async fn subscribe(client: &redis::Client, channel: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Forwards every published event to this node's delivery loop, reconnecting when Redis goes
/// away. After a reconnect it asks for a resync: whatever was published meanwhile is lost.
async fn receive(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    tx: mpsc::Sender<BusEvent>,
    shutdown: CancellationToken,
) {
    loop {
        {
            let mut stream = pubsub.on_message();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    msg = stream.next() => match msg {
                        Some(msg) => {
                            let Ok(payload) = msg.get_payload::<String>() else { continue };
                            match serde_json::from_str::<BusEvent>(&payload) {
                                Ok(event) => {
                                    if tx.send(event).await.is_err() {
                                        return;
                                    }
                                }
                                Err(e) => tracing::warn!(error = %e, "ignoring an unreadable bus event"),
                            }
                        }
                        None => break,
                    }
                }
            }
        }
        tracing::warn!("lost the Redis subscription; reconnecting");
        metrics::counter!("kindred_bus_reconnects_total").increment(1);
        let mut delay = Duration::from_millis(100);
        pubsub = loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            match subscribe(&client, &channel).await {
                Ok(p) => break p,
                Err(e) => {
                    tracing::debug!(error = %e, "Redis still unreachable");
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        };
        tracing::info!("Redis subscription restored");
        if tx.send(BusEvent::Resync).await.is_err() {
            return;
        }
    }
}

/// Keeps this node's heartbeat alive and reaps the presence of nodes whose heartbeat expired.
async fn sweep(
    mut conn: ConnectionManager,
    prefix: String,
    node_id: Uuid,
    tx: mpsc::Sender<BusEvent>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = heartbeat(&mut conn, &prefix, node_id).await {
            tracing::warn!(error = %e, "could not renew the node heartbeat");
            continue;
        }
        if let Err(e) = reap(&mut conn, &prefix, node_id, &tx).await {
            tracing::warn!(error = %e, "could not reap dead nodes");
        }
    }
}

async fn reap(
    conn: &mut ConnectionManager,
    prefix: &str,
    node_id: Uuid,
    tx: &mpsc::Sender<BusEvent>,
) -> Result<(), BusError> {
    let nodes: Vec<String> = conn.smembers(format!("{prefix}nodes")).await?;
    for node in nodes {
        if node == node_id.to_string() {
            continue;
        }
        let alive: bool = conn.exists(format!("{prefix}node:{node}")).await?;
        if alive {
            continue;
        }
        // One node reaps each dead node.
        let claimed: bool = redis::cmd("SET")
            .arg(format!("{prefix}reap:{node}"))
            .arg(node_id.to_string())
            .arg("NX")
            .arg("EX")
            .arg(60)
            .query_async::<Option<String>>(conn)
            .await?
            .is_some();
        if !claimed {
            continue;
        }
        let users: Vec<String> = conn.smembers(format!("{prefix}node_users:{node}")).await?;
        tracing::info!(node, users = users.len(), "reaping the presence of a node that stopped");
        for user in users {
            let Ok(user) = Uuid::parse_str(&user) else { continue };
            let key = format!("{prefix}presence:{user}");
            let _: () = conn.hdel(&key, &node).await?;
            let rest: HashMap<String, String> = conn.hgetall(&key).await?;
            let state = merged(rest.values());
            if tx.send(BusEvent::PresenceLost { user, state }).await.is_err() {
                return Err(BusError::Closed);
            }
        }
        let _: () = redis::pipe()
            .del(format!("{prefix}node_users:{node}"))
            .ignore()
            .srem(format!("{prefix}nodes"), &node)
            .ignore()
            .query_async(conn)
            .await?;
    }
    Ok(())
}

fn merged<'a>(states: impl Iterator<Item = &'a String>) -> PresenceState {
    states.map(|s| PresenceState::parse(s)).fold(PresenceState::Offline, PresenceState::merge)
}

#[async_trait]
impl Bus for RedisBus {
    async fn publish(&self, event: &BusEvent) -> Result<(), BusError> {
        let payload = serde_json::to_string(event).expect("bus events serialize");
        let _: i64 = self.conn.clone().publish(self.key("events"), payload).await?;
        Ok(())
    }

    async fn set_presence(&self, user: Uuid, state: Option<PresenceState>) -> Result<PresenceState, BusError> {
        let key = self.key(&format!("presence:{user}"));
        let users = self.key(&format!("node_users:{}", self.node_id));
        let node = self.node_id.to_string();
        let mut pipe = redis::pipe();
        match state {
            Some(s) if s != PresenceState::Offline => {
                pipe.hset(&key, &node, s.as_str()).ignore().sadd(&users, user.to_string()).ignore();
            }
            _ => {
                pipe.hdel(&key, &node).ignore().srem(&users, user.to_string()).ignore();
            }
        }
        pipe.hgetall(&key);
        let (all,): (HashMap<String, String>,) = pipe.query_async(&mut self.conn.clone()).await?;
        Ok(merged(all.values()))
    }

    async fn presence_of(&self, users: &[Uuid]) -> Result<HashMap<Uuid, PresenceState>, BusError> {
        let mut out = HashMap::new();
        for chunk in users.chunks(500) {
            let mut pipe = redis::pipe();
            for user in chunk {
                pipe.hgetall(self.key(&format!("presence:{user}")));
            }
            let states: Vec<HashMap<String, String>> = pipe.query_async(&mut self.conn.clone()).await?;
            for (user, fields) in chunk.iter().zip(states) {
                let state = merged(fields.values());
                if state != PresenceState::Offline {
                    out.insert(*user, state);
                }
            }
        }
        Ok(out)
    }

    async fn ping(&self) -> Result<(), BusError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn offer_sfu(&self) -> Result<(), BusError> {
        let _: () = self.conn.clone().sadd(self.key("sfus"), self.node_id.to_string()).await?;
        Ok(())
    }

    async fn place_room(&self, event: Uuid) -> Result<Option<Uuid>, BusError> {
        let mut conn = self.conn.clone();
        let key = self.key(&format!("room:{event}"));
        let alive = |node: &str| format!("{}node:{node}", self.prefix);
        for _ in 0..3 {
            if let Some(node) = conn.get::<_, Option<String>>(&key).await? {
                if conn.exists::<_, bool>(alive(&node)).await? {
                    return Ok(Uuid::parse_str(&node).ok());
                }
                // Its node died: the room starts over elsewhere (compare-and-delete).
                let _: i64 = redis::Script::new(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
                )
                .key(&key)
                .arg(&node)
                .invoke_async(&mut conn)
                .await?;
            }
            let mut nodes: Vec<String> = conn.smembers(self.key("sfus")).await?;
            nodes.sort();
            let mut live = Vec::new();
            for node in nodes {
                if conn.exists::<_, bool>(alive(&node)).await? {
                    live.push(node);
                } else {
                    let _: () = conn.srem(self.key("sfus"), &node).await?;
                }
            }
            if live.is_empty() {
                return Ok(None);
            }
            // Rooms spread over the SFU nodes by event id; every node computes the same choice.
            let choice = &live[(event.as_u128() % live.len() as u128) as usize];
            let placed: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(choice)
                .arg("NX")
                .arg("EX")
                .arg(7 * 24 * 3600)
                .query_async(&mut conn)
                .await?;
            if placed.is_some() {
                return Ok(Uuid::parse_str(choice).ok());
            }
        }
        Ok(None)
    }
}

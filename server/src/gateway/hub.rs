//! This node's registry of live connections, indexed by person and by channel, and the delivery
//! of encoded frames to them. Delivery never waits: a connection whose bounded queue is full is
//! told to close (slow consumer) rather than letting memory grow or stalling everyone else.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::protocol::{PresenceState, close};
use crate::domain::access::Grant;

pub type ConnId = u64;

/// Handle to a connection's writer side: its queue and its kill switch.
#[derive(Clone)]
pub struct Outbox {
    pub tx: mpsc::Sender<Utf8Bytes>,
    pub kill: CancellationToken,
    /// The close code the writer sends when killed.
    pub reason: Arc<AtomicU16>,
}

impl Outbox {
    /// Queues a frame; a full queue closes the connection with the slow-consumer code.
    pub fn push(&self, frame: Utf8Bytes) -> bool {
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close(close::SLOW_CONSUMER);
                metrics::counter!("kindred_ws_slow_consumers_total").increment(1);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queues a frame, waiting for room: for the connection's own task (catching up from the
    /// store), where waiting slows only this client. It waits until half the queue is free, so
    /// live frames pushed meanwhile (which never wait) still find room and a client that reads
    /// at its own pace is not mistaken for a slow one. A client that takes no frames for the
    /// whole write timeout is closed as slow.
    pub async fn push_wait(&self, frame: Utf8Bytes, within: std::time::Duration) -> bool {
        let headroom = self.tx.max_capacity() / 2;
        match tokio::time::timeout(within, self.tx.reserve_many(headroom + 1)).await {
            Ok(Ok(mut permits)) => {
                if let Some(permit) = permits.next() {
                    permit.send(frame);
                }
                true
            }
            Ok(Err(_)) => false,
            Err(_) => {
                self.close(close::SLOW_CONSUMER);
                false
            }
        }
    }

    pub fn close(&self, code: u16) {
        let _ = self.reason.compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed);
        self.kill.cancel();
    }
}

struct Conn {
    user: Uuid,
    /// The session (browser session or API token) the connection was opened with.
    session: Uuid,
    outbox: Outbox,
    /// Channels this connection receives, and what its person may do in each.
    channels: HashMap<Uuid, Grant>,
    /// People with a block between them and this connection's person: frames about them
    /// (typing, receipts, presence) are withheld.
    hidden: HashSet<Uuid>,
    /// Programs whose current code of conduct this connection's person has been found to have
    /// accepted (cleared when a program publishes a new version).
    conduct_ok: HashSet<Uuid>,
    /// Programs whose group channels this connection's person is muted in, until when (ms).
    muted: HashMap<Uuid, i64>,
    presence: PresenceState,
}

impl Conn {
    /// Whether a frame about `about` is withheld from this connection: it is their own, or a
    /// block stands between the two.
    fn withholds(&self, about: Option<Uuid>) -> bool {
        about.is_some_and(|u| u == self.user || self.hidden.contains(&u))
    }
}

#[derive(Default)]
struct Inner {
    conns: HashMap<ConnId, Conn>,
    by_user: HashMap<Uuid, HashSet<ConnId>>,
    by_channel: HashMap<Uuid, HashSet<ConnId>>,
}

/// A token bucket per person for sending.
struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct Hub {
    inner: RwLock<Inner>,
    /// Slow mode of the channels this node has seen written in (seconds), kept current by
    /// `BusEvent::SlowMode`, and when each person last posted in each slow channel here.
    slow: RwLock<HashMap<Uuid, u32>>,
    last_post: Mutex<HashMap<(Uuid, Uuid), Instant>>,
    next: AtomicU64,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
    rate_per_sec: f64,
    burst: f64,
}

impl Hub {
    pub fn new(rate_per_sec: f64, burst: f64) -> Self {
        Hub {
            inner: RwLock::default(),
            slow: RwLock::default(),
            last_post: Mutex::default(),
            next: AtomicU64::new(1),
            buckets: Mutex::default(),
            rate_per_sec,
            burst,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection receiving `channels`, withholding frames about the `hidden` people, its
    /// person muted in the `muted` programs' group channels.
    pub fn register(
        &self,
        user: Uuid,
        session: Uuid,
        outbox: Outbox,
        channels: HashMap<Uuid, Grant>,
        hidden: HashSet<Uuid>,
        muted: HashMap<Uuid, i64>,
    ) -> ConnId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.write();
        for channel in channels.keys() {
            inner.by_channel.entry(*channel).or_default().insert(id);
        }
        inner.by_user.entry(user).or_default().insert(id);
        let conduct_ok = HashSet::new();
        let presence = PresenceState::Online;
        inner.conns.insert(id, Conn { user, session, outbox, channels, hidden, conduct_ok, muted, presence });
        metrics::gauge!("kindred_ws_connections").set(inner.conns.len() as f64);
        id
    }

    /// Removes a connection; returns how many connections its person still has here.
    pub fn unregister(&self, id: ConnId) -> usize {
        let mut inner = self.write();
        let Some(conn) = inner.conns.remove(&id) else { return 0 };
        for channel in conn.channels.keys() {
            if let Some(set) = inner.by_channel.get_mut(channel) {
                set.remove(&id);
                if set.is_empty() {
                    inner.by_channel.remove(channel);
                }
            }
        }
        let left = match inner.by_user.get_mut(&conn.user) {
            Some(set) => {
                set.remove(&id);
                set.len()
            }
            None => 0,
        };
        if left == 0 {
            inner.by_user.remove(&conn.user);
        }
        metrics::gauge!("kindred_ws_connections").set(inner.conns.len() as f64);
        left
    }

    /// `None` when the connection does not receive the channel; else what it may do there.
    pub fn access(&self, id: ConnId, channel: Uuid) -> Option<Grant> {
        self.read().conns.get(&id).and_then(|c| c.channels.get(&channel).copied())
    }

    /// Whether the connection's person is known to have accepted `program`'s code of conduct.
    pub fn conduct_ok(&self, id: ConnId, program: Uuid) -> bool {
        self.read().conns.get(&id).is_some_and(|c| c.conduct_ok.contains(&program))
    }

    /// Remembers that the connection's person accepted `program`'s current code of conduct.
    pub fn set_conduct_ok(&self, id: ConnId, program: Uuid) {
        if let Some(conn) = self.write().conns.get_mut(&id) {
            conn.conduct_ok.insert(program);
        }
    }

    /// Until when (ms) the connection's person is muted in `program`'s group channels.
    pub fn muted_until(&self, id: ConnId, program: Uuid) -> Option<i64> {
        self.read().conns.get(&id).and_then(|c| c.muted.get(&program).copied())
    }

    /// `user` was muted in `program`'s group channels until `until`, or unmuted (`None`).
    pub fn mute(&self, user: Uuid, program: Uuid, until: Option<i64>) {
        let mut inner = self.write();
        let ids: Vec<ConnId> = inner.by_user.get(&user).into_iter().flatten().copied().collect();
        for id in ids {
            if let Some(conn) = inner.conns.get_mut(&id) {
                match until {
                    Some(until) => conn.muted.insert(program, until),
                    None => conn.muted.remove(&program),
                };
            }
        }
    }

    /// `user` left `channel`: their connections stop receiving it and are sent `frame`.
    pub fn leave(&self, channel: Uuid, user: Uuid, frame: &Utf8Bytes) {
        let mut inner = self.write();
        let ids: Vec<ConnId> = inner.by_user.get(&user).into_iter().flatten().copied().collect();
        for id in ids {
            if let Some(conn) = inner.conns.get_mut(&id)
                && conn.channels.remove(&channel).is_some()
            {
                conn.outbox.push(frame.clone());
            }
            if let Some(set) = inner.by_channel.get_mut(&channel) {
                set.remove(&id);
                if set.is_empty() {
                    inner.by_channel.remove(&channel);
                }
            }
        }
    }

    /// `program` published a new code of conduct: every connection asks again.
    pub fn conduct_changed(&self, program: Uuid) {
        for conn in self.write().conns.values_mut() {
            conn.conduct_ok.remove(&program);
        }
    }

    /// Sets one connection's presence; returns its person's state merged over this node.
    pub fn set_presence(&self, id: ConnId, state: PresenceState) -> Option<(Uuid, PresenceState)> {
        let mut inner = self.write();
        let user = {
            let conn = inner.conns.get_mut(&id)?;
            conn.presence = state;
            conn.user
        };
        Some((user, Self::merged(&inner, user)))
    }

    /// A person's presence merged over this node's connections (offline when none).
    pub fn local_presence(&self, user: Uuid) -> PresenceState {
        Self::merged(&self.read(), user)
    }

    fn merged(inner: &Inner, user: Uuid) -> PresenceState {
        inner
            .by_user
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|id| inner.conns.get(id))
            .fold(PresenceState::Offline, |acc, c| acc.merge(c.presence))
    }

    /// Everyone with a connection here, with their merged state.
    pub fn local_users(&self) -> Vec<(Uuid, PresenceState)> {
        let inner = self.read();
        inner.by_user.keys().map(|u| (*u, Self::merged(&inner, *u))).collect()
    }

    /// `users` joined `channel`: every connection of theirs on this node receives it from now on
    /// and gets `frame` (its channel_added), under one lock however many joined. Returns how
    /// many connections were told.
    pub fn join(&self, users: &[Uuid], channel: Uuid, can_post: bool, frame: &Utf8Bytes) -> usize {
        let mut inner = self.write();
        let mut told = 0;
        for user in users {
            let ids: Vec<ConnId> = inner.by_user.get(user).into_iter().flatten().copied().collect();
            for id in ids {
                if let Some(conn) = inner.conns.get_mut(&id) {
                    conn.channels.insert(channel, Grant::of(can_post));
                    if conn.outbox.push(frame.clone()) {
                        told += 1;
                    }
                }
                inner.by_channel.entry(channel).or_default().insert(id);
            }
        }
        told
    }

    /// A block between `a` and `b` began (`blocked`) or ended: their connections here withhold
    /// (or stop withholding) frames about each other, and `channels` close to posting (or
    /// reopen). Each connection of the one is then sent `frames[i]` for the other (their
    /// presence as it now looks: offline while blocked).
    pub fn block(&self, between: [Uuid; 2], blocked: bool, channels: &[Uuid], frames: [&Utf8Bytes; 2]) {
        let mut inner = self.write();
        let grant = if blocked { Grant::Closed } else { Grant::Post };
        for (me, other, frame) in [(between[0], between[1], frames[1]), (between[1], between[0], frames[0])] {
            let ids: Vec<ConnId> = inner.by_user.get(&me).into_iter().flatten().copied().collect();
            for id in ids {
                if let Some(conn) = inner.conns.get_mut(&id) {
                    if blocked {
                        conn.hidden.insert(other);
                    } else {
                        conn.hidden.remove(&other);
                    }
                    for channel in channels {
                        if let Some(g) = conn.channels.get_mut(channel) {
                            *g = grant;
                        }
                    }
                    conn.outbox.push(frame.clone());
                }
            }
        }
    }

    /// `channel` was locked (or unlocked): every connection receiving it, but those of `keep`,
    /// may only read (or may post again).
    pub fn lock(&self, channel: Uuid, locked: bool, keep: &[Uuid]) {
        let mut inner = self.write();
        let ids: Vec<ConnId> = inner.by_channel.get(&channel).into_iter().flatten().copied().collect();
        for id in ids {
            if let Some(conn) = inner.conns.get_mut(&id)
                && !keep.contains(&conn.user)
                && let Some(grant) = conn.channels.get_mut(&channel)
            {
                *grant = if locked { Grant::Read } else { Grant::Post };
            }
        }
    }

    /// Sends a frame to every connection receiving `channel`; a frame about one person
    /// (`about`) goes neither to them nor across a block ([`Hub::block`]).
    pub fn deliver_channel(&self, channel: Uuid, frame: &Utf8Bytes, about: Option<Uuid>) -> usize {
        let inner = self.read();
        let mut n = 0;
        for id in inner.by_channel.get(&channel).into_iter().flatten() {
            if let Some(conn) = inner.conns.get(id)
                && !conn.withholds(about)
                && conn.outbox.push(frame.clone())
            {
                n += 1;
            }
        }
        n
    }

    /// Sends a frame once to every connection receiving any of `channels` (withheld as
    /// [`Hub::deliver_channel`] withholds it).
    pub fn deliver_channels(&self, channels: &[Uuid], frame: &Utf8Bytes, about: Option<Uuid>) {
        let inner = self.read();
        let mut seen = HashSet::new();
        for channel in channels {
            for id in inner.by_channel.get(channel).into_iter().flatten() {
                if seen.insert(*id)
                    && let Some(conn) = inner.conns.get(id)
                    && !conn.withholds(about)
                {
                    conn.outbox.push(frame.clone());
                }
            }
        }
    }

    pub fn deliver_user(&self, user: Uuid, frame: &Utf8Bytes) {
        let inner = self.read();
        for id in inner.by_user.get(&user).into_iter().flatten() {
            if let Some(conn) = inner.conns.get(id) {
                conn.outbox.push(frame.clone());
            }
        }
    }

    /// Delivers to one connection, if it is still here.
    pub fn deliver_conn(&self, id: ConnId, frame: &Utf8Bytes) {
        if let Some(conn) = self.read().conns.get(&id) {
            conn.outbox.push(frame.clone());
        }
    }

    pub fn deliver_all(&self, frame: &Utf8Bytes) {
        for conn in self.read().conns.values() {
            conn.outbox.push(frame.clone());
        }
    }

    /// Closes the connections of `user` opened with `session`, or all of theirs when `None`
    /// (signed out, signed out everywhere, password reset).
    pub fn close_user(&self, user: Uuid, session: Option<Uuid>, code: u16) {
        let inner = self.read();
        for id in inner.by_user.get(&user).into_iter().flatten() {
            if let Some(conn) = inner.conns.get(id)
                && session.is_none_or(|s| s == conn.session)
            {
                conn.outbox.close(code);
            }
        }
    }

    /// `channel`'s slow mode as this node knows it; `None` until it was read or announced.
    pub fn slow_mode(&self, channel: Uuid) -> Option<u32> {
        self.slow.read().unwrap_or_else(|e| e.into_inner()).get(&channel).copied()
    }

    /// Records `channel`'s slow mode (read from the store, or announced on the bus).
    pub fn set_slow_mode(&self, channel: Uuid, seconds: u32) {
        self.slow.write().unwrap_or_else(|e| e.into_inner()).insert(channel, seconds);
    }

    /// In a channel with a slow mode of `seconds`: `None` when `user` may post now (and it
    /// counts as their post), else how long they still wait. Per node: someone writing through
    /// two nodes at once could post twice as often.
    pub fn slow_wait(&self, user: Uuid, channel: Uuid, seconds: u32) -> Option<std::time::Duration> {
        let now = Instant::now();
        let gap = std::time::Duration::from_secs(u64::from(seconds));
        let mut last = self.last_post.lock().unwrap_or_else(|e| e.into_inner());
        if last.len() > 100_000 {
            last.retain(|_, at| now.duration_since(*at) < std::time::Duration::from_secs(3600));
        }
        match last.get(&(user, channel)) {
            Some(at) if now.duration_since(*at) < gap => Some(gap - now.duration_since(*at)),
            _ => {
                last.insert((user, channel), now);
                None
            }
        }
    }

    /// Takes one send token for `user`; false when they are over the rate.
    pub fn allow_send(&self, user: Uuid) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            buckets.retain(|_, b| now.duration_since(b.at).as_secs_f64() * self.rate_per_sec < self.burst);
        }
        let bucket = buckets.entry(user).or_insert(Bucket { tokens: self.burst, at: now });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * self.rate_per_sec).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn connection_count(&self) -> usize {
        self.read().conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(capacity: usize) -> (Outbox, mpsc::Receiver<Utf8Bytes>) {
        let (tx, rx) = mpsc::channel(capacity);
        (Outbox { tx, kill: CancellationToken::new(), reason: Arc::new(AtomicU16::new(0)) }, rx)
    }

    #[test]
    fn delivers_by_channel_and_user_and_cleans_up() {
        let hub = Hub::new(10.0, 10.0);
        let (a, b, ch) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (oa, mut ra) = outbox(8);
        let (ob, mut rb) = outbox(8);
        let ia = hub.register(a, Uuid::nil(), oa, HashMap::from([(ch, Grant::Post)]), HashSet::new(), HashMap::new());
        let ib = hub.register(b, Uuid::nil(), ob, HashMap::new(), HashSet::new(), HashMap::new());
        assert_eq!(hub.deliver_channel(ch, &Utf8Bytes::from("x"), None), 1);
        assert_eq!(ra.try_recv().unwrap().as_str(), "x");
        assert!(rb.try_recv().is_err());
        assert_eq!(hub.join(&[b, Uuid::now_v7()], ch, false, &Utf8Bytes::from("added")), 1);
        assert_eq!(rb.try_recv().unwrap().as_str(), "added");
        assert_eq!(hub.access(ib, ch), Some(Grant::Read));
        assert_eq!(hub.deliver_channel(ch, &Utf8Bytes::from("y"), Some(a)), 1);
        assert_eq!(rb.try_recv().unwrap().as_str(), "y");
        assert_eq!(hub.unregister(ia), 0);
        assert_eq!(hub.unregister(ib), 0);
        assert_eq!(hub.connection_count(), 0);
        assert_eq!(hub.deliver_channel(ch, &Utf8Bytes::from("z"), None), 0);
    }

    #[test]
    fn a_block_withholds_frames_about_each_other_and_closes_their_conversation() {
        let hub = Hub::new(10.0, 10.0);
        let (a, b, pair, group) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let grants = || HashMap::from([(pair, Grant::Post), (group, Grant::Post)]);
        let (oa, mut ra) = outbox(8);
        let (ob, mut rb) = outbox(8);
        let ia = hub.register(a, Uuid::nil(), oa, grants(), HashSet::new(), HashMap::new());
        let ib = hub.register(b, Uuid::nil(), ob, grants(), HashSet::new(), HashMap::new());
        let (pa, pb) = (Utf8Bytes::from("a offline"), Utf8Bytes::from("b offline"));
        hub.block([a, b], true, &[pair], [&pa, &pb]);
        assert_eq!(ra.try_recv().unwrap().as_str(), "b offline");
        assert_eq!(rb.try_recv().unwrap().as_str(), "a offline");
        assert_eq!((hub.access(ia, pair), hub.access(ib, pair)), (Some(Grant::Closed), Some(Grant::Closed)));
        assert_eq!(hub.access(ia, group), Some(Grant::Post));
        // Frames about a (their typing) reach neither a nor b; messages reach both.
        assert_eq!(hub.deliver_channel(group, &Utf8Bytes::from("a typing"), Some(a)), 0);
        hub.deliver_channels(&[group, pair], &Utf8Bytes::from("b online"), Some(b));
        assert_eq!(hub.deliver_channel(group, &Utf8Bytes::from("message"), None), 2);
        assert_eq!(ra.try_recv().unwrap().as_str(), "message");
        assert_eq!(rb.try_recv().unwrap().as_str(), "message");
        let (pa, pb) = (Utf8Bytes::from("a online"), Utf8Bytes::from("b away"));
        hub.block([a, b], false, &[pair], [&pa, &pb]);
        assert_eq!(ra.try_recv().unwrap().as_str(), "b away");
        assert_eq!(hub.access(ib, pair), Some(Grant::Post));
        assert_eq!(hub.deliver_channel(group, &Utf8Bytes::from("a typing"), Some(a)), 1);
    }

    #[test]
    fn a_full_queue_closes_the_connection_as_slow() {
        let hub = Hub::new(10.0, 10.0);
        let ch = Uuid::now_v7();
        let (o, _r) = outbox(2);
        let kill = o.kill.clone();
        let reason = o.reason.clone();
        hub.register(
            Uuid::now_v7(),
            Uuid::nil(),
            o,
            HashMap::from([(ch, Grant::Post)]),
            HashSet::new(),
            HashMap::new(),
        );
        for _ in 0..3 {
            hub.deliver_channel(ch, &Utf8Bytes::from("x"), None);
        }
        assert!(kill.is_cancelled());
        assert_eq!(reason.load(Ordering::Relaxed), close::SLOW_CONSUMER);
    }

    #[test]
    fn presence_merges_over_a_persons_connections() {
        let hub = Hub::new(10.0, 10.0);
        let u = Uuid::now_v7();
        let (o1, _r1) = outbox(1);
        let (o2, _r2) = outbox(1);
        let c1 = hub.register(u, Uuid::nil(), o1, HashMap::new(), HashSet::new(), HashMap::new());
        let c2 = hub.register(u, Uuid::nil(), o2, HashMap::new(), HashSet::new(), HashMap::new());
        assert_eq!(hub.set_presence(c1, PresenceState::Away), Some((u, PresenceState::Online)));
        assert_eq!(hub.set_presence(c2, PresenceState::Away), Some((u, PresenceState::Away)));
        assert_eq!(hub.unregister(c1), 1);
        assert_eq!(hub.local_presence(u), PresenceState::Away);
        hub.unregister(c2);
        assert_eq!(hub.local_presence(u), PresenceState::Offline);
    }

    #[test]
    fn send_rate_is_a_token_bucket() {
        let hub = Hub::new(1.0, 3.0);
        let u = Uuid::now_v7();
        assert!((0..3).all(|_| hub.allow_send(u)));
        assert!(!hub.allow_send(u));
        assert!(hub.allow_send(Uuid::now_v7()));
    }
}

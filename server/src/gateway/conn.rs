//! One WebSocket connection: a writer task that owns the sink (frames from a bounded queue, server
//! pings, the closing frame) and the reader, which runs here and handles the client's frames one
//! at a time. Handling in order is what makes shutdown clean: the reader only stops between
//! frames, so a write in flight finishes (stored, acknowledged, published) before the socket
//! closes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::Gateway;
use super::hub::{ConnId, Outbox};
use super::protocol::{self, ClientFrame, ErrorCode, PresenceState, ServerFrame, close};
use crate::domain::access::{self, Grant};
use crate::domain::channels;
use crate::domain::chat::{self, Change, Refusal};
use crate::store::User;

/// How long a client has to say `hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one write to the socket may take before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Events read from the store per query when catching a client up.
const CATCH_UP_PAGE: u32 = 500;
/// A typing indicator is forwarded at most this often per channel and connection.
const TYPING_EVERY: Duration = Duration::from_secs(2);

pub async fn run(socket: WebSocket, gateway: Arc<Gateway>, user: User, session: Uuid) {
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::channel(gateway.limits.queue_frames);
    let outbox = Outbox { tx, kill: CancellationToken::new(), reason: Arc::new(AtomicU16::new(0)) };
    let writer = tokio::spawn(write(sink, rx, outbox.clone(), gateway.limits.heartbeat));

    let hello = tokio::select! {
        frame = tokio::time::timeout(HELLO_TIMEOUT, stream.next()) => frame,
        _ = gateway.shutdown.cancelled() => Ok(None),
    };
    let last_seq = match hello {
        Ok(Some(Ok(Message::Text(text)))) => match protocol::decode(text.as_str()) {
            Ok(ClientFrame::Hello { v, last_seq }) if v == protocol::PROTOCOL_VERSION => Some(last_seq),
            Ok(ClientFrame::Hello { .. }) => {
                error(&outbox, None, ErrorCode::Invalid, "unsupported protocol version; this server speaks v1");
                None
            }
            _ => {
                error(&outbox, None, ErrorCode::OutOfOrder, "the first frame must be hello");
                None
            }
        },
        _ => None,
    };
    let Some(last_seq) = last_seq else {
        outbox.close(close::BAD_HELLO);
        let _ = writer.await;
        return;
    };

    let mut conn = match Connection::open(gateway.clone(), user, session, outbox.clone()).await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(error = %e, "could not open a connection");
            error(&outbox, None, ErrorCode::Internal, "could not load your channels; reconnect");
            outbox.close(close::INTERNAL);
            let _ = writer.await;
            return;
        }
    };
    conn.catch_up(last_seq).await;

    let idle = gateway.limits.idle_timeout;
    loop {
        let next = tokio::select! {
            biased;
            _ = outbox.kill.cancelled() => break,
            _ = gateway.shutdown.cancelled() => {
                outbox.close(close::RESTARTING);
                break;
            }
            next = tokio::time::timeout(idle, stream.next()) => next,
        };
        match next {
            Err(_) => {
                outbox.close(close::IDLE);
                break;
            }
            Ok(None) | Ok(Some(Err(_))) => {
                // Gone, or a protocol violation such as a frame over the size limit.
                outbox.close(close::TOO_BIG);
                break;
            }
            Ok(Some(Ok(Message::Text(text)))) => conn.handle(text.as_str()).await,
            Ok(Some(Ok(Message::Binary(_)))) => error(
                &outbox,
                None,
                ErrorCode::BinaryNotSupported,
                "binary frames are not part of the protocol; send JSON text",
            ),
            Ok(Some(Ok(Message::Close(_)))) => {
                outbox.close(1000);
                break;
            }
            Ok(Some(Ok(_))) => {} // pings and pongs: the socket answers pings itself
        }
    }
    conn.close().await;
    let _ = writer.await;
}

/// Owns the sink: queued frames, periodic pings, and the closing frame.
async fn write(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Utf8Bytes>,
    outbox: Outbox,
    heartbeat: Duration,
) {
    let mut ping = tokio::time::interval(heartbeat);
    ping.tick().await;
    loop {
        let message = tokio::select! {
            biased;
            _ = outbox.kill.cancelled() => break,
            frame = rx.recv() => match frame {
                Some(frame) => Message::Text(frame),
                None => break,
            },
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        // Under load several frames are waiting: write them all, then flush once (one syscall
        // for the batch instead of one per frame).
        let written = tokio::time::timeout(WRITE_TIMEOUT, async {
            sink.feed(message).await?;
            for _ in 0..64 {
                match rx.try_recv() {
                    Ok(frame) => sink.feed(Message::Text(frame)).await?,
                    Err(_) => break,
                }
            }
            sink.flush().await
        })
        .await;
        if !matches!(written, Ok(Ok(()))) {
            outbox.kill.cancel();
            return;
        }
    }
    let code = match outbox.reason.load(Ordering::Relaxed) {
        0 => 1000,
        code => code,
    };
    // Frames already queued before a restart still go out (acks of writes in flight); a slow
    // consumer's backlog is dropped, it will resume from the store.
    if code != close::SLOW_CONSUMER {
        while let Ok(frame) = rx.try_recv() {
            if !matches!(tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::Text(frame))).await, Ok(Ok(()))) {
                return;
            }
        }
    }
    let reason = match code {
        close::SLOW_CONSUMER => "too slow to keep up; reconnect and resume",
        close::RESTARTING => "server restarting; reconnect and resume",
        close::IDLE => "idle timeout",
        close::BAD_HELLO => "expected hello",
        close::TOO_BIG => "frame too large or malformed",
        close::UNAUTHENTICATED => "signed out",
        close::INTERNAL => "server error; reconnect and resume",
        _ => "",
    };
    let frame = CloseFrame { code, reason: Utf8Bytes::from(reason) };
    let _ = tokio::time::timeout(Duration::from_secs(2), sink.send(Message::Close(Some(frame)))).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;
}

fn error(outbox: &Outbox, reference: Option<&str>, code: ErrorCode, message: &str) {
    outbox.push(Utf8Bytes::from(ServerFrame::Error { reference, code, message }.encode()));
}

fn frame(outbox: &Outbox, frame: ServerFrame<'_>) {
    outbox.push(Utf8Bytes::from(frame.encode()));
}

/// A connection after `hello`: registered in the hub, with its person's presence announced.
struct Connection {
    gateway: Arc<Gateway>,
    user: User,
    id: ConnId,
    outbox: Outbox,
    typing: HashMap<Uuid, Instant>,
    /// Where each channel this connection wrote in stands (`access::channel_scope`), read once.
    programs: HashMap<Uuid, access::Scope>,
}

impl Connection {
    async fn open(
        gateway: Arc<Gateway>,
        user: User,
        session: Uuid,
        outbox: Outbox,
    ) -> Result<Connection, crate::domain::Error> {
        // The person's memberships are read once: the grants, the channels presence goes to and
        // the welcome's first page all come from them.
        let memberships = access::memberships(gateway.store.as_ref(), user.id).await?;
        let now_ms = crate::store::to_millis(gateway.clock.now());
        let mutes = access::mutes(gateway.store.as_ref(), user.id, now_ms).await?;
        let id = gateway.hub.register(
            user.id,
            session,
            outbox.clone(),
            memberships.grants().collect(),
            memberships.blocked().collect(),
            mutes.into_iter().collect(),
        );
        let conn = Connection { gateway, user, id, outbox, typing: HashMap::new(), programs: HashMap::new() };
        // Announced online in those channels, and told who of their members is online.
        let store = conn.gateway.store.as_ref();
        let presence_channels = memberships.presence_channels();
        let contacts = memberships.presence_contacts(store, conn.user.id).await?;
        conn.update_presence(PresenceState::Online, Some(presence_channels)).await;
        let presence = conn.gateway.bus.presence_of(&contacts).await.unwrap_or_default();
        // Registered first, so a message stored while the page is read still arrives live (the
        // page's counts and sequence numbers are read after registration).
        let page = memberships.first_page(store, conn.user.id, channels::FIRST_PAGE).await?;
        let channels: Vec<crate::wire::ChannelView> = crate::wire::all(page.items);
        frame(
            &conn.outbox,
            ServerFrame::Welcome {
                v: protocol::PROTOCOL_VERSION,
                user_id: conn.user.id,
                heartbeat_ms: conn.gateway.limits.heartbeat.as_millis() as u64,
                channels: &channels,
                channels_next: page.next,
                presence: &presence,
            },
        );
        Ok(conn)
    }

    /// Sends every event after the client's positions, then `caught_up`. Registration came first,
    /// so anything stored meanwhile arrives live as well (clients ignore sequence numbers they
    /// already have): nothing falls in between.
    async fn catch_up(&mut self, last_seq: HashMap<Uuid, i64>) {
        let mut positions = HashMap::new();
        for (channel, after) in last_seq {
            if self.gateway.hub.access(self.id, channel).is_none() {
                error(&self.outbox, None, ErrorCode::NotMember, &format!("not a member of channel {channel}"));
                continue;
            }
            match self.send_after(channel, after, None).await {
                Some(last) => {
                    positions.insert(channel, last);
                }
                None => {
                    // The catch-up is incomplete: close, so the client reconnects and resumes.
                    self.outbox.close(close::INTERNAL);
                    return;
                }
            }
        }
        frame(&self.outbox, ServerFrame::CaughtUp { last_seq: &positions });
    }

    /// Streams a channel's events after `after`; returns the channel's last sequence number.
    async fn send_after(&self, channel: Uuid, after: i64, reference: Option<&str>) -> Option<i64> {
        let last = match chat::last_seq(self.gateway.store.as_ref(), channel).await {
            Ok(last) => last,
            Err(_) => {
                error(&self.outbox, reference, ErrorCode::Internal, "could not read the channel; retry");
                return None;
            }
        };
        if after > last {
            error(
                &self.outbox,
                reference,
                ErrorCode::SeqFromFuture,
                &format!("channel {channel} has no sequence number {after} yet (last is {last})"),
            );
            return Some(last);
        }
        let mut cursor = after;
        while cursor < last {
            let events = match chat::events_after(self.gateway.store.as_ref(), channel, cursor, CATCH_UP_PAGE).await {
                Ok(events) => events,
                Err(_) => {
                    error(&self.outbox, reference, ErrorCode::Internal, "could not read the channel; retry");
                    return None;
                }
            };
            let Some(tail) = events.last() else { break };
            cursor = tail.seq;
            for event in events {
                let encoded = Utf8Bytes::from(ServerFrame::Event { event: event.into(), message: None }.encode());
                if !self.outbox.push_wait(encoded, WRITE_TIMEOUT).await {
                    return None;
                }
            }
        }
        Some(last)
    }

    async fn handle(&mut self, text: &str) {
        let request = match protocol::decode(text) {
            Ok(request) => request,
            Err(e) => return error(&self.outbox, e.reference.as_deref(), e.code, &e.message),
        };
        match request {
            ClientFrame::Hello { .. } => error(&self.outbox, None, ErrorCode::OutOfOrder, "hello was already received"),
            ClientFrame::Send { reference, channel, client_id, body } => {
                self.write(reference.as_deref(), channel, client_id, body, Change::New).await
            }
            ClientFrame::Edit { reference, channel, client_id, target, body } => {
                self.write(reference.as_deref(), channel, client_id, body, Change::Edit(target)).await
            }
            ClientFrame::Delete { reference, channel, client_id, target } => {
                self.write(reference.as_deref(), channel, client_id, String::new(), Change::Delete(target)).await
            }
            ClientFrame::Read { reference, channel, seq } => self.read(reference.as_deref(), channel, seq).await,
            ClientFrame::Typing { channel } => self.typing(channel).await,
            ClientFrame::Presence { state } => self.update_presence(state.into(), None).await,
            ClientFrame::Sync { reference, channel, after } => {
                if self.gateway.hub.access(self.id, channel).is_none() {
                    return error(
                        &self.outbox,
                        reference.as_deref(),
                        ErrorCode::NotMember,
                        "not a member of this channel",
                    );
                }
                if let Some(last) = self.send_after(channel, after, reference.as_deref()).await {
                    frame(
                        &self.outbox,
                        ServerFrame::Synced { reference: reference.as_deref(), channel, last_seq: last },
                    );
                }
            }
            ClientFrame::Signal(signal) => self.gateway.signal(self.user.id, signal, &self.outbox).await,
            ClientFrame::Room(frame) => self.gateway.room(&self.user, self.id, frame, &self.outbox).await,
            ClientFrame::Ping { reference } => {
                frame(&self.outbox, ServerFrame::Pong { reference: reference.as_deref() })
            }
        }
    }

    /// Sends, edits or deletes: authorise, rate-limit, store, acknowledge, then publish.
    async fn write(&mut self, reference: Option<&str>, channel: Uuid, client_id: String, body: String, change: Change) {
        match self.gateway.hub.access(self.id, channel) {
            None => return error(&self.outbox, reference, ErrorCode::NotMember, "not a member of this channel"),
            Some(Grant::Read) if matches!(change, Change::New) => {
                return error(&self.outbox, reference, ErrorCode::ReadOnly, "only coordinators post in this channel");
            }
            // The same words for both people, whichever of them blocked the other. Deleting
            // one's own messages stays possible.
            Some(Grant::Closed) if !matches!(change, Change::Delete(_)) => {
                return error(
                    &self.outbox,
                    reference,
                    ErrorCode::ReadOnly,
                    "this conversation is closed to new messages",
                );
            }
            Some(_) => {}
        }
        if !matches!(change, Change::Delete(_)) {
            match self.muted(channel).await {
                Ok(None) => {}
                Ok(Some(until)) => {
                    let until = crate::store::from_millis(until)
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    let message = format!("a coordinator muted you in this program's group channels until {until}");
                    return error(&self.outbox, reference, ErrorCode::Muted, &message);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "checking a mute failed");
                    return error(
                        &self.outbox,
                        reference,
                        ErrorCode::Internal,
                        "could not check; retry with the same client_id",
                    );
                }
            }
        }
        if matches!(change, Change::New) {
            match self.slow_wait(channel).await {
                Ok(None) => {}
                Ok(Some(wait)) => {
                    let message = format!(
                        "this channel is in slow mode: wait {} s before your next message",
                        wait.as_secs().max(1)
                    );
                    return error(&self.outbox, reference, ErrorCode::SlowMode, &message);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "checking slow mode failed");
                    return error(
                        &self.outbox,
                        reference,
                        ErrorCode::Internal,
                        "could not check; retry with the same client_id",
                    );
                }
            }
            match self.conduct_accepted(channel).await {
                Ok(true) => {}
                Ok(false) => {
                    return error(&self.outbox, reference, ErrorCode::ConductRequired, access::CONDUCT_FIRST);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "checking the code of conduct failed");
                    return error(
                        &self.outbox,
                        reference,
                        ErrorCode::Internal,
                        "could not check; retry with the same client_id",
                    );
                }
            }
        }
        if !self.gateway.hub.allow_send(self.user.id) {
            return error(
                &self.outbox,
                reference,
                ErrorCode::RateLimited,
                "sending too fast; wait a moment and retry with the same client_id",
            );
        }
        let now = self.gateway.clock.now();
        let store = self.gateway.store.as_ref();
        let written = match chat::write(store, now, self.user.id, channel, client_id, body, change).await {
            Ok(written) => written,
            Err(Refusal::Store(e)) => {
                tracing::error!(error = %e, "storing a message failed");
                return error(
                    &self.outbox,
                    reference,
                    ErrorCode::Internal,
                    "could not store the message; retry with the same client_id",
                );
            }
            Err(refusal) => return error(&self.outbox, reference, code_of(&refusal), &refusal.to_string()),
        };
        let event = &written.event;
        let (seq, id, created) = (event.seq, event.id, written.created);
        frame(&self.outbox, ServerFrame::Ack { reference, channel, client_id: &event.client_id, seq, id, created });
        chat::publish(&self.gateway.notify, channel, &written).await;
    }

    /// Whether the person accepted the current code of conduct of `channel`'s program: asked of
    /// the access policy once per connection and program (until the program publishes a new
    /// version), so a conversation's messages cost no query.
    async fn conduct_accepted(&mut self, channel: Uuid) -> Result<bool, crate::domain::Error> {
        let program = self.scope(channel).await?.program;
        let store = self.gateway.store.as_ref();
        if self.gateway.hub.conduct_ok(self.id, program) {
            return Ok(true);
        }
        match access::conduct(store, self.user.id, program).await {
            Ok(()) => {
                self.gateway.hub.set_conduct_ok(self.id, program);
                Ok(true)
            }
            Err(crate::domain::Error::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Where `channel` stands for this connection's person, read once per connection (its slow
    /// mode is then the hub's, which the bus keeps current).
    async fn scope(&mut self, channel: Uuid) -> Result<access::Scope, crate::domain::Error> {
        if let Some(scope) = self.programs.get(&channel) {
            return Ok(*scope);
        }
        let scope = access::channel_scope(self.gateway.store.as_ref(), channel, self.user.id).await?;
        if self.gateway.hub.slow_mode(channel).is_none() {
            self.gateway.hub.set_slow_mode(channel, scope.slow_mode_s);
        }
        self.programs.insert(channel, scope);
        Ok(scope)
    }

    /// How long the person still waits before posting in `channel` (slow mode), if they must.
    async fn slow_wait(&mut self, channel: Uuid) -> Result<Option<Duration>, crate::domain::Error> {
        let scope = self.scope(channel).await?;
        if !scope.moderated || scope.coordinator {
            return Ok(None);
        }
        match self.gateway.hub.slow_mode(channel) {
            Some(seconds) if seconds > 0 => Ok(self.gateway.hub.slow_wait(self.user.id, channel, seconds)),
            _ => Ok(None),
        }
    }

    /// Until when the person is muted where `channel` is (a moderated channel of a program they
    /// are muted in), if they are now.
    async fn muted(&mut self, channel: Uuid) -> Result<Option<i64>, crate::domain::Error> {
        let access::Scope { program, moderated, .. } = self.scope(channel).await?;
        if !moderated {
            return Ok(None);
        }
        let now = crate::store::to_millis(self.gateway.clock.now());
        Ok(self.gateway.hub.muted_until(self.id, program).filter(|until| *until > now))
    }

    async fn read(&self, reference: Option<&str>, channel: Uuid, seq: i64) {
        if self.gateway.hub.access(self.id, channel).is_none() {
            return error(&self.outbox, reference, ErrorCode::NotMember, "not a member of this channel");
        }
        let (store, notify) = (self.gateway.store.as_ref(), &self.gateway.notify);
        match chat::read(store, notify, self.user.id, channel, seq).await {
            Ok(()) => {}
            Err(Refusal::Store(e)) => {
                tracing::warn!(error = %e, "saving a read position failed");
                error(&self.outbox, reference, ErrorCode::Internal, "could not save the read position; retry")
            }
            Err(refusal) => error(&self.outbox, reference, code_of(&refusal), &refusal.to_string()),
        }
    }

    async fn typing(&mut self, channel: Uuid) {
        if self.gateway.hub.access(self.id, channel).is_none() {
            return error(&self.outbox, None, ErrorCode::NotMember, "not a member of this channel");
        }
        let now = Instant::now();
        if self.typing.get(&channel).is_some_and(|t| now.duration_since(*t) < TYPING_EVERY) {
            return;
        }
        self.typing.insert(channel, now);
        // Typing is ephemeral: when the channel cannot be read, the indicator is dropped.
        if let Err(e) = chat::typing(self.gateway.store.as_ref(), &self.gateway.notify, self.user.id, channel).await {
            tracing::debug!(error = %e, "typing not forwarded");
        }
    }

    /// Records this connection's presence and announces the person's merged state in their
    /// presence channels (`channels` when the caller already read them from the access policy).
    async fn update_presence(&self, state: PresenceState, channels: Option<Vec<Uuid>>) {
        let Some((user, local)) = self.gateway.hub.set_presence(self.id, state) else { return };
        match self.gateway.bus.set_presence(user, Some(local)).await {
            // Where a change goes is the access policy's answer (channels small enough to share
            // presence), the same path a withdrawn presence takes.
            Ok(merged) => match channels {
                Some(channels) => self.gateway.announce_presence_in(user, merged, channels).await,
                None => self.gateway.announce_presence(user, merged).await,
            },
            Err(e) => tracing::warn!(error = %e, "could not record presence"),
        }
    }

    /// Deregisters; the person's presence is withdrawn after a grace period, and only if no new
    /// connection of theirs arrived meanwhile (a reload does not flap their state for others).
    async fn close(self) {
        self.gateway.rooms_gone(self.id).await;
        let left = self.gateway.hub.unregister(self.id);
        if left > 0 {
            let state = self.gateway.hub.local_presence(self.user.id);
            if let Ok(merged) = self.gateway.bus.set_presence(self.user.id, Some(state)).await {
                self.gateway.announce_presence(self.user.id, merged).await;
            }
            return;
        }
        if self.gateway.shutdown.is_cancelled() && self.gateway.bus.backend() == "redis" {
            // Restarting: the person reconnects to another node; this node's entry expires with
            // its heartbeat, so nobody sees them blink offline.
            return;
        }
        let gateway = self.gateway.clone();
        let user = self.user.id;
        let grace = gateway.limits.presence_grace;
        let tracker = gateway.tracker.clone();
        tracker.spawn(async move {
            tokio::select! {
                // Stopping: nobody is left here to tell (with Redis, see above).
                _ = gateway.shutdown.cancelled() => return,
                _ = tokio::time::sleep(grace) => {}
            }
            if gateway.hub.local_presence(user) != PresenceState::Offline {
                return;
            }
            if let Ok(merged) = gateway.bus.set_presence(user, None).await {
                gateway.announce_presence(user, merged).await;
            }
        });
    }
}

/// The protocol's error code for a refused chat operation.
fn code_of(refusal: &Refusal) -> ErrorCode {
    match refusal {
        Refusal::NoSuchMessage => ErrorCode::NotFound,
        Refusal::NotYours(_) => ErrorCode::Forbidden,
        Refusal::Deleted(_) => ErrorCode::Conflict,
        Refusal::FromTheFuture { .. } => ErrorCode::SeqFromFuture,
        Refusal::Store(_) => ErrorCode::Internal,
    }
}

//! The WebSocket gateway: authenticates `/ws`, runs one task pair per connection (a reader that
//! handles the client's frames in order, a writer that owns the socket's sink), and delivers bus
//! events to this node's connections through the [`hub::Hub`].
//!
//! Durable first, then fan-out: a message is stored (and gets its sequence number) before it is
//! acknowledged and published; a client that reconnects names the last sequence it has per
//! channel and gets the rest from the store.

mod calls;
mod conn;
pub mod hub;
pub mod protocol;
mod rooms;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::api::error::ApiError;
use crate::api::extract::CurrentUser;
use crate::bus::BusEvent;
use crate::domain::Core;
use crate::state::AppState;
use hub::Hub;
use protocol::ServerFrame;

/// Tunables of the gateway, from the configuration.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Frames queued per connection before it is closed as too slow.
    pub queue_frames: usize,
    /// Messages a person may send per second, on average, and in a burst.
    pub send_rate_per_sec: f64,
    pub send_burst: f64,
    /// Server ping interval.
    pub heartbeat: Duration,
    /// A connection that sends nothing (not even a pong) for this long is closed.
    pub idle_timeout: Duration,
    /// How long a person stays online after their last connection on this node closes, so a
    /// reload does not flap their presence for others.
    pub presence_grace: Duration,
}

pub struct Gateway {
    /// The domain's handles (store, bus, notifier, clock): connections call the domain with it.
    core: Core,
    pub hub: Hub,
    limits: Limits,
    /// Cancelled when the node shuts down: connections close with the restarting code.
    shutdown: CancellationToken,
    /// Every connection task, so shutdown can wait for them.
    tracker: TaskTracker,
    /// This process's id on the bus.
    pub node_id: Uuid,
    /// The SFU, when this node hosts live rooms.
    live: std::sync::OnceLock<Arc<crate::live::Live>>,
    /// The live rooms each connection of this node joined, to leave them when it closes.
    room_conns: std::sync::Mutex<std::collections::HashMap<hub::ConnId, std::collections::HashSet<Uuid>>>,
}

/// The gateway works with the same handles as the HTTP handlers: `gateway.store`, `.bus`,
/// `.notify` and `.clock` are the domain's.
impl std::ops::Deref for Gateway {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl Gateway {
    pub fn new(core: Core, limits: Limits, shutdown: CancellationToken, node_id: Uuid) -> Arc<Self> {
        Arc::new(Gateway {
            hub: Hub::new(limits.send_rate_per_sec, limits.send_burst),
            core,
            limits,
            shutdown,
            tracker: TaskTracker::new(),
            node_id,
            live: std::sync::OnceLock::new(),
            room_conns: Default::default(),
        })
    }

    /// Delivers bus events to this node's connections until the bus closes.
    pub async fn deliver(self: Arc<Self>, mut events: mpsc::Receiver<BusEvent>) {
        loop {
            let event = tokio::select! {
                _ = self.shutdown.cancelled() => return,
                event = events.recv() => match event {
                    Some(event) => event,
                    None => return,
                },
            };
            match event {
                BusEvent::Channel { channel, frame, except_user } => {
                    let n = self.hub.deliver_channel(channel, &Utf8Bytes::from(frame), except_user);
                    metrics::counter!("kindred_ws_frames_delivered_total").increment(n as u64);
                }
                BusEvent::User { user, frame } => self.hub.deliver_user(user, &Utf8Bytes::from(frame)),
                BusEvent::Joined { channel, users, can_post, frame } => {
                    let n = self.hub.join(&users, channel, can_post, &Utf8Bytes::from(frame));
                    metrics::counter!("kindred_ws_frames_delivered_total").increment(n as u64);
                }
                BusEvent::Presence { user, state, channels } => {
                    let frame = ServerFrame::Presence { user_id: user, state }.encode();
                    self.hub.deliver_channels(&channels, &Utf8Bytes::from(frame), Some(user));
                }
                BusEvent::PresenceLost { user, state } => {
                    let gateway = self.clone();
                    self.tracker.spawn(async move { gateway.announce_presence(user, state).await });
                }
                BusEvent::Block { between, blocked, channels, presence } => {
                    // While blocked each sees the other offline; afterwards, as they are.
                    let shown = |i: usize| if blocked { protocol::PresenceState::Offline } else { presence[i] };
                    let frames = [0, 1].map(|i| {
                        Utf8Bytes::from(ServerFrame::Presence { user_id: between[i], state: shown(i) }.encode())
                    });
                    self.hub.block(between, blocked, &channels, [&frames[0], &frames[1]]);
                }
                BusEvent::Conduct { program } => self.hub.conduct_changed(program),
                BusEvent::Lock { channel, locked, keep } => self.hub.lock(channel, locked, &keep),
                BusEvent::Mute { user, program, until } => self.hub.mute(user, program, until),
                BusEvent::SlowMode { channel, seconds } => self.hub.set_slow_mode(channel, seconds),
                BusEvent::Left { channel, user, frame } => self.hub.leave(channel, user, &Utf8Bytes::from(frame)),
                BusEvent::Reconnect { user } => self.hub.close_user(user, None, protocol::close::RESTARTING),
                BusEvent::Revoke { user, session } => {
                    self.hub.close_user(user, session, protocol::close::UNAUTHENTICATED)
                }
                BusEvent::Resync => {
                    // Events may have been lost while the bus was away: re-announce who is here
                    // and have every client fetch what it missed from the store.
                    for (user, state) in self.hub.local_users() {
                        if let Ok(merged) = self.bus.set_presence(user, Some(state)).await {
                            self.announce_presence(user, merged).await;
                        }
                    }
                    self.hub.deliver_all(&Utf8Bytes::from(ServerFrame::Resync {}.encode()));
                }
                BusEvent::Conn { node, conn, frame } => {
                    if node == self.node_id {
                        self.hub.deliver_conn(conn, &Utf8Bytes::from(frame));
                    }
                }
                BusEvent::Room { node, command } => {
                    if node == self.node_id
                        && let Some(live) = self.live.get()
                    {
                        match serde_json::from_str(&command) {
                            Ok(command) => {
                                live.send(command).await;
                            }
                            Err(e) => tracing::error!(error = %e, "a live room command from the bus did not decode"),
                        }
                    }
                }
            }
        }
    }

    /// Tells everyone who shares a channel with `user` their new presence.
    pub async fn announce_presence(&self, user: Uuid, state: protocol::PresenceState) {
        let channels = match crate::domain::access::presence_channels(self.store.as_ref(), user).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "could not load channels for a presence change");
                return;
            }
        };
        self.announce_presence_in(user, state, channels).await;
    }

    /// [`Gateway::announce_presence`] in channels the caller read from the access policy.
    pub async fn announce_presence_in(&self, user: Uuid, state: protocol::PresenceState, channels: Vec<Uuid>) {
        self.notify.publish(BusEvent::Presence { user, state, channels }).await;
        if state == protocol::PresenceState::Offline {
            crate::domain::calls::end_calls_of(&self.core, user).await;
        }
    }

    /// Waits (bounded) for every connection to finish closing.
    pub async fn drain(&self, within: Duration) {
        self.tracker.close();
        if tokio::time::timeout(within, self.tracker.wait()).await.is_err() {
            tracing::warn!(left = self.hub.connection_count(), "connections still open at shutdown");
        }
    }
}

/// `GET /ws`: upgrades an authenticated request to the chat protocol.
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    me: CurrentUser,
    ws: WebSocketUpgrade,
) -> Response {
    let gateway = state.gateway.clone();
    if gateway.shutdown.is_cancelled() {
        return ApiError::Unavailable.into_response();
    }
    // Browsers send cookies with cross-site WebSocket requests; only our own pages may connect.
    if let Some(origin) = headers.get(header::ORIGIN) {
        // With a configured public URL that is the only origin; without one, the page must have
        // come from the host the browser is talking to.
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let allowed = origin.to_str().ok().is_some_and(|o| {
            same_origin(o, &state.public_url) || (state.config.public_url.is_none() && origin_is_host(o, host))
        });
        if !allowed {
            return ApiError::Forbidden("this page's origin may not connect").into_response();
        }
    }
    let user = me.user;
    let session = me.session.id;
    ws.max_message_size(protocol::MAX_FRAME_BYTES)
        .max_frame_size(protocol::MAX_FRAME_BYTES)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| {
            let tracker = gateway.tracker.clone();
            tracker.track_future(conn::run(socket, gateway, user, session))
        })
        .into_response()
}

/// Whether an `Origin` header names the same scheme, host and port as the public URL.
fn same_origin(origin: &str, public_url: &str) -> bool {
    let base = public_url.trim_end_matches('/');
    let public_origin = match base.find("://") {
        Some(i) => match base[i + 3..].find('/') {
            Some(j) => &base[..i + 3 + j],
            None => base,
        },
        None => base,
    };
    origin.eq_ignore_ascii_case(public_origin)
}

/// Whether an `Origin` names the host (and port) of the request's `Host` header.
fn origin_is_host(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    rest.is_some_and(|r| r.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origin_against_host() {
        assert!(super::origin_is_host("http://localhost:8080", Some("localhost:8080")));
        assert!(!super::origin_is_host("http://evil.example", Some("localhost:8080")));
        assert!(!super::origin_is_host("http://localhost:8080", None));
    }

    #[test]
    fn origins() {
        assert!(super::same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8080"));
        assert!(super::same_origin("https://kindred.example", "https://kindred.example/"));
        assert!(super::same_origin("https://kindred.example", "https://kindred.example/app"));
        assert!(!super::same_origin("https://evil.example", "https://kindred.example"));
        assert!(!super::same_origin("http://kindred.example", "https://kindred.example"));
        assert!(!super::same_origin("null", "https://kindred.example"));
    }
}

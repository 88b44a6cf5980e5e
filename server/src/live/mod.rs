//! Live rooms of group events: the SFU (on webrtc-rs's sans-IO `rtc` core and the pure
//! `kindred_sfu::Room`) and the room signaling that reaches it over the WebSocket.
//!
//! The gateway checks who may enter an event's room (`entry`) and hands frames to the engine that
//! hosts the room; the engine answers connections through [`Output`]s, which this node delivers
//! (locally, or over the bus to the connection's node) and records (attendance, ends).

pub mod engine;
mod peer;
pub mod protocol;
mod sdp;
mod stun;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub use engine::{Command, ConnAddr, Output};
use engine::{Engine, Sockets};
pub use peer::DeliverFeedback;
use protocol::{RoomErrorCode, RoomFrame, RoomRole, RoomServerFrame};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::access::RoomPart;
use crate::domain::events::{self, RoomRefusal};
use crate::store::{Store, User, to_millis};

pub use crate::domain::events::{CLOSES_AFTER_MS, OPENS_BEFORE_MS};

/// A running SFU on this node.
pub struct Live {
    commands: mpsc::Sender<Command>,
    /// Where browsers reach it.
    pub candidates: Vec<SocketAddr>,
    /// The engine's thread, joined at shutdown.
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<u32>>>,
    /// Who is in this engine's rooms, kept outside the engine so that a restarted one can tell them.
    present: Arc<Present>,
}

/// The connections in an engine's rooms, noted from the commands handed to it (a join the engine
/// then refuses is noted too: its connection is told about a reset it can ignore). A connection
/// leaves the list when it leaves the room or closes.
#[derive(Default)]
struct Present(std::sync::Mutex<HashMap<ConnAddr, HashSet<Uuid>>>);

impl Present {
    fn note(&self, command: &Command) {
        let mut rooms = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match command {
            Command::Join { event, at, .. } => {
                rooms.entry(*at).or_default().insert(*event);
            }
            Command::Frame { at, frame: RoomFrame::RoomLeave { event, .. }, .. } => {
                if let Some(events) = rooms.get_mut(at) {
                    events.remove(event);
                    if events.is_empty() {
                        rooms.remove(at);
                    }
                }
            }
            Command::Gone { at } => {
                rooms.remove(at);
            }
            _ => {}
        }
    }

    /// Everyone, and the list starts empty (the restarted engine has no rooms).
    fn take(&self) -> HashMap<ConnAddr, HashSet<Uuid>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The addresses to bind when none are configured: loopback, and the address of the default route.
pub fn default_ips() -> Vec<IpAddr> {
    let mut ips = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    // Connecting a UDP socket sends nothing; it only asks the kernel for a route.
    let routed = std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| {
        s.connect("192.0.2.1:9")?;
        s.local_addr()
    });
    if let Ok(addr) = routed
        && !addr.ip().is_loopback()
        && !addr.ip().is_unspecified()
    {
        ips.push(addr.ip());
    }
    ips
}

impl Live {
    /// Binds the UDP port and starts the engine on a thread of its own, so forwarding media never
    /// waits behind HTTP work (nor the other way round).
    pub fn start(
        config: &Config,
        clock: Clock,
        shutdown: CancellationToken,
    ) -> anyhow::Result<(Arc<Live>, mpsc::UnboundedReceiver<Output>)> {
        let ips = if config.sfu_ips.is_empty() { default_ips() } else { config.sfu_ips.clone() };
        let sockets = Sockets::bind(&ips, config.sfu_udp_port, config.sfu_public_ip)
            .map_err(|e| anyhow::anyhow!("the SFU could not bind UDP port {} on {ips:?}: {e}", config.sfu_udp_port))?;
        let candidates = sockets.candidates();
        tracing::info!(port = sockets.port(), ?candidates, "sfu listening");
        let (commands, rx) = mpsc::channel(4096);
        // Shared across attempts: a restarted engine takes the same commands.
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let (out, outputs) = mpsc::unbounded_channel();
        let (port, public) = (sockets.port(), config.sfu_public_ip);
        let present = Arc::new(Present::default());
        let in_rooms = present.clone();
        let mut first = Some(sockets);
        let thread = std::thread::Builder::new().name("kindred-sfu".into()).spawn(move || {
            supervise("sfu engine", shutdown.clone(), |attempt| {
                // A restarted engine binds the same port again: browsers were told that address.
                let sockets = match first.take() {
                    Some(sockets) => sockets,
                    None => Sockets::bind(&ips, port, public)?,
                };
                let engine = Engine::new(sockets, out.clone(), clock.clone())?;
                if attempt > 0 {
                    // As when a node dies: the rooms start over when their people join again,
                    // which their browsers do when told.
                    let reset = in_rooms.take();
                    tracing::warn!(
                        attempt,
                        connections = reset.len(),
                        "sfu engine restarted with no rooms; telling their people to join again"
                    );
                    for (to, events) in reset {
                        for event in events {
                            let frame = RoomServerFrame::RoomReset { event }.encode();
                            let _ = out.send(Output::Frame { to, frame });
                        }
                    }
                }
                let (shutdown, rx) = (shutdown.clone(), rx.clone());
                Ok(async move { engine.run(&mut *rx.lock().await, shutdown).await })
            })
        })?;
        Ok((Arc::new(Live { commands, candidates, thread: std::sync::Mutex::new(Some(thread)), present }), outputs))
    }

    /// Waits (bounded) for the engine's thread to finish after the shutdown token fired.
    pub async fn join(&self, within: std::time::Duration) {
        let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() else { return };
        let joined = tokio::task::spawn_blocking(move || thread.join());
        if tokio::time::timeout(within, joined).await.is_err() {
            tracing::warn!("the sfu engine did not stop in time");
        }
    }

    /// Hands a command to the engine; false when it has stopped.
    pub async fn send(&self, command: Command) -> bool {
        self.present.note(&command);
        self.commands.send(command).await.is_ok()
    }

    /// Makes the engine panic, as a bug in it would (fault tests only: built with the
    /// `failpoints` feature).
    #[cfg(feature = "failpoints")]
    pub async fn inject_panic(&self) -> bool {
        self.commands.send(Command::Panic).await.is_ok()
    }
}

/// Runs what `start` makes, on a fresh single-threaded runtime, until it returns or `shutdown`
/// fires. A panic is caught, logged and counted (`kindred_sfu_engine_restarts_total`), and
/// `start` is called again with the attempt number: one bad packet or room must not end every
/// room on the node for the life of the process. A failure to start is retried after a pause.
/// Returns how many times it restarted.
pub(crate) fn supervise<F, Fut>(name: &'static str, shutdown: CancellationToken, mut start: F) -> u32
where
    F: FnMut(u32) -> anyhow::Result<Fut>,
    Fut: std::future::Future<Output = ()>,
{
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let mut attempt = 0;
    while !shutdown.is_cancelled() {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => {
                tracing::error!(error = %e, name, "could not build a runtime");
                return attempt;
            }
        };
        // A fresh runtime per attempt: dropping the last one ends every task it spawned.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(async {
                match start(attempt) {
                    Ok(run) => {
                        run.await;
                        true
                    }
                    Err(e) => {
                        tracing::error!(error = %e, name, "could not start");
                        false
                    }
                }
            })
        }));
        drop(runtime);
        match outcome {
            Ok(true) => return attempt,
            Ok(false) => std::thread::sleep(std::time::Duration::from_secs(1)),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(name, panic = %what, "panicked; starting it again");
                metrics::counter!("kindred_sfu_engine_restarts_total").increment(1);
            }
        }
        attempt += 1;
    }
    attempt
}

/// Who `user` is in `event`'s room, if they may enter it now (the rule is `domain::events`'s).
pub async fn entry(
    store: &dyn Store,
    event: Uuid,
    user: &User,
    now_ms: i64,
) -> Result<RoomRole, (RoomErrorCode, &'static str)> {
    match events::room_entry(store, event, user, now_ms).await {
        Ok(RoomPart::Host) => Ok(RoomRole::Host),
        Ok(RoomPart::Speaker) => Ok(RoomRole::Speaker),
        Ok(RoomPart::Audience) => Ok(RoomRole::Audience),
        Err(RoomRefusal::NotInvited) => Err((RoomErrorCode::Forbidden, "you are not invited to this event")),
        Err(RoomRefusal::NotOpen(why)) => Err((RoomErrorCode::NotOpen, why)),
        Err(RoomRefusal::Conduct) => Err((RoomErrorCode::Forbidden, crate::domain::access::CONDUCT_FIRST)),
        Err(RoomRefusal::Unavailable) => {
            Err((RoomErrorCode::Unavailable, "the server could not check your invitation; try again"))
        }
    }
}

/// Records what the engine reports about attendance and ends.
pub async fn record(store: &dyn Store, output: &Output) {
    let result = match output {
        Output::Attendance { event, user, joined_at, left_at } => {
            events::record_stay(store, *event, *user, *joined_at, *left_at).await
        }
        Output::Ended { event, at } => events::room_ended(store, *event, *at).await,
        Output::Frame { .. } => Ok(()),
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "recording a live room's attendance failed");
    }
}

/// The time in the store's milliseconds.
pub fn now_ms(clock: &Clock) -> i64 {
    to_millis(clock.now())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn a_panicking_engine_is_started_again() {
        let calls = AtomicU32::new(0);
        let restarts = supervise("test engine", CancellationToken::new(), |attempt| {
            calls.fetch_add(1, Ordering::Relaxed);
            Ok(async move {
                tokio::task::yield_now().await;
                if attempt < 2 {
                    panic!("attempt {attempt} fails");
                }
            })
        });
        assert_eq!(restarts, 2);
        assert_eq!(calls.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_stopped_node_does_not_restart_it() {
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let restarts = supervise("test engine", shutdown, |_| -> anyhow::Result<std::future::Ready<()>> {
            unreachable!("never started after shutdown")
        });
        assert_eq!(restarts, 0);
    }
}

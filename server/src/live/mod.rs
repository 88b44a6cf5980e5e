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

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub use engine::{Command, ConnAddr, Output};
use engine::{Engine, Sockets};
pub use peer::DeliverFeedback;
use protocol::{RoomErrorCode, RoomRole};

use crate::config::Config;
use crate::state::Clock;
use crate::store::{Role, Store, StoreError, to_millis};

/// How long before its start an event's room opens.
pub const OPENS_BEFORE_MS: i64 = 30 * 60 * 1000;
/// How long after its scheduled end a room may still be entered (events overrun).
pub const CLOSES_AFTER_MS: i64 = 2 * 60 * 60 * 1000;

/// A running SFU on this node.
pub struct Live {
    commands: mpsc::Sender<Command>,
    /// Where browsers reach it.
    pub candidates: Vec<SocketAddr>,
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
        let (out, outputs) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("kindred-sfu".into()).spawn(move || {
            runtime.block_on(async move {
                match Engine::new(sockets, out, clock) {
                    Ok(engine) => engine.run(rx, shutdown).await,
                    Err(e) => tracing::error!(error = %e, "the SFU could not start"),
                }
            })
        })?;
        Ok((Arc::new(Live { commands, candidates }), outputs))
    }

    /// Hands a command to the engine; false when it has stopped.
    pub async fn send(&self, command: Command) -> bool {
        self.commands.send(command).await.is_ok()
    }
}

/// Who `user` is in `event`'s room, if they may enter it now.
pub async fn entry(
    store: &dyn Store,
    event: Uuid,
    user: Uuid,
    is_admin: bool,
    now_ms: i64,
) -> Result<RoomRole, (RoomErrorCode, &'static str)> {
    let internal = |e: StoreError| {
        tracing::error!(error = %e, "room entry check failed");
        (RoomErrorCode::Unavailable, "the server could not check your invitation; try again")
    };
    let row = match store.get_event(event).await {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Err((RoomErrorCode::Forbidden, "you are not invited to this event")),
        Err(e) => return Err(internal(e)),
    };
    if !is_admin && !store.event_invited(event, user).await.map_err(internal)? {
        return Err((RoomErrorCode::Forbidden, "you are not invited to this event"));
    }
    if row.status == "cancelled" {
        return Err((RoomErrorCode::NotOpen, "this event was cancelled"));
    }
    if row.ended_at.is_some() || now_ms > row.starts_at + i64::from(row.duration_min) * 60_000 + CLOSES_AFTER_MS {
        return Err((RoomErrorCode::NotOpen, "this event has ended"));
    }
    if now_ms < row.starts_at - OPENS_BEFORE_MS {
        return Err((RoomErrorCode::NotOpen, "the room opens 30 minutes before the event starts"));
    }
    let coordinator = store.role_in_program(row.program_id, user).await.map_err(internal)? == Some(Role::Coordinator);
    if row.host_id == user || coordinator || is_admin {
        return Ok(RoomRole::Host);
    }
    let speaker =
        store.event_people(event).await.map_err(internal)?.iter().any(|(u, _, role)| *u == user && role == "speaker");
    Ok(if speaker { RoomRole::Speaker } else { RoomRole::Audience })
}

/// Records what the engine reports about attendance and ends.
pub async fn record(store: &dyn Store, output: &Output) {
    let result = match output {
        Output::Attendance { event, user, joined_at, left_at } => {
            store.record_attendance(*event, *user, *joined_at, *left_at).await
        }
        Output::Ended { event, at } => store.end_event(*event, *at).await,
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

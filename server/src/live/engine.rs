//! The SFU's engine: one task that owns the UDP port, every peer connection and every room on
//! this node. Commands (room frames the gateway has already authorised) and datagrams come in;
//! frames for connections, attendance and ends go out. Rooms' media decisions are the pure
//! `kindred_sfu::Room`'s; this is its shell.
//!
//! One task means no locks on the packet path: a datagram is routed to its peer connection (by
//! address, or for a new address by the ICE ufrag in its STUN check), the connection decrypts it,
//! the room decides who gets it, and the subscribers' connections encrypt and send, all in one go.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kindred_sfu::{
    Effect, ExtensionIds, Layer, LayerSource, ParticipantId, Role, Room, RoomConfig, TrackId, TrackKind, TrackSpec,
};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::RTCPeerConnectionState;
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpReceiverId, RTCRtpSenderId, RTCRtpTransceiverDirection};
use rtc::sansio::Protocol;
use rtc::shared::marshal::{Marshal, MarshalSize, Unmarshal};
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use serde::{Deserialize, Serialize};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::peer::{self, Direction};
use super::protocol::{
    LeftReason, PersonView, RoomErrorCode, RoomFrame, RoomRole, RoomServerFrame, Source, Status, TrackView,
};
use super::{sdp, stun};

/// Where a client's WebSocket connection is: the node it is on and its id there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConnAddr {
    pub node: Uuid,
    pub conn: u64,
}

/// What the engine is asked to do. Every command was checked by the gateway: the person may be
/// in the event, in the role given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Command {
    Join {
        event: Uuid,
        user: Uuid,
        name: String,
        role: RoomRole,
        at: ConnAddr,
        reference: Option<String>,
    },
    Frame {
        user: Uuid,
        at: ConnAddr,
        frame: RoomFrame,
    },
    /// A WebSocket connection closed.
    Gone {
        at: ConnAddr,
    },
    /// Panic, as a bug would (fault tests only).
    #[cfg(feature = "failpoints")]
    #[serde(skip)]
    Panic,
}

/// What the engine tells the rest of the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Frame {
        to: ConnAddr,
        frame: String,
    },
    /// `user` was in the room (admitted) from `joined_at` (ms) until `left_at`, if they left.
    Attendance {
        event: Uuid,
        user: Uuid,
        joined_at: i64,
        left_at: Option<i64>,
    },
    Ended {
        event: Uuid,
        at: i64,
    },
}

/// The UDP sockets: one per address the SFU announces, all on the same port.
pub struct Sockets {
    /// (socket, the address announced in candidates for it)
    pub list: Vec<(std::net::UdpSocket, SocketAddr)>,
}

impl Sockets {
    /// Binds `port` (0: any free one, then the same on every address) on each of `ips`;
    /// `public` is announced instead of the first address that is not loopback.
    pub fn bind(ips: &[std::net::IpAddr], port: u16, public: Option<std::net::IpAddr>) -> std::io::Result<Sockets> {
        let mut list = Vec::new();
        let mut port = port;
        let mut public = public;
        for ip in ips {
            let socket = std::net::UdpSocket::bind(SocketAddr::new(*ip, port))?;
            socket.set_nonblocking(true)?;
            let local = socket.local_addr()?;
            port = local.port();
            let announced = match public {
                Some(p) if !ip.is_loopback() => {
                    public = None;
                    SocketAddr::new(p, port)
                }
                _ => local,
            };
            list.push((socket, announced));
        }
        if list.is_empty() {
            return Err(std::io::Error::other("the SFU needs at least one address"));
        }
        Ok(Sockets { list })
    }

    pub fn port(&self) -> u16 {
        self.list[0].1.port()
    }

    pub fn candidates(&self) -> Vec<SocketAddr> {
        self.list.iter().map(|(_, a)| *a).collect()
    }
}

type SessionId = u64;

struct Published {
    track: TrackId,
    audio: bool,
    rids: Vec<String>,
    source: Source,
}

struct Sub {
    sender: RTCRtpSenderId,
    out_ssrc: u32,
    audio: bool,
    /// The payload type the viewer's answer accepted; none until it answered.
    pt: Option<u8>,
}

struct Session {
    event: Uuid,
    user: Uuid,
    direction: Direction,
    pc: RTCPeerConnection,
    ufrag: String,
    addrs: Vec<(usize, SocketAddr)>,
    deadline: Option<Instant>,
    /// Publish: what each mid carries, and where each incoming SSRC is received.
    published: HashMap<String, Published>,
    receivers: HashMap<u32, RTCRtpReceiverId>,
    /// Subscribe: one sender per track watched.
    subs: BTreeMap<TrackId, Sub>,
    by_out_ssrc: HashMap<u32, TrackId>,
    awaiting_answer: bool,
    renegotiate: bool,
    /// DTLS is up: media may be sent.
    connected: bool,
}

struct Person {
    name: String,
    role: RoomRole,
    at: ConnAddr,
    admitted: bool,
    hand: bool,
    muted: bool,
    joined_at: Option<i64>,
    publish: Option<SessionId>,
    subscribe: Option<SessionId>,
}

struct LiveRoom {
    status: Status,
    locked: bool,
    media: Room,
    people: BTreeMap<Uuid, Person>,
    removed: HashSet<Uuid>,
    /// Owner, kind and source of every published track.
    tracks: HashMap<TrackId, (Uuid, bool, Source)>,
}

fn pid(user: Uuid) -> ParticipantId {
    ParticipantId(user.as_u128())
}

fn uid(p: ParticipantId) -> Uuid {
    Uuid::from_u128(p.0)
}

fn media_role(role: RoomRole) -> Role {
    match role {
        RoomRole::Host => Role::Host,
        RoomRole::Speaker => Role::Speaker,
        RoomRole::Audience => Role::Audience,
    }
}

/// A refusal for the sender of a frame.
struct Refused(RoomErrorCode, String);

fn refuse<T>(code: RoomErrorCode, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(code, message.into()))
}

pub struct Engine {
    sockets: Vec<(Arc<UdpSocket>, SocketAddr)>,
    candidates: Vec<SocketAddr>,
    rooms: HashMap<Uuid, LiveRoom>,
    ended: HashSet<Uuid>,
    sessions: HashMap<SessionId, Session>,
    by_ufrag: HashMap<String, SessionId>,
    by_addr: HashMap<(usize, SocketAddr), SessionId>,
    deadlines: BTreeSet<(Instant, SessionId)>,
    dirty: Vec<SessionId>,
    next_session: SessionId,
    epoch: Instant,
    out: mpsc::UnboundedSender<Output>,
    clock: crate::clock::Clock,
}

/// A received datagram: which socket, from where, when.
type Datagram = (usize, SocketAddr, BytesMut, Instant);

impl Engine {
    /// Must be called inside the runtime that will run it (the sockets register with it).
    pub fn new(
        sockets: Sockets,
        out: mpsc::UnboundedSender<Output>,
        clock: crate::clock::Clock,
    ) -> std::io::Result<Engine> {
        let candidates = sockets.candidates();
        let mut list = Vec::new();
        for (socket, announced) in sockets.list {
            list.push((Arc::new(UdpSocket::from_std(socket)?), announced));
        }
        Ok(Engine {
            candidates,
            sockets: list,
            rooms: HashMap::new(),
            ended: HashSet::new(),
            sessions: HashMap::new(),
            by_ufrag: HashMap::new(),
            by_addr: HashMap::new(),
            deadlines: BTreeSet::new(),
            dirty: Vec::new(),
            next_session: 1,
            epoch: Instant::now(),
            out,
            clock,
        })
    }

    /// Runs until `shutdown`: commands from `commands`, datagrams from every socket.
    pub async fn run(mut self, commands: &mut mpsc::Receiver<Command>, shutdown: CancellationToken) {
        let (tx, mut datagrams) = mpsc::channel::<Datagram>(4096);
        for (i, (socket, _)) in self.sockets.iter().enumerate() {
            let socket = socket.clone();
            let tx = tx.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 2048];
                loop {
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        r = socket.recv_from(&mut buf) => match r {
                            Ok((n, from)) => {
                                if tx.send((i, from, BytesMut::from(&buf[..n]), Instant::now())).await.is_err() {
                                    return;
                                }
                            }
                            // ICMP errors (a viewer's port closed) surface here on some systems.
                            Err(e) => tracing::debug!(error = %e, "sfu: receive failed"),
                        }
                    }
                }
            });
        }
        drop(tx);
        loop {
            let next =
                self.deadlines.first().map(|(t, _)| *t).unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                _ = shutdown.cancelled() => break,
                c = commands.recv() => match c {
                    Some(c) => self.command(c, Instant::now()),
                    None => break,
                },
                d = datagrams.recv() => match d {
                    Some((socket, from, data, at)) => {
                        self.datagram(socket, from, data, at);
                        // Take whatever else is already waiting before looking at timers.
                        for _ in 0..64 {
                            match datagrams.try_recv() {
                                Ok((socket, from, data, at)) => self.datagram(socket, from, data, at),
                                Err(_) => break,
                            }
                        }
                    }
                    None => break,
                },
                _ = tokio::time::sleep_until(next.into()) => self.timeouts(Instant::now()),
            }
            self.flush(Instant::now());
        }
        let ids: Vec<SessionId> = self.sessions.keys().copied().collect();
        for id in ids {
            self.close_session(id);
        }
    }

    fn since_epoch(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.epoch)
    }

    fn now_ms(&self) -> i64 {
        crate::store::to_millis(self.clock.now())
    }

    fn send(&self, to: ConnAddr, frame: &RoomServerFrame) {
        let _ = self.out.send(Output::Frame { to, frame: frame.encode() });
    }

    // ---------------------------------------------------------------- commands

    pub fn command(&mut self, command: Command, now: Instant) {
        match command {
            Command::Join { event, user, name, role, at, reference } => {
                if let Err(Refused(code, message)) = self.join(event, user, name, role, at, now) {
                    self.send(at, &RoomServerFrame::error(reference.as_deref(), event, code, message));
                }
            }
            Command::Frame { user, at, frame } => {
                let event = frame.event();
                let reference = frame.reference().map(str::to_owned);
                if let Err(Refused(code, message)) = self.frame(user, at, frame, now) {
                    self.send(at, &RoomServerFrame::error(reference.as_deref(), event, code, message));
                }
            }
            #[cfg(feature = "failpoints")]
            Command::Panic => panic!("failpoint: the SFU engine was told to panic"),
            Command::Gone { at } => {
                let gone: Vec<(Uuid, Uuid)> = self
                    .rooms
                    .iter()
                    .flat_map(|(event, room)| {
                        room.people.iter().filter(|(_, p)| p.at == at).map(move |(user, _)| (*event, *user))
                    })
                    .collect();
                for (event, user) in gone {
                    self.leave(event, user, None, now);
                }
            }
        }
    }

    fn join(
        &mut self,
        event: Uuid,
        user: Uuid,
        name: String,
        role: RoomRole,
        at: ConnAddr,
        now: Instant,
    ) -> Result<(), Refused> {
        if self.ended.contains(&event) {
            return refuse(RoomErrorCode::NotOpen, "this event has ended");
        }
        let room = self.rooms.entry(event).or_insert_with(|| LiveRoom {
            status: Status::Lobby,
            locked: false,
            media: Room::empty(RoomConfig::default()),
            people: BTreeMap::new(),
            removed: HashSet::new(),
            tracks: HashMap::new(),
        });
        if room.removed.contains(&user) {
            return refuse(RoomErrorCode::Removed, "the host removed you from this event");
        }
        if let Some(person) = room.people.get_mut(&user) {
            if person.at != at {
                // The same person from another tab: this one takes over; the old one's media stops.
                let old = std::mem::replace(&mut person.at, at);
                let sessions = [person.publish.take(), person.subscribe.take()];
                let _ = self.out.send(Output::Frame {
                    to: old,
                    frame: RoomServerFrame::RoomLeft { event, reason: LeftReason::Elsewhere }.encode(),
                });
                for id in sessions.into_iter().flatten() {
                    self.close_session(id);
                }
                self.sync_subscriptions(event, user, now);
            }
            self.broadcast_state(event);
            return Ok(());
        }
        if room.locked && role != RoomRole::Host {
            return refuse(RoomErrorCode::Locked, "the host has locked the room");
        }
        let admitted = role == RoomRole::Host || room.status == Status::Live;
        room.people.insert(
            user,
            Person {
                name,
                role,
                at,
                admitted: false,
                hand: false,
                muted: false,
                joined_at: None,
                publish: None,
                subscribe: None,
            },
        );
        if admitted {
            self.admit(event, user, now);
        }
        self.broadcast_state(event);
        Ok(())
    }

    /// Lets someone from the lobby into the room: into the media room, attendance starts, and
    /// they start watching the stage.
    fn admit(&mut self, event: Uuid, user: Uuid, now: Instant) {
        let at_ms = self.now_ms();
        let Some(room) = self.rooms.get_mut(&event) else { return };
        let Some(person) = room.people.get_mut(&user) else { return };
        if person.admitted {
            return;
        }
        if let Err(e) = room.media.join(pid(user), media_role(person.role)) {
            tracing::warn!(error = %e, "sfu: could not admit");
            return;
        }
        person.admitted = true;
        person.joined_at = Some(at_ms);
        let _ = self.out.send(Output::Attendance { event, user, joined_at: at_ms, left_at: None });
        self.sync_subscriptions(event, user, now);
    }

    fn frame(&mut self, user: Uuid, at: ConnAddr, frame: RoomFrame, now: Instant) -> Result<(), Refused> {
        let event = frame.event();
        let Some(room) = self.rooms.get_mut(&event) else {
            return refuse(RoomErrorCode::NotInRoom, "join the room first");
        };
        let Some(me) = room.people.get(&user).filter(|p| p.at == at) else {
            return refuse(RoomErrorCode::NotInRoom, "join the room first");
        };
        let host = me.role == RoomRole::Host;
        let admitted = me.admitted;
        let host_only = || if host { Ok(()) } else { refuse(RoomErrorCode::Forbidden, "only the host may do that") };
        let admitted_only =
            || if admitted { Ok(()) } else { refuse(RoomErrorCode::NotInRoom, "wait until the host lets you in") };
        match frame {
            // Joins are checked by the gateway and come as `Command::Join`.
            RoomFrame::RoomJoin { .. } => return refuse(RoomErrorCode::Invalid, "join through the gateway"),
            RoomFrame::RoomLeave { .. } => {
                self.leave(event, user, Some(LeftReason::Left), now);
                return Ok(());
            }
            RoomFrame::RoomOpen { .. } => {
                host_only()?;
                room.status = Status::Live;
                let lobby: Vec<Uuid> = room.people.iter().filter(|(_, p)| !p.admitted).map(|(u, _)| *u).collect();
                for u in lobby {
                    self.admit(event, u, now);
                }
            }
            RoomFrame::RoomAdmit { user: target, .. } => {
                host_only()?;
                if room.people.get(&target).is_none_or(|p| p.admitted) {
                    return refuse(RoomErrorCode::Invalid, "that person is not waiting in the lobby");
                }
                self.admit(event, target, now);
            }
            RoomFrame::RoomLock { locked, .. } => {
                host_only()?;
                room.locked = locked;
            }
            RoomFrame::RoomEnd { .. } => {
                host_only()?;
                self.end(event);
                return Ok(());
            }
            RoomFrame::RoomHand { raised, .. } => {
                admitted_only()?;
                let me = room.people.get_mut(&user).expect("checked above");
                if raised && me.role != RoomRole::Audience {
                    return refuse(RoomErrorCode::Forbidden, "you are already on stage");
                }
                me.hand = raised;
            }
            RoomFrame::RoomStage { user: target, on_stage, .. } => {
                host_only()?;
                let Some(person) = room.people.get(&target).filter(|p| p.admitted) else {
                    return refuse(RoomErrorCode::Invalid, "that person is not in the room");
                };
                if person.role == RoomRole::Host {
                    return refuse(RoomErrorCode::Forbidden, "hosts are always on stage");
                }
                if on_stage {
                    room.media
                        .bring_on_stage(pid(user), pid(target))
                        .map_err(|e| Refused(RoomErrorCode::Forbidden, e.to_string()))?;
                    let p = room.people.get_mut(&target).expect("checked above");
                    p.role = RoomRole::Speaker;
                    p.hand = false;
                } else {
                    let effects = room
                        .media
                        .send_to_audience(pid(user), pid(target))
                        .map_err(|e| Refused(RoomErrorCode::Forbidden, e.to_string()))?;
                    let p = room.people.get_mut(&target).expect("checked above");
                    p.role = RoomRole::Audience;
                    let publish = p.publish.take();
                    room.tracks.retain(|_, (owner, _, _)| *owner != target);
                    self.apply(event, effects, now);
                    if let Some(id) = publish {
                        self.close_session(id);
                    }
                }
            }
            RoomFrame::RoomMute { user: target, muted, .. } => {
                host_only()?;
                if !room.people.get(&target).is_some_and(|p| p.admitted) {
                    return refuse(RoomErrorCode::Invalid, "that person is not in the room");
                }
                room.media
                    .mute(pid(user), pid(target), muted)
                    .map_err(|e| Refused(RoomErrorCode::Forbidden, e.to_string()))?;
                room.people.get_mut(&target).expect("checked above").muted = muted;
            }
            RoomFrame::RoomRemove { user: target, .. } => {
                host_only()?;
                match room.people.get(&target) {
                    None => return refuse(RoomErrorCode::Invalid, "that person is not in the room"),
                    Some(p) if p.role == RoomRole::Host => {
                        return refuse(RoomErrorCode::Forbidden, "hosts cannot be removed");
                    }
                    Some(_) => {}
                }
                room.removed.insert(target);
                self.leave(event, target, Some(LeftReason::Removed), now);
                return Ok(());
            }
            RoomFrame::RoomPublish { sdp, sources, .. } => {
                admitted_only()?;
                self.publish(event, user, &sdp, sources, now)?;
            }
            RoomFrame::RoomAnswer { sdp, .. } => {
                admitted_only()?;
                self.answer(event, user, sdp, now)?;
                return Ok(());
            }
        }
        self.broadcast_state(event);
        Ok(())
    }

    /// Someone leaves (or is removed, or their connection closed): their media ends, their
    /// attendance closes, and the room goes when its last person does.
    fn leave(&mut self, event: Uuid, user: Uuid, reason: Option<LeftReason>, now: Instant) {
        let at_ms = self.now_ms();
        let Some(room) = self.rooms.get_mut(&event) else { return };
        let Some(person) = room.people.remove(&user) else { return };
        let effects = if person.admitted { room.media.leave(pid(user)).unwrap_or_default() } else { Vec::new() };
        room.tracks.retain(|_, (owner, _, _)| *owner != user);
        if let Some(reason) = reason {
            self.send(person.at, &RoomServerFrame::RoomLeft { event, reason });
        }
        if let Some(joined_at) = person.joined_at {
            let _ = self.out.send(Output::Attendance { event, user, joined_at, left_at: Some(at_ms) });
        }
        for id in [person.publish, person.subscribe].into_iter().flatten() {
            self.close_session(id);
        }
        self.apply(event, effects, now);
        let room = &self.rooms[&event];
        if room.people.is_empty() && room.removed.is_empty() {
            self.rooms.remove(&event);
        } else {
            self.broadcast_state(event);
        }
    }

    /// The host ends the event: everyone is told and out at once (no renegotiation or state
    /// changes on the way), attendance closes, and the room cannot be entered again.
    fn end(&mut self, event: Uuid) {
        let at_ms = self.now_ms();
        let Some(room) = self.rooms.remove(&event) else { return };
        for (user, person) in room.people {
            self.send(person.at, &RoomServerFrame::RoomLeft { event, reason: LeftReason::Ended });
            if let Some(joined_at) = person.joined_at {
                let _ = self.out.send(Output::Attendance { event, user, joined_at, left_at: Some(at_ms) });
            }
            for id in [person.publish, person.subscribe].into_iter().flatten() {
                self.close_session(id);
            }
        }
        self.ended.insert(event);
        let _ = self.out.send(Output::Ended { event, at: at_ms });
    }

    fn broadcast_state(&self, event: Uuid) {
        let Some(room) = self.rooms.get(&event) else { return };
        let view = |user: &Uuid, p: &Person| PersonView {
            user: *user,
            name: p.name.clone(),
            role: p.role,
            admitted: p.admitted,
            hand: p.hand,
            muted: p.muted,
        };
        let everyone: Vec<PersonView> = room.people.iter().map(|(u, p)| view(u, p)).collect();
        let admitted: Vec<PersonView> = everyone.iter().filter(|p| p.admitted).cloned().collect();
        let active_speaker = room.media.active_speaker().map(uid);
        for (user, p) in &room.people {
            let frame = RoomServerFrame::RoomState {
                event,
                status: room.status,
                locked: room.locked,
                you: view(user, p),
                people: if p.role == RoomRole::Host { everyone.clone() } else { admitted.clone() },
                active_speaker,
            };
            self.send(p.at, &frame);
        }
    }

    // ---------------------------------------------------------------- media negotiation

    fn new_session(
        &mut self,
        event: Uuid,
        user: Uuid,
        direction: Direction,
        now: Instant,
    ) -> Result<SessionId, Refused> {
        let id = self.next_session;
        self.next_session += 1;
        let ufrag = format!("k{id:x}{}", &Uuid::new_v4().simple().to_string()[..8]);
        let password = Uuid::new_v4().simple().to_string();
        let pc = peer::connection(direction, &ufrag, &password, &self.candidates, now).map_err(|e| {
            tracing::error!(error = %e, "sfu: could not create a peer connection");
            Refused(RoomErrorCode::Unavailable, "the SFU could not set up media; try again".into())
        })?;
        self.by_ufrag.insert(ufrag.clone(), id);
        self.sessions.insert(
            id,
            Session {
                event,
                user,
                direction,
                pc,
                ufrag,
                addrs: Vec::new(),
                deadline: None,
                published: HashMap::new(),
                receivers: HashMap::new(),
                subs: BTreeMap::new(),
                by_out_ssrc: HashMap::new(),
                awaiting_answer: false,
                renegotiate: false,
                connected: false,
            },
        );
        metrics::gauge!("kindred_sfu_peer_connections").increment(1.0);
        Ok(id)
    }

    fn close_session(&mut self, id: SessionId) {
        let Some(mut s) = self.sessions.remove(&id) else { return };
        let _ = s.pc.close();
        // Send what closing produced (DTLS close_notify), then forget the routes.
        while let Some(msg) = s.pc.poll_write() {
            self.transmit(msg);
        }
        self.by_ufrag.remove(&s.ufrag);
        for a in &s.addrs {
            self.by_addr.remove(a);
        }
        if let Some(d) = s.deadline {
            self.deadlines.remove(&(d, id));
        }
        metrics::gauge!("kindred_sfu_peer_connections").decrement(1.0);
    }

    fn publish(
        &mut self,
        event: Uuid,
        user: Uuid,
        offer_sdp: &str,
        sources: BTreeMap<String, Source>,
        now: Instant,
    ) -> Result<(), Refused> {
        let room = self.rooms.get(&event).expect("checked by the caller");
        let person = &room.people[&user];
        if person.role == RoomRole::Audience {
            return refuse(RoomErrorCode::NotOnStage, "only people on stage may publish; raise your hand");
        }
        let offer = sdp::read_offer(offer_sdp).map_err(|e| Refused(RoomErrorCode::Invalid, e.into()))?;
        if let Some(mid) = sources.keys().find(|m| !offer.sending.iter().any(|s| &s.mid == *m)) {
            return refuse(
                RoomErrorCode::Invalid,
                format!("`sources` names mid {mid}, which sends nothing in the offer"),
            );
        }
        if offer.sending.len() > 4 {
            return refuse(RoomErrorCode::Invalid, "publish at most 4 tracks (camera, microphone, screen)");
        }
        let description = RTCSessionDescription::offer(offer_sdp.to_owned())
            .map_err(|e| Refused(RoomErrorCode::Invalid, e.to_string()))?;
        let existing = person.publish;
        let id = match existing {
            Some(id) => id,
            None => self.new_session(event, user, Direction::Publish, now)?,
        };
        let session = self.sessions.get_mut(&id).expect("just made");
        let negotiated = session
            .pc
            .set_remote_description(now, description)
            .and_then(|()| session.pc.create_answer(None))
            .and_then(|answer| session.pc.set_local_description(now, answer));
        if let Err(e) = negotiated {
            if existing.is_none() {
                self.close_session(id);
            }
            return refuse(RoomErrorCode::Invalid, format!("the offer could not be used: {e}"));
        }
        let answer = session.pc.local_description().map(|d| d.sdp.clone()).unwrap_or_default();
        let room = self.rooms.get_mut(&event).expect("checked by the caller");
        room.people.get_mut(&user).expect("checked by the caller").publish = Some(id);
        let _ = room.media.set_extensions(pid(user), ExtensionIds { audio_level: offer.audio_level, rid: offer.rid });
        // Tracks that stopped sending end; new ones are published.
        let mut effects = Vec::new();
        let gone: Vec<String> =
            session.published.keys().filter(|m| !offer.sending.iter().any(|s| &s.mid == *m)).cloned().collect();
        for mid in gone {
            if let Some(p) = session.published.remove(&mid) {
                room.tracks.remove(&p.track);
                effects.extend(room.media.unpublish(pid(user), p.track).unwrap_or_default());
            }
        }
        for section in &offer.sending {
            if session.published.contains_key(&section.mid) {
                continue;
            }
            let source = sources.get(&section.mid).copied().unwrap_or(if section.audio {
                Source::Microphone
            } else {
                Source::Camera
            });
            let spec = if section.audio {
                TrackSpec { kind: TrackKind::Audio, layers: vec![layer_source(Layer::High, section.ssrc, "audio")] }
            } else if section.rids.len() > 1 {
                let layers = match section.rids.len() {
                    2 => vec![Layer::Low, Layer::High],
                    _ => vec![Layer::Low, Layer::Mid, Layer::High],
                };
                TrackSpec {
                    kind: TrackKind::Video,
                    layers: layers.into_iter().zip(&section.rids).map(|(l, rid)| LayerSource::rid(l, rid)).collect(),
                }
            } else {
                TrackSpec { kind: TrackKind::Video, layers: vec![layer_source(Layer::High, section.ssrc, "video")] }
            };
            match room.media.publish(pid(user), spec) {
                Ok(track) => {
                    room.tracks.insert(track, (user, section.audio, source));
                    let rids = if section.rids.len() > 1 {
                        section.rids.iter().take(3).cloned().collect()
                    } else {
                        Vec::new()
                    };
                    session
                        .published
                        .insert(section.mid.clone(), Published { track, audio: section.audio, rids, source });
                }
                Err(e) => tracing::info!(error = %e, "sfu: a track was refused"),
            }
        }
        let to = room.people[&user].at;
        self.send(to, &RoomServerFrame::RoomPublishAnswer { event, sdp: answer });
        self.dirty.push(id);
        self.apply(event, effects, now);
        self.sync_room(event, now);
        Ok(())
    }

    fn answer(&mut self, event: Uuid, user: Uuid, sdp: String, now: Instant) -> Result<(), Refused> {
        let room = self.rooms.get(&event).expect("checked by the caller");
        let Some(id) = room.people[&user].subscribe else {
            return refuse(RoomErrorCode::Invalid, "there is no offer to answer");
        };
        let session = self.sessions.get_mut(&id).expect("people name live sessions");
        if !session.awaiting_answer {
            return refuse(RoomErrorCode::Invalid, "there is no offer to answer");
        }
        let description =
            RTCSessionDescription::answer(sdp).map_err(|e| Refused(RoomErrorCode::Invalid, e.to_string()))?;
        session
            .pc
            .set_remote_description(now, description)
            .map_err(|e| Refused(RoomErrorCode::Invalid, format!("the answer could not be used: {e}")))?;
        session.awaiting_answer = false;
        // Learn the payload type each sender now uses; pictures on newly negotiated tracks start
        // over at a keyframe (what came before the answer could not be sent).
        let mut fresh = Vec::new();
        for (track, sub) in session.subs.iter_mut() {
            if sub.pt.is_none() {
                fresh.push(*track);
            }
            if let Some(mut sender) = session.pc.rtp_sender(sub.sender) {
                let mime = if sub.audio { "audio/opus" } else { "video/vp8" };
                sub.pt = sender
                    .get_parameters()
                    .rtp_parameters
                    .codecs
                    .iter()
                    .find(|c| c.rtp_codec.mime_type.eq_ignore_ascii_case(mime))
                    .map(|c| c.payload_type);
            }
        }
        self.dirty.push(id);
        let t = self.since_epoch(now);
        let mut effects = Vec::new();
        if let Some(room) = self.rooms.get_mut(&event) {
            for track in fresh {
                effects.extend(room.media.resync(t, pid(user), track).unwrap_or_default());
            }
        }
        self.apply(event, effects, now);
        if std::mem::take(&mut self.sessions.get_mut(&id).expect("live").renegotiate) {
            self.negotiate(id, now);
        }
        Ok(())
    }

    /// Everyone admitted watches every track of everyone else.
    fn sync_room(&mut self, event: Uuid, now: Instant) {
        let people: Vec<Uuid> = self
            .rooms
            .get(&event)
            .map(|r| r.people.iter().filter(|(_, p)| p.admitted).map(|(u, _)| *u).collect())
            .unwrap_or_default();
        for user in people {
            self.sync_subscriptions(event, user, now);
        }
    }

    fn sync_subscriptions(&mut self, event: Uuid, user: Uuid, now: Instant) {
        let Some(room) = self.rooms.get(&event) else { return };
        let Some(person) = room.people.get(&user).filter(|p| p.admitted) else { return };
        let wanted: BTreeSet<TrackId> =
            room.media.tracks().filter(|(_, owner, _)| *owner != pid(user)).map(|(t, _, _)| t).collect();
        let current: BTreeSet<TrackId> = person
            .subscribe
            .and_then(|id| self.sessions.get(&id))
            .map(|s| s.subs.keys().copied().collect())
            .unwrap_or_default();
        if wanted == current {
            return;
        }
        let id = match person.subscribe {
            Some(id) => id,
            None => match self.new_session(event, user, Direction::Subscribe, now) {
                Ok(id) => {
                    self.rooms.get_mut(&event).expect("present").people.get_mut(&user).expect("present").subscribe =
                        Some(id);
                    id
                }
                Err(_) => return,
            },
        };
        let t = self.since_epoch(now);
        let room = self.rooms.get_mut(&event).expect("present");
        let session = self.sessions.get_mut(&id).expect("live");
        let mut effects = Vec::new();
        for track in current.difference(&wanted) {
            if let Some(sub) = session.subs.remove(track) {
                session.by_out_ssrc.remove(&sub.out_ssrc);
                let _ = session.pc.remove_track(sub.sender);
                let _ = room.media.unsubscribe(pid(user), *track);
            }
        }
        for track in wanted.difference(&current) {
            let Some(&(owner, audio, _)) = room.tracks.get(track) else { continue };
            let (out_ssrc, more) = match room.media.subscribe(t, pid(user), *track) {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "sfu: could not subscribe");
                    continue;
                }
            };
            let (kind, codec) =
                if audio { (RtpCodecKind::Audio, peer::opus()) } else { (RtpCodecKind::Video, peer::vp8()) };
            let local = MediaStreamTrack::new(
                owner.to_string(),
                format!("{}-{}", track.0, out_ssrc),
                format!("{owner} {}", if audio { "audio" } else { "video" }),
                kind,
                vec![RTCRtpEncodingParameters {
                    rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(out_ssrc), ..Default::default() },
                    active: true,
                    codec,
                    ..Default::default()
                }],
            );
            match session.pc.add_track(local) {
                Ok(sender) => {
                    // The SFU only sends on a viewer's connection.
                    if let Some(mut t) = session.pc.rtp_transceiver(sender.into()) {
                        t.set_direction(RTCRtpTransceiverDirection::Sendonly);
                    }
                    session.subs.insert(*track, Sub { sender, out_ssrc, audio, pt: None });
                    session.by_out_ssrc.insert(out_ssrc, *track);
                    effects.extend(more);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sfu: could not add a track");
                    let _ = room.media.unsubscribe(pid(user), *track);
                }
            }
        }
        self.negotiate(id, now);
        self.apply(event, effects, now);
    }

    /// Sends the viewer a new offer, or notes that one is due once the current one is answered.
    fn negotiate(&mut self, id: SessionId, now: Instant) {
        let Some(session) = self.sessions.get_mut(&id) else { return };
        if session.awaiting_answer {
            session.renegotiate = true;
            return;
        }
        let offer = session.pc.create_offer(None).and_then(|offer| session.pc.set_local_description(now, offer));
        if let Err(e) = offer {
            tracing::error!(error = %e, "sfu: could not make an offer");
            return;
        }
        session.awaiting_answer = true;
        let sdp = session.pc.local_description().map(|d| d.sdp.clone()).unwrap_or_default();
        let (event, user) = (session.event, session.user);
        let Some(room) = self.rooms.get(&event) else { return };
        let mut tracks = Vec::new();
        for (track, sub) in &session.subs {
            let Some(&(owner, audio, source)) = room.tracks.get(track) else { continue };
            let Some(transceiver) = session.pc.rtp_transceiver(sub.sender.into()) else { continue };
            let Some(mid) = transceiver.mid().clone() else { continue };
            tracks.push(TrackView { mid, user: owner, kind: if audio { "audio" } else { "video" }, source });
        }
        self.dirty.push(id);
        if let Some(p) = room.people.get(&user) {
            self.send(p.at, &RoomServerFrame::RoomOffer { event, sdp, tracks });
        }
    }

    // ---------------------------------------------------------------- media plane

    fn datagram(&mut self, socket: usize, from: SocketAddr, data: BytesMut, at: Instant) {
        let id = match self.by_addr.get(&(socket, from)) {
            Some(id) => *id,
            None => {
                let Some(id) = stun::local_ufrag(&data).and_then(|u| self.by_ufrag.get(u)).copied() else {
                    metrics::counter!("kindred_sfu_datagrams_dropped_total").increment(1);
                    return;
                };
                self.by_addr.insert((socket, from), id);
                self.sessions.get_mut(&id).expect("routes name live sessions").addrs.push((socket, from));
                id
            }
        };
        let local_addr = self.sockets[socket].1;
        let Some(session) = self.sessions.get_mut(&id) else { return };
        let read = session.pc.handle_read(TaggedBytesMut {
            now: at,
            transport: TransportContext {
                local_addr,
                peer_addr: from,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: data,
        });
        if let Err(e) = read {
            tracing::debug!(error = %e, "sfu: a datagram was refused");
        }
        self.drain(id, at);
    }

    fn timeouts(&mut self, now: Instant) {
        while let Some(&(t, id)) = self.deadlines.first() {
            if t > now {
                break;
            }
            self.deadlines.pop_first();
            if let Some(s) = self.sessions.get_mut(&id) {
                s.deadline = None;
                let _ = s.pc.handle_timeout(now);
                self.drain(id, now);
            }
        }
    }

    /// Takes everything a connection produced: its events, what it received, and (in `flush`)
    /// what it must send.
    fn drain(&mut self, id: SessionId, now: Instant) {
        self.dirty.push(id);
        let Some(session) = self.sessions.get_mut(&id) else { return };
        let (event, user, direction) = (session.event, session.user, session.direction);
        let mut opened = Vec::new();
        let mut failed = false;
        let mut resync = Vec::new();
        while let Some(e) = session.pc.poll_event() {
            match e {
                RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                    opened.push((init.receiver_id, init.ssrc, init.rid));
                }
                RTCPeerConnectionEvent::OnConnectionStateChangeEvent(state) => {
                    tracing::debug!(%state, ?direction, "sfu: connection state");
                    session.connected |= state == RTCPeerConnectionState::Connected;
                    if state == RTCPeerConnectionState::Connected && direction == Direction::Subscribe {
                        // What was forwarded before the viewer could receive is lost: start
                        // every picture over at a keyframe.
                        resync.extend(session.subs.keys().copied());
                    }
                    failed |= matches!(state, RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed);
                }
                _ => {}
            }
        }
        let mut packets = Vec::new();
        let mut feedback = Vec::new();
        while let Some(TaggedRTCMessage { message, .. }) = session.pc.poll_read() {
            match message {
                RTCMessage::RtpPacket(_, packet) if direction == Direction::Publish => packets.push(packet),
                RTCMessage::RtcpPacket(_, rtcp) if direction == Direction::Subscribe => feedback.extend(rtcp),
                _ => {}
            }
        }
        let mut effects = Vec::new();
        let t = self.since_epoch(now);
        if let Some(room) = self.rooms.get_mut(&event) {
            for track in resync {
                effects.extend(room.media.resync(t, pid(user), track).unwrap_or_default());
            }
            for (receiver, ssrc, rid) in opened {
                let session = self.sessions.get_mut(&id).expect("live");
                session.receivers.insert(ssrc, receiver);
                let mid = session.pc.rtp_transceiver(receiver.into()).and_then(|t| t.mid().clone());
                let Some(p) = mid.and_then(|m| session.published.get(&m)) else { continue };
                let layer = match rid.as_deref().and_then(|r| p.rids.iter().position(|x| x == r)) {
                    Some(i) if p.rids.len() == 2 => [Layer::Low, Layer::High][i],
                    Some(i) => [Layer::Low, Layer::Mid, Layer::High][i.min(2)],
                    None => Layer::High,
                };
                let _ = (p.audio, p.source);
                match room.media.bind_layer(t, pid(user), p.track, layer, ssrc) {
                    Ok(more) => effects.extend(more),
                    Err(e) => tracing::debug!(error = %e, "sfu: could not bind a layer"),
                }
            }
            let mut buf = Vec::with_capacity(1500);
            for packet in packets {
                buf.clear();
                buf.resize(packet.marshal_size(), 0);
                if packet.marshal_to(&mut buf).is_err() {
                    continue;
                }
                match room.media.on_rtp(t, pid(user), &buf) {
                    Ok(more) => effects.extend(more),
                    Err(_) => metrics::counter!("kindred_sfu_packets_dropped_total").increment(1),
                }
            }
            for packet in feedback {
                let any = packet.as_any();
                let ssrc = if let Some(pli) = any.downcast_ref::<PictureLossIndication>() {
                    Some(pli.media_ssrc)
                } else if let Some(fir) = any.downcast_ref::<FullIntraRequest>() {
                    fir.fir.first().map(|f| f.ssrc)
                } else {
                    if let Some(remb) = any.downcast_ref::<ReceiverEstimatedMaximumBitrate>()
                        && let Ok(more) = room.media.on_estimate(t, pid(user), remb.bitrate as u64)
                    {
                        effects.extend(more);
                    }
                    None
                };
                if let Some(ssrc) = ssrc
                    && let Ok(more) = room.media.on_picture_loss(t, pid(user), ssrc)
                {
                    effects.extend(more);
                }
            }
        }
        self.apply(event, effects, now);
        if failed {
            self.connection_failed(id);
        }
    }

    /// A peer connection failed (the viewer vanished, ICE timed out): forget it; a new offer or
    /// publish starts over.
    fn connection_failed(&mut self, id: SessionId) {
        let Some(s) = self.sessions.get(&id) else { return };
        let (event, user) = (s.event, s.user);
        if let Some(p) = self.rooms.get_mut(&event).and_then(|r| r.people.get_mut(&user)) {
            if p.publish == Some(id) {
                p.publish = None;
            }
            if p.subscribe == Some(id) {
                p.subscribe = None;
            }
        }
        self.close_session(id);
    }

    /// Carries out what the room decided.
    fn apply(&mut self, event: Uuid, effects: Vec<Effect>, now: Instant) {
        if effects.is_empty() {
            return;
        }
        let mut ended = Vec::new();
        for effect in effects {
            match effect {
                Effect::Forward(f) => self.forward(event, uid(f.to), f.ssrc, &f.packet, now),
                Effect::KeyframeRequest(k) => {
                    let Some(id) = self.person_session(event, uid(k.to), Direction::Publish) else { continue };
                    let session = self.sessions.get_mut(&id).expect("live");
                    if !session.connected {
                        continue;
                    }
                    let Some(receiver) = session.receivers.get(&k.ssrc).copied() else { continue };
                    if let Some(mut r) = session.pc.rtp_receiver(receiver) {
                        let pli = PictureLossIndication { sender_ssrc: 0, media_ssrc: k.ssrc };
                        let _ = r.write_rtcp(now, vec![Box::new(pli)]);
                        self.dirty.push(id);
                    }
                }
                Effect::ActiveSpeaker(p) => {
                    if let Some(room) = self.rooms.get(&event) {
                        let frame = RoomServerFrame::RoomSpeaker { event, user: Some(uid(p)) };
                        for person in room.people.values().filter(|p| p.admitted) {
                            self.send(person.at, &frame);
                        }
                    }
                }
                Effect::TrackEnded { to, .. } => ended.push(uid(to)),
            }
        }
        ended.sort();
        ended.dedup();
        for user in ended {
            self.sync_subscriptions(event, user, now);
        }
    }

    fn person_session(&self, event: Uuid, user: Uuid, direction: Direction) -> Option<SessionId> {
        let p = self.rooms.get(&event)?.people.get(&user)?;
        match direction {
            Direction::Publish => p.publish,
            Direction::Subscribe => p.subscribe,
        }
    }

    fn forward(&mut self, event: Uuid, to: Uuid, ssrc: u32, bytes: &[u8], now: Instant) {
        let Some(id) = self.person_session(event, to, Direction::Subscribe) else { return };
        let session = self.sessions.get_mut(&id).expect("live");
        if !session.connected {
            return;
        }
        let Some(sub) = session.by_out_ssrc.get(&ssrc).and_then(|t| session.subs.get(t)) else { return };
        let (Some(pt), sender) = (sub.pt, sub.sender) else { return };
        let Ok(mut packet) = rtc::rtp::Packet::unmarshal(&mut &bytes[..]) else { return };
        packet.header.payload_type = pt;
        // The publisher's header extensions mean nothing on the viewer's connection.
        packet.header.extension = false;
        packet.header.extensions.clear();
        packet.header.extensions_padding = 0;
        if let Some(mut s) = session.pc.rtp_sender(sender)
            && s.write_rtp(now, packet).is_ok()
        {
            metrics::counter!("kindred_sfu_packets_forwarded_total").increment(1);
        }
        self.dirty.push(id);
    }

    /// Sends what every touched connection has queued and re-arms its timer.
    fn flush(&mut self, now: Instant) {
        let _ = now;
        while let Some(id) = self.dirty.pop() {
            let Some(session) = self.sessions.get_mut(&id) else { continue };
            let mut out = Vec::new();
            while let Some(msg) = session.pc.poll_write() {
                out.push(msg);
            }
            let deadline = session.pc.poll_timeout();
            if session.deadline != deadline {
                if let Some(old) = session.deadline {
                    self.deadlines.remove(&(old, id));
                }
                if let Some(new) = deadline {
                    self.deadlines.insert((new, id));
                }
                session.deadline = deadline;
            }
            for msg in out {
                self.transmit(msg);
            }
        }
    }

    fn transmit(&self, msg: TaggedBytesMut) {
        let socket =
            self.sockets.iter().find(|(_, a)| *a == msg.transport.local_addr).unwrap_or(&self.sockets[0]).0.clone();
        if socket.try_send_to(&msg.message, msg.transport.peer_addr).is_err() {
            metrics::counter!("kindred_sfu_send_dropped_total").increment(1);
        }
    }
}

fn layer_source(layer: Layer, ssrc: Option<u32>, name: &str) -> LayerSource {
    match ssrc {
        Some(ssrc) => LayerSource::ssrc(layer, ssrc),
        // Bound when the stream opens.
        None => LayerSource::rid(layer, name),
    }
}

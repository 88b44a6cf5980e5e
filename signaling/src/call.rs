//! The state machine of one 1:1 video call between a caller and a callee, as the server sees it.
//! It owns the call's lifecycle (who may do what, and when), the deterministic resolution of
//! crossed invitations (glare), the timeouts, the limits on what the two may send each other, and
//! the call's record. It does no I/O and reads no clock: the shell feeds it [`Event`]s stamped
//! with the server's time in milliseconds, and carries out the [`Effect`]s it returns, in order.
//!
//! ```text
//! Idle               ── invite ──────────────────────▶ Inviting
//! Inviting           ── ringing ─────────────────────▶ Ringing
//! Inviting, Ringing  ── accept, or a crossed invite ─▶ Connecting
//! Inviting, Ringing  ── decline, hang-up, tick ──────▶ Ended: declined, busy, cancelled, missed (45 s)
//! Connecting         ── connected ───────────────────▶ InCall
//! Connecting         ── hang-up, tick ───────────────▶ Ended: hung_up (by whom), failed (30 s)
//! InCall             ── hang-up ─────────────────────▶ Ended: hung_up (by whom)
//! Connecting, InCall ── offer, answer, candidate ────▶ (relayed to the other; no change)
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::{CallErrorCode, DeclineReason, IceCandidate, ServerSignal};

/// How long a call may ring unanswered before it is missed.
pub const RING_TIMEOUT_MS: u64 = 45_000;
/// How long an answered call may take to get media flowing before it has failed.
pub const CONNECT_TIMEOUT_MS: u64 = 30_000;
/// Candidates one side may send in one call. A browser gathers a few dozen even with many network
/// interfaces and ICE restarts; the cap only stops a client that floods its peer.
pub const MAX_CANDIDATES_PER_SIDE: u32 = 200;
/// Largest session description. The chat protocol's frames are at most 64 KiB, so this is never
/// the binding limit on the wire, but the core does not rely on the gateway for it.
pub const MAX_SDP_BYTES: usize = 64 * 1024;
/// Longest candidate line; real ones are under 200 bytes.
pub const MAX_CANDIDATE_BYTES: usize = 1024;
/// Longest media id (`sdp_mid`); browsers use short numbers ("0", "1").
pub const MAX_SDP_MID_BYTES: usize = 64;

/// The limits a deployment may tune; [`Limits::default`] is the documented protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub ring_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub max_candidates_per_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ring_timeout_ms: RING_TIMEOUT_MS,
            connect_timeout_ms: CONNECT_TIMEOUT_MS,
            max_candidates_per_side: MAX_CANDIDATES_PER_SIDE,
        }
    }
}

/// Where a call is. On the wire (in `call_state`) it is the `state` field, and an ended call's
/// reason is flattened next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CallState {
    /// Nothing has happened yet; only an invitation can start the call.
    Idle,
    /// The caller sent the invitation; no device of the callee has said it is ringing yet.
    Inviting,
    /// A device of the callee is ringing.
    Ringing,
    /// The callee answered; the two are exchanging descriptions and candidates.
    Connecting,
    /// A client reported media flowing.
    InCall,
    Ended {
        #[serde(flatten)]
        reason: EndReason,
    },
}

impl CallState {
    pub fn name(&self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::Inviting => "inviting",
            CallState::Ringing => "ringing",
            CallState::Connecting => "connecting",
            CallState::InCall => "in_call",
            CallState::Ended { .. } => "ended",
        }
    }

    fn is_unanswered(&self) -> bool {
        matches!(self, CallState::Inviting | CallState::Ringing)
    }

    fn is_answered(&self) -> bool {
        matches!(self, CallState::Connecting | CallState::InCall)
    }

    fn is_live(&self) -> bool {
        self.is_unanswered() || self.is_answered()
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EndReason {
    /// One of the two hung up an answered call.
    HungUp { by: Uuid },
    /// The callee refused (or hung up while it rang).
    Declined,
    /// Nobody answered within the ring timeout.
    Missed,
    /// The caller hung up before an answer.
    Cancelled,
    /// Answered, but media did not flow within the connect timeout.
    Failed,
    /// The callee's client was already in a call.
    Busy,
}

/// The inputs of the machine. `by`/`from` is the authenticated person who sent the frame (see
/// [`crate::ClientSignal::into_event`]); `at` is the server's clock in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `from` calls `to`, naming the call by a client-chosen id.
    Invite {
        call: Uuid,
        from: Uuid,
        to: Uuid,
        at: u64,
    },
    /// A device of the callee is ringing.
    Ringing {
        by: Uuid,
    },
    Accept {
        by: Uuid,
        at: u64,
    },
    Decline {
        by: Uuid,
        at: u64,
        reason: Option<DeclineReason>,
    },
    HangUp {
        by: Uuid,
        at: u64,
    },
    Offer {
        from: Uuid,
        sdp: String,
    },
    Answer {
        from: Uuid,
        sdp: String,
    },
    Candidate {
        from: Uuid,
        candidate: IceCandidate,
    },
    /// A client's peer connection is connected: media is flowing.
    Connected {
        by: Uuid,
        at: u64,
    },
    /// Time passed; fires the ring and connect timeouts that are due. The shell ticks at
    /// [`Call::deadline`], so the machine never needs a clock of its own.
    Tick {
        at: u64,
    },
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Invite { .. } => EventKind::Invite,
            Event::Ringing { .. } => EventKind::Ringing,
            Event::Accept { .. } => EventKind::Accept,
            Event::Decline { .. } => EventKind::Decline,
            Event::HangUp { .. } => EventKind::HangUp,
            Event::Offer { .. } => EventKind::Offer,
            Event::Answer { .. } => EventKind::Answer,
            Event::Candidate { .. } => EventKind::Candidate,
            Event::Connected { .. } => EventKind::Connected,
            Event::Tick { .. } => EventKind::Tick,
        }
    }
}

/// The kind of an [`Event`], without its data, for errors and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Invite,
    Ringing,
    Accept,
    Decline,
    HangUp,
    Offer,
    Answer,
    Candidate,
    Connected,
    Tick,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Invite,
        EventKind::Ringing,
        EventKind::Accept,
        EventKind::Decline,
        EventKind::HangUp,
        EventKind::Offer,
        EventKind::Answer,
        EventKind::Candidate,
        EventKind::Connected,
        EventKind::Tick,
    ];

    /// The name people see in errors: the client frame that produced the event.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Invite => "call_invite",
            EventKind::Ringing => "call_ringing",
            EventKind::Accept => "call_accept",
            EventKind::Decline => "call_decline",
            EventKind::HangUp => "call_hangup",
            EventKind::Offer => "sdp_offer",
            EventKind::Answer => "sdp_answer",
            EventKind::Candidate => "ice_candidate",
            EventKind::Connected => "call_connected",
            EventKind::Tick => "tick",
        }
    }
}

/// What the shell must do, in the order given: the record comes first because the design stores
/// before it fans out, so a call that people saw always has a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Store this snapshot of the call's record (an upsert by `id`; when `replaces` is set, the
    /// row of that id, if any, is gone: the two crossed invitations are one call now).
    Record(CallRecord),
    /// Send a frame to every connection of one person (over the bus: they may be on another node).
    Relay { to: Uuid, message: ServerSignal },
    /// Tell `to` they missed a call from `from` (a notification that outlives the sockets).
    NotifyMissed { to: Uuid, from: Uuid, call: Uuid, at: u64 },
}

/// What is kept of a call: who, when, how it ended. Coordinators see these (who met, how long),
/// never anything said in the call. Times are the server's milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub id: Uuid,
    pub caller: Uuid,
    pub callee: Uuid,
    pub invited_at: u64,
    pub answered_at: Option<u64>,
    /// When media first flowed (the first `call_connected` of either side).
    pub started_at: Option<u64>,
    /// When each side's media connected; both set means both really joined.
    pub caller_joined_at: Option<u64>,
    pub callee_joined_at: Option<u64>,
    pub ended_at: Option<u64>,
    pub end_reason: Option<EndReason>,
    /// The id of the other invitation when two crossed invitations were merged into this call.
    pub replaces: Option<Uuid>,
}

impl CallRecord {
    /// How long media flowed: from `started_at` to `ended_at`. None for a call that never
    /// connected or has not ended.
    pub fn duration_ms(&self) -> Option<u64> {
        Some(self.ended_at?.saturating_sub(self.started_at?))
    }
}

/// Why an event was refused. The call is unchanged; the shell answers the sender with
/// `call_error` (see [`ServerSignal::error`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalError {
    /// The sender is not one of the two people of the call.
    NotParticipant,
    /// The event makes no sense in this state.
    WrongState { state: CallState, event: EventKind },
    /// The event is the other person's to send (the caller accepting, declining or ringing).
    WrongParty { event: EventKind },
    /// A value outside its limits.
    Malformed(&'static str),
    /// The side already sent `limit` candidates in this call.
    TooManyCandidates { limit: u32 },
}

impl SignalError {
    pub fn code(&self) -> CallErrorCode {
        match self {
            SignalError::NotParticipant => CallErrorCode::NotParticipant,
            SignalError::WrongState { .. } => CallErrorCode::WrongState,
            SignalError::WrongParty { .. } => CallErrorCode::Forbidden,
            SignalError::Malformed(_) => CallErrorCode::Invalid,
            SignalError::TooManyCandidates { .. } => CallErrorCode::TooManyCandidates,
        }
    }
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalError::NotParticipant => f.write_str("no such call, or not one of its participants"),
            SignalError::WrongState { state, event } => {
                write!(f, "`{}` is not allowed while the call is {}", event.name(), state.name())
            }
            SignalError::WrongParty { event } => write!(f, "`{}` is the other participant's to send", event.name()),
            SignalError::Malformed(why) => f.write_str(why),
            SignalError::TooManyCandidates { limit } => write!(f, "at most {limit} ICE candidates per call"),
        }
    }
}

impl std::error::Error for SignalError {}

/// Checks a session description just enough to refuse garbage: the browser parses it for real.
pub fn validate_sdp(sdp: &str) -> Result<(), SignalError> {
    if sdp.is_empty() {
        return Err(SignalError::Malformed("the session description is empty"));
    }
    if sdp.len() > MAX_SDP_BYTES {
        return Err(SignalError::Malformed("the session description is over 64 KiB"));
    }
    // `lines` drops the "\r" of SDP's CRLF endings.
    if sdp.lines().next() != Some("v=0") {
        return Err(SignalError::Malformed("a session description starts with v=0"));
    }
    Ok(())
}

/// Checks a candidate the same way: size and shape, not its grammar.
pub fn validate_candidate(c: &IceCandidate) -> Result<(), SignalError> {
    if c.candidate.len() > MAX_CANDIDATE_BYTES {
        return Err(SignalError::Malformed("a candidate is at most 1 KiB"));
    }
    // Empty is the end-of-candidates marker.
    if !c.candidate.is_empty() && !c.candidate.starts_with("candidate:") {
        return Err(SignalError::Malformed("a candidate starts with `candidate:`"));
    }
    if c.sdp_mid.as_ref().is_some_and(|m| m.len() > MAX_SDP_MID_BYTES) {
        return Err(SignalError::Malformed("sdp_mid is at most 64 bytes"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Caller,
    Callee,
}

/// One call. Create it with [`Call::new`] when a `call_invite` names an unknown call id, feed it
/// every event about that call, and drop it some time after it ended (late frames then get
/// `not_participant`, which is what they deserve). It serializes, so a shell may keep calls in a
/// database shared by many nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    limits: Limits,
    state: CallState,
    /// None exactly while Idle: the record is born with the invitation.
    record: Option<CallRecord>,
    /// Candidates sent so far by the caller and by the callee.
    candidates: [u32; 2],
}

impl Default for Call {
    fn default() -> Self {
        Call::new()
    }
}

impl Call {
    pub fn new() -> Call {
        Call::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Call {
        Call { limits, state: CallState::Idle, record: None, candidates: [0, 0] }
    }

    pub fn state(&self) -> CallState {
        self.state
    }

    /// The call's id; after glare it may have become the other invitation's id (see
    /// [`CallRecord::replaces`]). None while Idle.
    pub fn id(&self) -> Option<Uuid> {
        self.record.map(|r| r.id)
    }

    pub fn record(&self) -> Option<&CallRecord> {
        self.record.as_ref()
    }

    /// The other participant, if `user` is one.
    pub fn peer_of(&self, user: Uuid) -> Option<Uuid> {
        let r = self.record?;
        match self.side(&r, user)? {
            Side::Caller => Some(r.callee),
            Side::Callee => Some(r.caller),
        }
    }

    /// The role of `user` in WebRTC perfect negotiation: the polite peer rolls back its own offer
    /// when offers collide, the impolite one ignores the other's. The lower user id is polite, so
    /// both clients and the server agree without a round trip; false for anyone else.
    pub fn polite(&self, user: Uuid) -> bool {
        self.record.is_some_and(|r| self.side(&r, user).is_some() && user == r.caller.min(r.callee))
    }

    /// When the shell should next send `Tick`, if a timeout is pending.
    pub fn deadline(&self) -> Option<u64> {
        let r = self.record?;
        match self.state {
            CallState::Inviting | CallState::Ringing => Some(r.invited_at.saturating_add(self.limits.ring_timeout_ms)),
            CallState::Connecting => r.answered_at.map(|a| a.saturating_add(self.limits.connect_timeout_ms)),
            _ => None,
        }
    }

    /// Applies one event. On success the call moved (or stayed) and the effects say what to store
    /// and whom to tell; on error nothing changed.
    pub fn handle(&mut self, event: Event) -> Result<Vec<Effect>, SignalError> {
        match event {
            Event::Tick { at } => Ok(self.tick(at)),
            Event::Invite { call, from, to, at } => self.invite(call, from, to, at),
            Event::Ringing { by } => self.ringing(by),
            Event::Accept { by, at } => self.accept(by, at),
            Event::Decline { by, at, reason } => self.decline(by, at, reason.unwrap_or_default()),
            Event::HangUp { by, at } => self.hang_up(by, at),
            Event::Offer { from, sdp } => self.relay_sdp(from, sdp, EventKind::Offer),
            Event::Answer { from, sdp } => self.relay_sdp(from, sdp, EventKind::Answer),
            Event::Candidate { from, candidate } => self.candidate(from, candidate),
            Event::Connected { by, at } => self.connected(by, at),
        }
    }

    fn side(&self, r: &CallRecord, user: Uuid) -> Option<Side> {
        if user == r.caller {
            Some(Side::Caller)
        } else if user == r.callee {
            Some(Side::Callee)
        } else {
            None
        }
    }

    fn wrong(&self, event: EventKind) -> SignalError {
        SignalError::WrongState { state: self.state, event }
    }

    /// The record and the sender's side. Checked before the state, so that someone outside the
    /// call learns nothing about it. While Idle there are no participants yet, so nothing but an
    /// invitation fits.
    fn party(&self, user: Uuid, event: EventKind) -> Result<(CallRecord, Side), SignalError> {
        let Some(r) = self.record else { return Err(self.wrong(event)) };
        let side = self.side(&r, user).ok_or(SignalError::NotParticipant)?;
        Ok((r, side))
    }

    fn require(&self, allowed: bool, event: EventKind) -> Result<(), SignalError> {
        if allowed { Ok(()) } else { Err(self.wrong(event)) }
    }

    fn state_frame(&self, to: Uuid) -> Option<Effect> {
        let r = self.record?;
        let message = ServerSignal::CallState {
            call: r.id,
            caller: r.caller,
            callee: r.callee,
            state: self.state,
            polite: self.polite(to),
            replaces: r.replaces,
        };
        Some(Effect::Relay { to, message })
    }

    /// `call_state` to both: sent after every change of state, so every device of both people
    /// converges on the server's view whatever frames it missed.
    fn state_frames(&self) -> Vec<Effect> {
        let Some(r) = self.record else { return Vec::new() };
        [r.caller, r.callee].into_iter().filter_map(|u| self.state_frame(u)).collect()
    }

    /// Commits a new record and state; returns the effects in their order: record, the relays
    /// given, then `call_state` to both.
    fn commit(&mut self, r: CallRecord, state: CallState, relays: Vec<Effect>) -> Vec<Effect> {
        self.record = Some(r);
        self.state = state;
        let mut effects = vec![Effect::Record(r)];
        effects.extend(relays);
        effects.extend(self.state_frames());
        effects
    }

    fn end(&mut self, mut r: CallRecord, reason: EndReason, at: u64, relays: Vec<Effect>) -> Vec<Effect> {
        r.ended_at = Some(at);
        r.end_reason = Some(reason);
        let mut effects = self.commit(r, CallState::Ended { reason }, relays);
        // The callee never got to choose: a missed call is worth telling them about after the
        // ringing stopped. A deliberate decline or a failed connection is not.
        if matches!(reason, EndReason::Missed | EndReason::Cancelled | EndReason::Busy) {
            effects.push(Effect::NotifyMissed { to: r.callee, from: r.caller, call: r.id, at });
        }
        effects
    }

    fn relay(to: Uuid, message: ServerSignal) -> Effect {
        Effect::Relay { to, message }
    }

    fn invite(&mut self, call: Uuid, from: Uuid, to: Uuid, at: u64) -> Result<Vec<Effect>, SignalError> {
        let Some(r) = self.record else {
            if from == to {
                return Err(SignalError::Malformed("one cannot call oneself"));
            }
            let r = CallRecord {
                id: call,
                caller: from,
                callee: to,
                invited_at: at,
                answered_at: None,
                started_at: None,
                caller_joined_at: None,
                callee_joined_at: None,
                ended_at: None,
                end_reason: None,
                replaces: None,
            };
            let relay = Self::relay(to, ServerSignal::CallInvite { call, from, to });
            return Ok(self.commit(r, CallState::Inviting, vec![relay]));
        };
        // An invitation that is not about this pair was routed here by mistake.
        let Some(side) = self.side(&r, from) else { return Err(SignalError::NotParticipant) };
        if self.peer_of(from) != Some(to) {
            return Err(SignalError::NotParticipant);
        }
        // A resent invitation (its reply was lost) gets the reply again and changes nothing:
        // idempotent by the client-chosen id. That includes the invitation glare merged away.
        let resent = (side == Side::Caller && call == r.id) || (r.replaces == Some(call) && self.polite(from));
        if resent && self.state.is_live() {
            return Ok(self.state_frame(from).into_iter().collect());
        }
        if side == Side::Callee && self.state.is_unanswered() {
            return Ok(self.glare(r, call, at));
        }
        Err(self.wrong(EventKind::Invite))
    }

    /// Both called each other at once: both want the call, so it is answered at once rather than
    /// leaving two calls ringing. The impolite peer's invitation wins whichever arrived first, so
    /// the outcome does not depend on timing between nodes: its id is the call's and its sender is
    /// the caller, who sends the offer after `call_accept` as in any call.
    fn glare(&mut self, mut r: CallRecord, call: Uuid, at: u64) -> Vec<Effect> {
        let loser = if self.polite(r.caller) {
            let loser = r.id;
            r.id = call;
            std::mem::swap(&mut r.caller, &mut r.callee);
            loser
        } else {
            call
        };
        r.replaces = (loser != r.id).then_some(loser);
        r.answered_at = Some(at);
        let accept = Self::relay(r.caller, ServerSignal::CallAccept { call: r.id, by: r.callee });
        self.commit(r, CallState::Connecting, vec![accept])
    }

    fn ringing(&mut self, by: Uuid) -> Result<Vec<Effect>, SignalError> {
        let (r, side) = self.party(by, EventKind::Ringing)?;
        self.require(self.state.is_unanswered(), EventKind::Ringing)?;
        if side != Side::Callee {
            return Err(SignalError::WrongParty { event: EventKind::Ringing });
        }
        // Each of the callee's devices rings and says so; only the first one changes anything.
        if self.state == CallState::Ringing {
            return Ok(Vec::new());
        }
        let relay = Self::relay(r.caller, ServerSignal::CallRinging { call: r.id, by });
        Ok(self.commit(r, CallState::Ringing, vec![relay]))
    }

    fn accept(&mut self, by: Uuid, at: u64) -> Result<Vec<Effect>, SignalError> {
        let (mut r, side) = self.party(by, EventKind::Accept)?;
        // From Inviting too: a device may answer from a notification before any device rang.
        self.require(self.state.is_unanswered(), EventKind::Accept)?;
        if side != Side::Callee {
            return Err(SignalError::WrongParty { event: EventKind::Accept });
        }
        r.answered_at = Some(at);
        let relay = Self::relay(r.caller, ServerSignal::CallAccept { call: r.id, by });
        Ok(self.commit(r, CallState::Connecting, vec![relay]))
    }

    fn decline(&mut self, by: Uuid, at: u64, reason: DeclineReason) -> Result<Vec<Effect>, SignalError> {
        let (r, side) = self.party(by, EventKind::Decline)?;
        self.require(self.state.is_unanswered(), EventKind::Decline)?;
        if side != Side::Callee {
            return Err(SignalError::WrongParty { event: EventKind::Decline });
        }
        let end = match reason {
            DeclineReason::Declined => EndReason::Declined,
            DeclineReason::Busy => EndReason::Busy,
        };
        let relay = Self::relay(r.caller, ServerSignal::CallDecline { call: r.id, by, reason });
        Ok(self.end(r, end, at, vec![relay]))
    }

    fn hang_up(&mut self, by: Uuid, at: u64) -> Result<Vec<Effect>, SignalError> {
        let (r, side) = self.party(by, EventKind::HangUp)?;
        self.require(self.state.is_live(), EventKind::HangUp)?;
        // Before an answer, hanging up is the caller cancelling or the callee refusing; the
        // record keeps the difference because "missed" and "declined" mean different things to
        // the people who look at it.
        let reason = match (self.state.is_unanswered(), side) {
            (true, Side::Caller) => EndReason::Cancelled,
            (true, Side::Callee) => EndReason::Declined,
            (false, _) => EndReason::HungUp { by },
        };
        let peer = if side == Side::Caller { r.callee } else { r.caller };
        let relay = Self::relay(peer, ServerSignal::CallHangup { call: r.id, by });
        Ok(self.end(r, reason, at, vec![relay]))
    }

    /// Offers and answers go from one participant to the other, in either direction: with perfect
    /// negotiation either side may (re)negotiate, so the server does not track whose turn it is.
    fn relay_sdp(&mut self, from: Uuid, sdp: String, event: EventKind) -> Result<Vec<Effect>, SignalError> {
        let (r, side) = self.party(from, event)?;
        self.require(self.state.is_answered(), event)?;
        validate_sdp(&sdp)?;
        let peer = if side == Side::Caller { r.callee } else { r.caller };
        let message = if event == EventKind::Offer {
            ServerSignal::SdpOffer { call: r.id, from, sdp }
        } else {
            ServerSignal::SdpAnswer { call: r.id, from, sdp }
        };
        Ok(vec![Self::relay(peer, message)])
    }

    fn candidate(&mut self, from: Uuid, candidate: IceCandidate) -> Result<Vec<Effect>, SignalError> {
        let (r, side) = self.party(from, EventKind::Candidate)?;
        // Candidates may come before the description they belong to (trickle ICE); they are relayed
        // anyway and the receiving client queues them.
        self.require(self.state.is_answered(), EventKind::Candidate)?;
        validate_candidate(&candidate)?;
        let sent = &mut self.candidates[side as usize];
        if *sent >= self.limits.max_candidates_per_side {
            return Err(SignalError::TooManyCandidates { limit: self.limits.max_candidates_per_side });
        }
        *sent += 1;
        let peer = if side == Side::Caller { r.callee } else { r.caller };
        Ok(vec![Self::relay(peer, ServerSignal::IceCandidate { call: r.id, from, candidate })])
    }

    fn connected(&mut self, by: Uuid, at: u64) -> Result<Vec<Effect>, SignalError> {
        let (mut r, side) = self.party(by, EventKind::Connected)?;
        self.require(self.state.is_answered(), EventKind::Connected)?;
        let joined = match side {
            Side::Caller => &mut r.caller_joined_at,
            Side::Callee => &mut r.callee_joined_at,
        };
        // Both sides report it, each once per connection; a repeat is normal, not an error.
        if joined.is_some() {
            return Ok(Vec::new());
        }
        *joined = Some(at);
        if self.state == CallState::InCall {
            // The second side joining changes the record, not the state.
            self.record = Some(r);
            return Ok(vec![Effect::Record(r)]);
        }
        r.started_at = Some(at);
        Ok(self.commit(r, CallState::InCall, Vec::new()))
    }

    fn tick(&mut self, at: u64) -> Vec<Effect> {
        let (Some(r), Some(deadline)) = (self.record, self.deadline()) else { return Vec::new() };
        if at < deadline {
            return Vec::new();
        }
        let reason = if self.state == CallState::Connecting { EndReason::Failed } else { EndReason::Missed };
        self.end(r, reason, at, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The caller; the lower id, so the polite peer.
    const A: Uuid = Uuid::from_u128(1);
    const B: Uuid = Uuid::from_u128(2);
    const OUTSIDER: Uuid = Uuid::from_u128(99);
    const CALL: Uuid = Uuid::from_u128(0xa1);
    const OTHER_CALL: Uuid = Uuid::from_u128(0xb2);
    const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    fn cand(s: &str) -> IceCandidate {
        IceCandidate { candidate: s.to_owned(), sdp_mid: Some("0".into()), sdp_m_line_index: Some(0) }
    }

    fn host() -> IceCandidate {
        cand("candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host")
    }

    fn ok(call: &mut Call, event: Event) -> Vec<Effect> {
        let shown = format!("{event:?}");
        call.handle(event).unwrap_or_else(|e| panic!("{shown}: {e}"))
    }

    fn at(state: CallState) -> Call {
        let mut c = Call::new();
        if state == CallState::Idle {
            return c;
        }
        ok(&mut c, Event::Invite { call: CALL, from: A, to: B, at: 0 });
        if state == CallState::Inviting {
            return c;
        }
        ok(&mut c, Event::Ringing { by: B });
        if state == CallState::Ringing {
            return c;
        }
        ok(&mut c, Event::Accept { by: B, at: 1_000 });
        if state == CallState::Connecting {
            return c;
        }
        ok(&mut c, Event::Connected { by: A, at: 2_000 });
        if state == CallState::InCall {
            return c;
        }
        ok(&mut c, Event::HangUp { by: A, at: 3_000 });
        assert_eq!(c.state(), state);
        c
    }

    const ENDED: CallState = CallState::Ended { reason: EndReason::HungUp { by: A } };
    const STATES: [CallState; 6] =
        [CallState::Idle, CallState::Inviting, CallState::Ringing, CallState::Connecting, CallState::InCall, ENDED];

    /// One ordinary event of each kind, from the person who would normally send it.
    fn sample(kind: EventKind) -> Event {
        match kind {
            EventKind::Invite => Event::Invite { call: OTHER_CALL, from: A, to: B, at: 10 },
            EventKind::Ringing => Event::Ringing { by: B },
            EventKind::Accept => Event::Accept { by: B, at: 10 },
            EventKind::Decline => Event::Decline { by: B, at: 10, reason: None },
            EventKind::HangUp => Event::HangUp { by: A, at: 10 },
            EventKind::Offer => Event::Offer { from: A, sdp: SDP.into() },
            EventKind::Answer => Event::Answer { from: B, sdp: SDP.into() },
            EventKind::Candidate => Event::Candidate { from: A, candidate: host() },
            EventKind::Connected => Event::Connected { by: A, at: 10 },
            EventKind::Tick => Event::Tick { at: 10 },
        }
    }

    /// The same event from someone outside the call.
    fn from_outsider(kind: EventKind) -> Event {
        let x = OUTSIDER;
        match kind {
            EventKind::Invite => Event::Invite { call: OTHER_CALL, from: x, to: B, at: 10 },
            EventKind::Ringing => Event::Ringing { by: x },
            EventKind::Accept => Event::Accept { by: x, at: 10 },
            EventKind::Decline => Event::Decline { by: x, at: 10, reason: None },
            EventKind::HangUp => Event::HangUp { by: x, at: 10 },
            EventKind::Offer => Event::Offer { from: x, sdp: SDP.into() },
            EventKind::Answer => Event::Answer { from: x, sdp: SDP.into() },
            EventKind::Candidate => Event::Candidate { from: x, candidate: host() },
            EventKind::Connected => Event::Connected { by: x, at: 10 },
            EventKind::Tick => Event::Tick { at: 10 },
        }
    }

    fn relays(effects: &[Effect]) -> Vec<(Uuid, &ServerSignal)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Relay { to, message } => Some((*to, message)),
                _ => None,
            })
            .collect()
    }

    fn records(effects: &[Effect]) -> Vec<CallRecord> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(r) => Some(*r),
                _ => None,
            })
            .collect()
    }

    fn sent_state(effects: &[Effect], to: Uuid) -> Option<(CallState, bool)> {
        relays(effects).into_iter().find_map(|(u, m)| match m {
            ServerSignal::CallState { state, polite, .. } if u == to => Some((*state, *polite)),
            _ => None,
        })
    }

    #[test]
    fn every_state_by_every_event() {
        use CallState::*;
        let declined = Ended { reason: EndReason::Declined };
        let cancelled = Ended { reason: EndReason::Cancelled };
        let hung_up = Ended { reason: EndReason::HungUp { by: A } };
        // Per event kind, the state after it in Idle, Inviting, Ringing, Connecting, InCall, Ended;
        // None: refused with WrongState.
        let table: [(EventKind, [Option<CallState>; 6]); 10] = [
            (EventKind::Invite, [Some(Inviting), None, None, None, None, None]),
            (EventKind::Ringing, [None, Some(Ringing), Some(Ringing), None, None, None]),
            (EventKind::Accept, [None, Some(Connecting), Some(Connecting), None, None, None]),
            (EventKind::Decline, [None, Some(declined), Some(declined), None, None, None]),
            (EventKind::HangUp, [None, Some(cancelled), Some(cancelled), Some(hung_up), Some(hung_up), None]),
            (EventKind::Offer, [None, None, None, Some(Connecting), Some(InCall), None]),
            (EventKind::Answer, [None, None, None, Some(Connecting), Some(InCall), None]),
            (EventKind::Candidate, [None, None, None, Some(Connecting), Some(InCall), None]),
            (EventKind::Connected, [None, None, None, Some(InCall), Some(InCall), None]),
            (EventKind::Tick, [Some(Idle), Some(Inviting), Some(Ringing), Some(Connecting), Some(InCall), Some(ENDED)]),
        ];
        assert_eq!(table.map(|(k, _)| k), EventKind::ALL, "the table covers every event kind");
        for (kind, row) in table {
            for (before, after) in STATES.into_iter().zip(row) {
                let mut call = at(before);
                let result = call.handle(sample(kind));
                match after {
                    Some(after) => {
                        assert!(result.is_ok(), "{kind:?} in {before:?}: {result:?}");
                        assert_eq!(call.state(), after, "{kind:?} in {before:?}");
                    }
                    None => {
                        assert_eq!(result, Err(SignalError::WrongState { state: before, event: kind }));
                        assert_eq!(call.state(), before, "a refused event changes nothing");
                    }
                }
            }
        }
    }

    #[test]
    fn non_participants_are_refused_in_every_state() {
        for state in STATES.into_iter().skip(1) {
            for kind in EventKind::ALL {
                let mut call = at(state);
                let before = call.record().copied();
                let result = call.handle(from_outsider(kind));
                if kind == EventKind::Tick {
                    assert!(result.is_ok());
                } else {
                    assert_eq!(result, Err(SignalError::NotParticipant), "{kind:?} in {state:?}");
                }
                assert_eq!(call.state(), state);
                assert_eq!(call.record().copied(), before);
            }
        }
        // An invitation between two other people never reaches into this call.
        let mut call = at(CallState::Ringing);
        assert_eq!(
            call.handle(Event::Invite { call: OTHER_CALL, from: A, to: OUTSIDER, at: 5 }),
            Err(SignalError::NotParticipant)
        );
    }

    #[test]
    fn each_move_belongs_to_one_side() {
        let mut call = at(CallState::Inviting);
        for event in
            [Event::Ringing { by: A }, Event::Accept { by: A, at: 5 }, Event::Decline { by: A, at: 5, reason: None }]
        {
            let kind = event.kind();
            assert_eq!(call.handle(event), Err(SignalError::WrongParty { event: kind }));
        }
        assert_eq!(call.state(), CallState::Inviting);
    }

    #[test]
    fn an_invitation_rings_the_callee_and_is_recorded_first() {
        let mut call = Call::new();
        let effects = ok(&mut call, Event::Invite { call: CALL, from: A, to: B, at: 500 });
        let Effect::Record(r) = effects[0] else { panic!("the record comes first: {effects:?}") };
        assert_eq!((r.id, r.caller, r.callee, r.invited_at, r.ended_at), (CALL, A, B, 500, None));
        assert!(relays(&effects).contains(&(B, &ServerSignal::CallInvite { call: CALL, from: A, to: B })));
        assert_eq!(sent_state(&effects, A), Some((CallState::Inviting, true)));
        assert_eq!(sent_state(&effects, B), Some((CallState::Inviting, false)));
        assert_eq!(call.id(), Some(CALL));
        assert_eq!(call.deadline(), Some(500 + RING_TIMEOUT_MS));

        let effects = ok(&mut call, Event::Ringing { by: B });
        assert!(relays(&effects).contains(&(A, &ServerSignal::CallRinging { call: CALL, by: B })));
        // A second device ringing changes nothing.
        assert!(ok(&mut call, Event::Ringing { by: B }).is_empty());

        let effects = ok(&mut call, Event::Accept { by: B, at: 4_000 });
        assert!(relays(&effects).contains(&(A, &ServerSignal::CallAccept { call: CALL, by: B })));
        assert_eq!(records(&effects)[0].answered_at, Some(4_000));
        assert_eq!(call.deadline(), Some(4_000 + CONNECT_TIMEOUT_MS));
    }

    #[test]
    fn calling_oneself_is_malformed() {
        let mut call = Call::new();
        assert!(matches!(
            call.handle(Event::Invite { call: CALL, from: A, to: A, at: 0 }),
            Err(SignalError::Malformed(_))
        ));
        assert_eq!(call.state(), CallState::Idle);
    }

    #[test]
    fn a_resent_invitation_gets_the_same_reply_and_no_second_call() {
        for state in [CallState::Inviting, CallState::Ringing, CallState::Connecting, CallState::InCall] {
            let mut call = at(state);
            let record = call.record().copied();
            let effects = ok(&mut call, Event::Invite { call: CALL, from: A, to: B, at: 99 });
            assert_eq!(effects.len(), 1, "{effects:?}");
            assert_eq!(sent_state(&effects, A).map(|s| s.0), Some(state));
            assert_eq!(call.record().copied(), record);
        }
        let mut call = at(ENDED);
        assert!(matches!(
            call.handle(Event::Invite { call: CALL, from: A, to: B, at: 99 }),
            Err(SignalError::WrongState { .. })
        ));
    }

    /// Both invite each other; `first` arrives at the server first.
    fn crossed(first: (Uuid, Uuid, Uuid), second: (Uuid, Uuid, Uuid)) -> (Call, Vec<Effect>) {
        let mut call = Call::new();
        ok(&mut call, Event::Invite { call: first.0, from: first.1, to: first.2, at: 100 });
        let effects = ok(&mut call, Event::Invite { call: second.0, from: second.1, to: second.2, at: 150 });
        (call, effects)
    }

    #[test]
    fn glare_makes_one_call_whatever_the_order() {
        // A (lower id) is polite, so B's invitation wins.
        let a_calls = (CALL, A, B);
        let b_calls = (OTHER_CALL, B, A);
        let (one, fx1) = crossed(a_calls, b_calls);
        let (two, fx2) = crossed(b_calls, a_calls);
        for (call, effects) in [(&one, &fx1), (&two, &fx2)] {
            assert_eq!(call.state(), CallState::Connecting);
            assert_eq!(call.id(), Some(OTHER_CALL));
            let r = call.record().unwrap();
            assert_eq!((r.caller, r.callee, r.replaces, r.answered_at), (B, A, Some(CALL), Some(150)));
            assert!(call.polite(A) && !call.polite(B) && !call.polite(OUTSIDER));
            assert_eq!(records(effects)[0], *r);
            // The winner's sender is told it was accepted (send the offer); both get the state,
            // each with its own role.
            assert!(relays(effects).contains(&(B, &ServerSignal::CallAccept { call: OTHER_CALL, by: A })));
            assert_eq!(sent_state(effects, A), Some((CallState::Connecting, true)));
            assert_eq!(sent_state(effects, B), Some((CallState::Connecting, false)));
            let replaced = relays(effects).iter().all(|(_, m)| match m {
                ServerSignal::CallState { call, replaces, .. } => *call == OTHER_CALL && *replaces == Some(CALL),
                _ => true,
            });
            assert!(replaced, "{effects:?}");
        }
        assert_eq!(one.record(), two.record());

        // The polite peer resending its merged invitation gets the merged call's state.
        let mut call = one;
        let effects = ok(&mut call, Event::Invite { call: CALL, from: A, to: B, at: 200 });
        assert_eq!(sent_state(&effects, A), Some((CallState::Connecting, true)));
        // The call proceeds as any other.
        ok(&mut call, Event::Offer { from: B, sdp: SDP.into() });
        ok(&mut call, Event::Answer { from: A, sdp: SDP.into() });
        ok(&mut call, Event::Connected { by: A, at: 900 });
        assert_eq!(call.state(), CallState::InCall);
    }

    #[test]
    fn glare_after_an_answer_is_refused() {
        let mut call = at(CallState::Connecting);
        assert_eq!(
            call.handle(Event::Invite { call: OTHER_CALL, from: B, to: A, at: 5 }),
            Err(SignalError::WrongState { state: CallState::Connecting, event: EventKind::Invite })
        );
    }

    #[test]
    fn hang_up_in_every_state() {
        let cases = [
            (CallState::Inviting, A, EndReason::Cancelled, true),
            (CallState::Ringing, A, EndReason::Cancelled, true),
            (CallState::Inviting, B, EndReason::Declined, false),
            (CallState::Ringing, B, EndReason::Declined, false),
            (CallState::Connecting, B, EndReason::HungUp { by: B }, false),
            (CallState::InCall, A, EndReason::HungUp { by: A }, false),
            (CallState::InCall, B, EndReason::HungUp { by: B }, false),
        ];
        for (state, by, reason, missed) in cases {
            let mut call = at(state);
            let effects = ok(&mut call, Event::HangUp { by, at: 5_000 });
            assert_eq!(call.state(), CallState::Ended { reason }, "{state:?} by {by}");
            let r = records(&effects)[0];
            assert_eq!((r.ended_at, r.end_reason), (Some(5_000), Some(reason)));
            let peer = if by == A { B } else { A };
            assert!(relays(&effects).contains(&(peer, &ServerSignal::CallHangup { call: CALL, by })));
            assert_eq!(sent_state(&effects, A).map(|s| s.0), Some(CallState::Ended { reason }));
            assert_eq!(sent_state(&effects, B).map(|s| s.0), Some(CallState::Ended { reason }));
            let notified = effects.iter().any(|e| matches!(e, Effect::NotifyMissed { to: B, from: A, .. }));
            assert_eq!(notified, missed, "{state:?} by {by}");
            assert_eq!(call.deadline(), None);
        }
        for state in [CallState::Idle, ENDED] {
            let mut call = at(state);
            assert_eq!(
                call.handle(Event::HangUp { by: B, at: 9_000 }),
                Err(SignalError::WrongState { state, event: EventKind::HangUp })
            );
        }
    }

    #[test]
    fn decline_and_busy() {
        let mut call = at(CallState::Ringing);
        let effects = ok(&mut call, Event::Decline { by: B, at: 3_000, reason: None });
        assert_eq!(call.state(), CallState::Ended { reason: EndReason::Declined });
        assert!(
            relays(&effects)
                .contains(&(A, &ServerSignal::CallDecline { call: CALL, by: B, reason: DeclineReason::Declined }))
        );
        assert!(!effects.iter().any(|e| matches!(e, Effect::NotifyMissed { .. })));

        let mut call = at(CallState::Inviting);
        let effects = ok(&mut call, Event::Decline { by: B, at: 300, reason: Some(DeclineReason::Busy) });
        assert_eq!(call.state(), CallState::Ended { reason: EndReason::Busy });
        assert!(effects.contains(&Effect::NotifyMissed { to: B, from: A, call: CALL, at: 300 }));
    }

    #[test]
    fn unanswered_call_is_missed_after_the_ring_timeout() {
        for state in [CallState::Inviting, CallState::Ringing] {
            let mut call = at(state);
            assert!(ok(&mut call, Event::Tick { at: RING_TIMEOUT_MS - 1 }).is_empty());
            assert_eq!(call.state(), state);
            let effects = ok(&mut call, Event::Tick { at: RING_TIMEOUT_MS });
            assert_eq!(call.state(), CallState::Ended { reason: EndReason::Missed });
            assert_eq!(records(&effects)[0].ended_at, Some(RING_TIMEOUT_MS));
            assert_eq!(records(&effects)[0].duration_ms(), None);
            assert_eq!(sent_state(&effects, A).map(|s| s.0), Some(CallState::Ended { reason: EndReason::Missed }));
            assert_eq!(effects.last(), Some(&Effect::NotifyMissed { to: B, from: A, call: CALL, at: RING_TIMEOUT_MS }));
            // Later ticks and a late answer change nothing.
            assert!(ok(&mut call, Event::Tick { at: RING_TIMEOUT_MS * 2 }).is_empty());
            assert!(matches!(call.handle(Event::Accept { by: B, at: 50_000 }), Err(SignalError::WrongState { .. })));
        }
    }

    #[test]
    fn answered_call_fails_after_the_connect_timeout() {
        // Answered late, so the ring deadline passes while connecting: it no longer applies.
        let mut call = at(CallState::Ringing);
        ok(&mut call, Event::Accept { by: B, at: 40_000 });
        assert!(ok(&mut call, Event::Tick { at: RING_TIMEOUT_MS }).is_empty());
        assert_eq!(call.state(), CallState::Connecting);
        let due = 40_000 + CONNECT_TIMEOUT_MS;
        assert_eq!(call.deadline(), Some(due));
        assert!(ok(&mut call, Event::Tick { at: due - 1 }).is_empty());
        let effects = ok(&mut call, Event::Tick { at: due });
        assert_eq!(call.state(), CallState::Ended { reason: EndReason::Failed });
        assert_eq!(records(&effects)[0].end_reason, Some(EndReason::Failed));
        assert!(!effects.iter().any(|e| matches!(e, Effect::NotifyMissed { .. })));

        // A call in progress has no timeout: the clients hang up when media stops.
        let mut call = at(CallState::InCall);
        assert_eq!(call.deadline(), None);
        assert!(ok(&mut call, Event::Tick { at: u64::MAX }).is_empty());
        assert_eq!(call.state(), CallState::InCall);
    }

    #[test]
    fn limits_can_be_tuned() {
        let mut call =
            Call::with_limits(Limits { ring_timeout_ms: 10, connect_timeout_ms: 5, max_candidates_per_side: 1 });
        ok(&mut call, Event::Invite { call: CALL, from: A, to: B, at: 0 });
        ok(&mut call, Event::Tick { at: 10 });
        assert_eq!(call.state(), CallState::Ended { reason: EndReason::Missed });
    }

    #[test]
    fn sdp_and_candidates_reach_only_the_other_participant() {
        let mut call = at(CallState::Connecting);
        // Candidates before any description are relayed: the client queues them.
        let effects = ok(&mut call, Event::Candidate { from: B, candidate: host() });
        assert_eq!(
            effects,
            vec![Effect::Relay {
                to: A,
                message: ServerSignal::IceCandidate { call: CALL, from: B, candidate: host() }
            }]
        );
        let effects = ok(&mut call, Event::Offer { from: A, sdp: SDP.into() });
        assert_eq!(
            effects,
            vec![Effect::Relay { to: B, message: ServerSignal::SdpOffer { call: CALL, from: A, sdp: SDP.into() } }]
        );
        let effects = ok(&mut call, Event::Answer { from: B, sdp: SDP.into() });
        assert_eq!(relays(&effects), vec![(A, &ServerSignal::SdpAnswer { call: CALL, from: B, sdp: SDP.into() })]);
        // End of candidates.
        ok(&mut call, Event::Candidate { from: A, candidate: cand("") });
        // Renegotiation in the call, either way round.
        let mut call = at(CallState::InCall);
        ok(&mut call, Event::Offer { from: B, sdp: SDP.into() });
        ok(&mut call, Event::Answer { from: A, sdp: SDP.into() });
    }

    #[test]
    fn malformed_sdp_and_candidates_are_refused() {
        let mut call = at(CallState::Connecting);
        let big = format!("v=0\r\n{}", "a=x\r\n".repeat(MAX_SDP_BYTES / 5));
        assert!(big.len() > MAX_SDP_BYTES);
        for sdp in ["", "o=- 1 2 IN IP4 0.0.0.0\r\nv=0\r\n", "v=1\r\n", "v=00\r\n", big.as_str()] {
            for event in [Event::Offer { from: A, sdp: sdp.into() }, Event::Answer { from: B, sdp: sdp.into() }] {
                assert!(matches!(call.handle(event), Err(SignalError::Malformed(_))), "{:.20}", sdp);
            }
        }
        let fits = format!("v=0\n{}", "a".repeat(MAX_SDP_BYTES - 4));
        assert_eq!(fits.len(), MAX_SDP_BYTES);
        assert!(validate_sdp(&fits).is_ok());

        let long = cand(&format!("candidate:{}", "1".repeat(MAX_CANDIDATE_BYTES)));
        let mid = IceCandidate { sdp_mid: Some("m".repeat(MAX_SDP_MID_BYTES + 1)), ..host() };
        for c in [cand("a=candidate:1 1 udp"), cand(" "), long, mid] {
            assert!(matches!(call.handle(Event::Candidate { from: A, candidate: c }), Err(SignalError::Malformed(_))));
        }
        assert_eq!(call.state(), CallState::Connecting);
        let e = SignalError::Malformed("x");
        assert_eq!(e.code(), CallErrorCode::Invalid);
    }

    #[test]
    fn candidate_flood_is_capped_per_side() {
        let mut call = at(CallState::Connecting);
        for _ in 0..MAX_CANDIDATES_PER_SIDE {
            ok(&mut call, Event::Candidate { from: A, candidate: host() });
        }
        let limit = MAX_CANDIDATES_PER_SIDE;
        assert_eq!(
            call.handle(Event::Candidate { from: A, candidate: host() }),
            Err(SignalError::TooManyCandidates { limit })
        );
        // The cap lasts for the call, not the state.
        ok(&mut call, Event::Connected { by: B, at: 2_000 });
        assert_eq!(
            call.handle(Event::Candidate { from: A, candidate: cand("") }),
            Err(SignalError::TooManyCandidates { limit })
        );
        // The other side has its own allowance.
        ok(&mut call, Event::Candidate { from: B, candidate: host() });
        // Refused candidates were neither counted nor relayed.
        assert_eq!(call.candidates, [limit, 1]);
    }

    #[test]
    fn the_record_follows_the_call() {
        let mut call = at(CallState::Connecting);
        assert_eq!(call.record().unwrap().started_at, None);

        let effects = ok(&mut call, Event::Connected { by: B, at: 2_500 });
        let r = records(&effects)[0];
        assert_eq!((r.started_at, r.callee_joined_at, r.caller_joined_at), (Some(2_500), Some(2_500), None));
        assert_eq!(r.duration_ms(), None);
        assert_eq!(sent_state(&effects, A).map(|s| s.0), Some(CallState::InCall));

        // The other side joining is recorded without a change of state; repeats are no-ops.
        let effects = ok(&mut call, Event::Connected { by: A, at: 2_600 });
        assert_eq!(effects, vec![Effect::Record(CallRecord { caller_joined_at: Some(2_600), ..r })]);
        assert!(ok(&mut call, Event::Connected { by: A, at: 2_700 }).is_empty());

        let effects = ok(&mut call, Event::HangUp { by: B, at: 62_500 });
        let r = records(&effects)[0];
        assert_eq!(r.ended_at, Some(62_500));
        assert_eq!(r.end_reason, Some(EndReason::HungUp { by: B }));
        assert_eq!(r.duration_ms(), Some(60_000));
        assert_eq!(
            (r.invited_at, r.answered_at, r.started_at, r.caller_joined_at, r.callee_joined_at),
            (0, Some(1_000), Some(2_500), Some(2_600), Some(2_500))
        );
        assert_eq!(call.record(), Some(&r));
        // Nothing more can be said about an ended call.
        for kind in EventKind::ALL.into_iter().filter(|k| *k != EventKind::Tick) {
            assert!(matches!(call.handle(sample(kind)), Err(SignalError::WrongState { .. })), "{kind:?}");
        }
        assert_eq!(call.record(), Some(&r));
    }

    #[test]
    fn errors_name_the_event_and_state() {
        let e = SignalError::WrongState { state: CallState::Ringing, event: EventKind::Offer };
        assert_eq!(e.to_string(), "`sdp_offer` is not allowed while the call is ringing");
        assert_eq!(e.code(), CallErrorCode::WrongState);
        assert_eq!(SignalError::WrongParty { event: EventKind::Accept }.code(), CallErrorCode::Forbidden);
        assert_eq!(SignalError::NotParticipant.code(), CallErrorCode::NotParticipant);
        assert_eq!(SignalError::TooManyCandidates { limit: 200 }.to_string(), "at most 200 ICE candidates per call");
        assert_eq!(Call::default().peer_of(A), None);
        assert_eq!(at(CallState::Ringing).peer_of(B), Some(A));
    }
}

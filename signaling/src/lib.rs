//! Kindred's signaling core: the state machine of 1:1 video calls and the frames the server relays
//! between the two people of a call. Pure code, no I/O, no clock: the server's gateway decodes a
//! client's frame, turns it into an [`Event`] stamped with the time, feeds it to the call's
//! [`Call`], and carries out the [`Effect`]s (store the record, relay frames over the bus, send a
//! missed-call notification). Keeping the rules here, away from sockets and the database, is what
//! lets every state and every event be tested exhaustively. Group events (the SFU) are not here
//! yet.

pub mod call;
pub mod messages;

pub use call::{
    CONNECT_TIMEOUT_MS, Call, CallRecord, CallState, Effect, EndReason, Event, EventKind, Limits, MAX_CANDIDATE_BYTES,
    MAX_CANDIDATES_PER_SIDE, MAX_SDP_BYTES, RING_TIMEOUT_MS, SignalError, validate_candidate, validate_sdp,
};
pub use messages::{CallErrorCode, ClientSignal, DeclineReason, IceCandidate, ServerSignal};

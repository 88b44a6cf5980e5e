//! The chat protocol's frames and their codec: pure code, no I/O. Version 1, JSON text frames,
//! each an object with a `type`. Decoding validates every limit, so the rest of the gateway only
//! sees well-formed requests; see `docs/protocol.md` for the reference.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::bus::PresenceState;
use crate::domain::notify::Notice;
use crate::wire::{ChannelView, Event};

pub const PROTOCOL_VERSION: u32 = 1;
/// Largest frame a client may send, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;
/// Longest client id.
pub const MAX_CLIENT_ID: usize = 64;
/// Most channels a `hello` may name.
pub const MAX_RESUME_CHANNELS: usize = 10_000;

/// Close codes (RFC 6455 leaves 4000–4999 to applications).
pub mod close {
    /// The first frame was not a valid `hello`, or the protocol version is not supported.
    pub const BAD_HELLO: u16 = 4000;
    /// The session ended (signed out elsewhere, or revoked).
    pub const UNAUTHENTICATED: u16 = 4001;
    /// Nothing was received for too long.
    pub const IDLE: u16 = 4003;
    /// The client could not keep up with its messages: reconnect and resume.
    pub const SLOW_CONSUMER: u16 = 4010;
    /// The node is restarting: reconnect (to any node) and resume.
    pub const RESTARTING: u16 = 4012;
    /// A frame larger than the limit (standard code).
    pub const TOO_BIG: u16 = 1009;
    /// The server could not load or catch up the connection (standard code): reconnect.
    pub const INTERNAL: u16 = 1011;
}

/// Frames a client sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// A call frame (`call_invite`, `sdp_offer`, …): decoded by the signaling crate's own types.
    #[serde(skip)]
    Signal(kindred_signaling::ClientSignal),
    /// A live room frame (`room_join`, `room_publish`, …).
    #[serde(skip)]
    Room(crate::live::protocol::RoomFrame),
    /// Must be first. `last_seq` names, per channel, the last sequence number the client has.
    Hello {
        v: u32,
        #[serde(default)]
        last_seq: HashMap<Uuid, i64>,
    },
    Send {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        channel: Uuid,
        client_id: String,
        body: String,
    },
    Edit {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        channel: Uuid,
        client_id: String,
        /// Sequence number of the message to edit.
        target: i64,
        body: String,
    },
    Delete {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        channel: Uuid,
        client_id: String,
        target: i64,
    },
    /// Everything up to `seq` has been read.
    Read {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        channel: Uuid,
        seq: i64,
    },
    Typing {
        channel: Uuid,
    },
    Presence {
        state: ClientPresence,
    },
    /// Asks again for everything after `after` in one channel (after a detected gap).
    Sync {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        channel: Uuid,
        after: i64,
    },
    Ping {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientPresence {
    Online,
    Away,
}

impl From<ClientPresence> for PresenceState {
    fn from(p: ClientPresence) -> Self {
        match p {
            ClientPresence::Online => PresenceState::Online,
            ClientPresence::Away => PresenceState::Away,
        }
    }
}

/// Error codes of `error` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or a field of the wrong type or missing.
    BadFrame,
    /// A `type` this version does not know.
    UnknownType,
    /// Binary frames are not part of the protocol.
    BinaryNotSupported,
    /// A value outside its limits (empty or too long body, bad client id…).
    Invalid,
    /// Not a member of the channel (or it does not exist).
    NotMember,
    /// A member who may not post here (announcement channels).
    ReadOnly,
    /// Editing or deleting someone else's message.
    Forbidden,
    /// No such message.
    NotFound,
    /// The message was deleted.
    Conflict,
    /// A sequence number beyond the channel's last.
    SeqFromFuture,
    /// Sending faster than the per-person limit.
    RateLimited,
    /// The channel's program has a code of conduct its member has not accepted yet.
    ConductRequired,
    /// A coordinator muted the sender in this program's group channels for a while.
    Muted,
    /// The channel is in slow mode and the sender posted there less than its interval ago.
    SlowMode,
    /// `hello` sent twice, or another frame before `hello`.
    OutOfOrder,
    /// The server could not complete the request; retry with the same client id.
    Internal,
}

/// Frames the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    Welcome {
        v: u32,
        user_id: Uuid,
        /// Server heartbeat interval; a client that hears nothing for three of these reconnects.
        heartbeat_ms: u64,
        /// The first page of the person's channels, most recently active first.
        channels: &'a [ChannelView],
        /// `cursor` for `GET /api/channels` to read the next page; null when `channels` is all.
        channels_next: Option<Uuid>,
        /// Presence of everyone sharing a channel with the user.
        presence: &'a HashMap<Uuid, PresenceState>,
    },
    /// One event of a channel's log (a new message, an edit or a delete).
    Event {
        #[serde(flatten)]
        event: Event,
        /// For edits and deletes: the changed message's new state.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<Event>,
    },
    /// Everything missed since the `hello` positions has been sent.
    CaughtUp {
        last_seq: &'a HashMap<Uuid, i64>,
    },
    /// Reply to `sync`: everything after `after` up to `last_seq` has been sent.
    Synced {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        channel: Uuid,
        last_seq: i64,
    },
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        channel: Uuid,
        client_id: &'a str,
        seq: i64,
        id: Uuid,
        /// False when this client id had already been stored (a retry): same answer, no new message.
        created: bool,
    },
    /// A member's read position moved.
    Read {
        channel: Uuid,
        user_id: Uuid,
        seq: i64,
    },
    /// To the reader's own connections: their unread count in a channel.
    Unread {
        channel: Uuid,
        last_read_seq: i64,
        unread: i64,
    },
    Typing {
        channel: Uuid,
        user_id: Uuid,
    },
    Presence {
        user_id: Uuid,
        state: PresenceState,
    },
    /// The person joined a channel (a new match, a new group).
    ChannelAdded {
        channel: ChannelView,
    },
    /// A match of the person's was proposed or changed (docs/matching.md).
    Match {
        r#match: crate::wire::matching::Match,
    },
    /// A scheduled meeting of the person's was proposed or changed, or (`reminder`) starts soon.
    Meeting {
        meeting: crate::wire::Meeting,
        reminder: bool,
    },
    /// A group event the person is going to, speaks at or hosts changed, or (`reminder`) starts soon.
    GroupEvent {
        event: crate::wire::events::GroupEvent,
        reminder: bool,
    },
    /// A survey waits for the person's answers (`reminder`: still, after two days).
    Survey {
        survey: crate::wire::program_data::SurveyInvitation,
        reminder: bool,
    },
    /// To a program's coordinators: a pair was flagged as at risk (docs/program-data.md).
    Alert {
        alert: crate::wire::program_data::Alert,
    },
    /// To a program's members (not its coordinators): its code of conduct has a new version,
    /// to accept before posting, calling or joining events there (`GET /api/me/conduct`).
    Conduct {
        program_id: Uuid,
        version: i32,
    },
    /// A coordinator took the person out of a channel: drop it from the list.
    ChannelRemoved {
        channel: Uuid,
    },
    /// A channel's settings changed (locked or unlocked by a coordinator): read it again with
    /// `GET /api/channels/{id}` (its `locked` and the reader's `can_post`).
    ChannelChanged {
        channel: Uuid,
    },
    /// To the person who blocked someone (or lifted a block), on all their connections: hide
    /// (or show again) that person's messages in shared channels. Never sent to the other.
    Block {
        user_id: Uuid,
        blocked: bool,
    },
    /// To a program's coordinators: a new report in the queue (`repeat`: the person was reported
    /// before by someone else, or often). To its reporter: their report was reviewed.
    Report {
        program_id: Uuid,
        report_id: Uuid,
        status: &'static str,
        repeat: bool,
    },
    /// Live delivery may have missed events: send `sync` for every channel.
    Resync {},
    Pong {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        code: ErrorCode,
        message: &'a str,
    },
}

impl ServerFrame<'_> {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialize")
    }
}

/// How a domain notice looks on the wire: the [`crate::domain::notify::Encoder`] the composition
/// root hands the notifier.
pub fn encode_notice(notice: &Notice<'_>) -> String {
    match *notice {
        Notice::ChannelEvent { event, message } => {
            ServerFrame::Event { event: event.into(), message: message.map(Event::from) }
        }
        Notice::ChannelAdded { channel } => ServerFrame::ChannelAdded { channel: channel.into() },
        Notice::Read { channel, user, seq } => ServerFrame::Read { channel, user_id: user, seq },
        Notice::Unread { channel, last_read_seq, unread } => ServerFrame::Unread { channel, last_read_seq, unread },
        Notice::Typing { channel, user } => ServerFrame::Typing { channel, user_id: user },
        Notice::Match { r#match } => ServerFrame::Match { r#match: r#match.clone().into() },
        Notice::Meeting { meeting, reminder } => ServerFrame::Meeting { meeting: meeting.into(), reminder },
        Notice::GroupEvent { event, reminder } => ServerFrame::GroupEvent { event: event.clone().into(), reminder },
        Notice::Survey { survey, reminder } => ServerFrame::Survey { survey: survey.clone().into(), reminder },
        Notice::Alert { alert } => ServerFrame::Alert { alert: alert.clone().into() },
        Notice::Block { user, blocked } => ServerFrame::Block { user_id: user, blocked },
        Notice::ChannelChanged { channel } => ServerFrame::ChannelChanged { channel },
        Notice::ChannelRemoved { channel } => ServerFrame::ChannelRemoved { channel },
        Notice::Conduct { program, version } => ServerFrame::Conduct { program_id: program, version },
        Notice::Report { program, report, reviewed, repeat } => ServerFrame::Report {
            program_id: program,
            report_id: report,
            status: if reviewed { "reviewed" } else { "open" },
            repeat,
        },
    }
    .encode()
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub code: ErrorCode,
    pub message: String,
    /// The frame's `ref`, when it could be read, so the error can be matched to the request.
    pub reference: Option<String>,
}

impl DecodeError {
    fn new(code: ErrorCode, message: impl Into<String>, reference: Option<String>) -> Self {
        DecodeError { code, message: message.into(), reference }
    }
}

const KNOWN_TYPES: [&str; 9] = ["hello", "send", "edit", "delete", "read", "typing", "presence", "sync", "ping"];

/// Decodes and validates one text frame.
pub fn decode(text: &str) -> Result<ClientFrame, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::new(ErrorCode::Invalid, "frame too large", None));
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| DecodeError::new(ErrorCode::BadFrame, format!("not JSON: {e}"), None))?;
    let reference = value.get("ref").and_then(|r| r.as_str()).map(|r| r.chars().take(64).collect::<String>());
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return Err(DecodeError::new(ErrorCode::BadFrame, "a frame is an object with a string `type`", reference));
    };
    if kindred_signaling::ClientSignal::TYPES.contains(&kind) {
        return serde_json::from_value(value)
            .map(ClientFrame::Signal)
            .map_err(|e| DecodeError::new(ErrorCode::BadFrame, e.to_string(), reference));
    }
    if crate::live::protocol::RoomFrame::TYPES.contains(&kind) {
        let frame: crate::live::protocol::RoomFrame = serde_json::from_value(value)
            .map_err(|e| DecodeError::new(ErrorCode::BadFrame, e.to_string(), reference.clone()))?;
        frame.validate().map_err(|m| DecodeError::new(ErrorCode::Invalid, m, reference))?;
        return Ok(ClientFrame::Room(frame));
    }
    if !KNOWN_TYPES.contains(&kind) {
        return Err(DecodeError::new(
            ErrorCode::UnknownType,
            format!("unknown frame type `{}`", truncate(kind, 40)),
            reference,
        ));
    }
    let frame: ClientFrame = serde_json::from_value(value)
        .map_err(|e| DecodeError::new(ErrorCode::BadFrame, e.to_string(), reference.clone()))?;
    validate(&frame).map_err(|m| DecodeError::new(ErrorCode::Invalid, m, reference))?;
    Ok(frame)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn valid_body(body: &str) -> Result<(), String> {
    if body.trim().is_empty() {
        return Err("a message needs some text".into());
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(format!("a message is at most {MAX_MESSAGE_CHARS} characters"));
    }
    Ok(())
}

fn validate(frame: &ClientFrame) -> Result<(), String> {
    let check_id = |id: &str| {
        if valid_client_id(id) {
            Ok(())
        } else {
            Err(format!("client_id must be 1 to {MAX_CLIENT_ID} letters, digits, - or _"))
        }
    };
    let check_ref = |r: &Option<String>| match r {
        Some(r) if r.len() > 64 => Err("ref is at most 64 bytes".to_owned()),
        _ => Ok(()),
    };
    match frame {
        ClientFrame::Hello { last_seq, .. } => {
            if last_seq.len() > MAX_RESUME_CHANNELS {
                return Err(format!("hello names at most {MAX_RESUME_CHANNELS} channels"));
            }
            if last_seq.values().any(|s| *s < 0) {
                return Err("sequence numbers are not negative".into());
            }
            Ok(())
        }
        ClientFrame::Send { reference, client_id, body, .. } => {
            check_ref(reference)?;
            check_id(client_id)?;
            valid_body(body)
        }
        ClientFrame::Edit { reference, client_id, body, target, .. } => {
            check_ref(reference)?;
            check_id(client_id)?;
            if *target < 1 {
                return Err("target is a message's sequence number".into());
            }
            valid_body(body)
        }
        ClientFrame::Delete { reference, client_id, target, .. } => {
            check_ref(reference)?;
            check_id(client_id)?;
            if *target < 1 {
                return Err("target is a message's sequence number".into());
            }
            Ok(())
        }
        ClientFrame::Read { reference, seq, .. } => {
            check_ref(reference)?;
            if *seq < 0 { Err("seq is not negative".into()) } else { Ok(()) }
        }
        ClientFrame::Sync { reference, after, .. } => {
            check_ref(reference)?;
            if *after < 0 { Err("after is not negative".into()) } else { Ok(()) }
        }
        ClientFrame::Ping { reference } => check_ref(reference),
        ClientFrame::Typing { .. } | ClientFrame::Presence { .. } | ClientFrame::Signal(_) | ClientFrame::Room(_) => {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CH: &str = "0192f0c4-6d3e-7000-8000-000000000001";

    #[test]
    fn decodes_every_frame_type() {
        let frames = [
            r#"{"type":"hello","v":1}"#.to_owned(),
            format!(r#"{{"type":"hello","v":1,"last_seq":{{"{CH}":12}}}}"#),
            format!(r#"{{"type":"send","ref":"r1","channel":"{CH}","client_id":"c-1","body":"hi"}}"#),
            format!(r#"{{"type":"edit","channel":"{CH}","client_id":"c-2","target":3,"body":"hello"}}"#),
            format!(r#"{{"type":"delete","channel":"{CH}","client_id":"c-3","target":3}}"#),
            format!(r#"{{"type":"read","channel":"{CH}","seq":4}}"#),
            format!(r#"{{"type":"typing","channel":"{CH}"}}"#),
            r#"{"type":"presence","state":"away"}"#.to_owned(),
            format!(r#"{{"type":"sync","channel":"{CH}","after":0}}"#),
            r#"{"type":"ping"}"#.to_owned(),
        ];
        for f in &frames {
            decode(f).unwrap_or_else(|e| panic!("{f}: {e:?}"));
        }
        match decode(&frames[2]).unwrap() {
            ClientFrame::Send { reference, body, .. } => {
                assert_eq!(reference.as_deref(), Some("r1"));
                assert_eq!(body, "hi");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_bad_frames_with_codes() {
        let cases: [(&str, ErrorCode); 9] = [
            ("not json", ErrorCode::BadFrame),
            ("[]", ErrorCode::BadFrame),
            (r#"{"type":7}"#, ErrorCode::BadFrame),
            (r#"{"type":"launch"}"#, ErrorCode::UnknownType),
            (r#"{"type":"send","ref":"x","channel":"nope","client_id":"a","body":"b"}"#, ErrorCode::BadFrame),
            (r#"{"type":"read","channel":"0192f0c4-6d3e-7000-8000-000000000001","seq":"4"}"#, ErrorCode::BadFrame),
            (r#"{"type":"ping","extra":1}"#, ErrorCode::BadFrame),
            (
                r#"{"type":"send","channel":"0192f0c4-6d3e-7000-8000-000000000001","client_id":"a b","body":"x"}"#,
                ErrorCode::Invalid,
            ),
            (
                r#"{"type":"send","channel":"0192f0c4-6d3e-7000-8000-000000000001","client_id":"a","body":"   "}"#,
                ErrorCode::Invalid,
            ),
        ];
        for (text, code) in cases {
            assert_eq!(decode(text).unwrap_err().code, code, "{text}");
        }
        let e = decode(r#"{"type":"send","ref":"x","channel":"nope","client_id":"a","body":"b"}"#).unwrap_err();
        assert_eq!(e.reference.as_deref(), Some("x"));
        let long = format!(
            r#"{{"type":"send","channel":"{CH}","client_id":"a","body":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_CHARS + 1)
        );
        assert_eq!(decode(&long).unwrap_err().code, ErrorCode::Invalid);
        let ok =
            format!(r#"{{"type":"send","channel":"{CH}","client_id":"a","body":"{}"}}"#, "é".repeat(MAX_MESSAGE_CHARS));
        assert!(decode(&ok).is_ok());
    }

    #[test]
    fn presence_merges_towards_online() {
        use PresenceState::*;
        assert_eq!(Offline.merge(Away), Away);
        assert_eq!(Away.merge(Online), Online);
        assert_eq!(Offline.merge(Offline), Offline);
    }

    #[test]
    fn encodes_errors_and_acks() {
        let e = ServerFrame::Error { reference: Some("r"), code: ErrorCode::NotMember, message: "no" }.encode();
        assert_eq!(e, r#"{"type":"error","ref":"r","code":"not_member","message":"no"}"#);
        let id = Uuid::nil();
        let a = ServerFrame::Ack { reference: None, channel: id, client_id: "c", seq: 3, id, created: true }.encode();
        assert!(a.starts_with(r#"{"type":"ack","channel":"#), "{a}");
    }
}

#[cfg(test)]
mod fuzz {
    //! Property test: the decoder never panics on arbitrary input, and whatever it accepts
    //! satisfies the documented limits.
    use super::*;
    use proptest::prelude::*;

    fn frame_like() -> impl Strategy<Value = String> {
        let types = prop::sample::select(vec![
            "hello", "send", "edit", "delete", "read", "typing", "presence", "sync", "ping", "x",
        ]);
        let value = prop_oneof![
            Just("1".to_owned()),
            Just("-1".to_owned()),
            Just("null".to_owned()),
            Just("\"0192f0c4-6d3e-7000-8000-000000000001\"".to_owned()),
            "\"[a-z \\-_]{0,80}\"".prop_map(|s| s),
            Just("{}".to_owned()),
            Just("[]".to_owned()),
            Just("9223372036854775807".to_owned()),
        ];
        let key = prop::sample::select(vec![
            "v",
            "ref",
            "channel",
            "client_id",
            "body",
            "target",
            "seq",
            "after",
            "state",
            "last_seq",
        ]);
        (types, prop::collection::vec((key, value), 0..7)).prop_map(|(t, fields)| {
            let mut s = format!(r#"{{"type":"{t}""#);
            for (k, v) in fields {
                s.push_str(&format!(r#","{k}":{v}"#));
            }
            s.push('}');
            s
        })
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in any::<String>()) {
            let _ = decode(&text);
        }

        #[test]
        fn accepted_frames_respect_limits(text in frame_like()) {
            if let Ok(frame) = decode(&text) {
                match frame {
                    ClientFrame::Send { client_id, body, .. } | ClientFrame::Edit { client_id, body, .. } => {
                        prop_assert!(valid_client_id(&client_id));
                        prop_assert!(!body.trim().is_empty() && body.chars().count() <= MAX_MESSAGE_CHARS);
                    }
                    ClientFrame::Read { seq, .. } => prop_assert!(seq >= 0),
                    ClientFrame::Sync { after, .. } => prop_assert!(after >= 0),
                    _ => {}
                }
            }
        }
    }
}

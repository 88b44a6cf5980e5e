//! The room frames of the WebSocket protocol (docs/protocol.md, "Group event rooms").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest SDP accepted (the frame itself is capped at 64 KiB).
pub const MAX_SDP_BYTES: usize = 60 * 1024;

/// What a publisher says each of its m-lines carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Camera,
    Microphone,
    Screen,
}

/// A client's room frame. Every one names its event and may carry `ref`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoomFrame {
    RoomJoin {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
    },
    RoomLeave {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
    },
    RoomOpen {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
    },
    RoomAdmit {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        user: Uuid,
    },
    RoomLock {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        locked: bool,
    },
    RoomEnd {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
    },
    RoomHand {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        raised: bool,
    },
    RoomStage {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        user: Uuid,
        on_stage: bool,
    },
    RoomMute {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        user: Uuid,
        muted: bool,
    },
    RoomRemove {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        user: Uuid,
    },
    RoomPublish {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        sdp: String,
        #[serde(default)]
        sources: BTreeMap<String, Source>,
    },
    RoomAnswer {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        sdp: String,
    },
}

impl RoomFrame {
    pub const TYPES: [&'static str; 12] = [
        "room_join",
        "room_leave",
        "room_open",
        "room_admit",
        "room_lock",
        "room_end",
        "room_hand",
        "room_stage",
        "room_mute",
        "room_remove",
        "room_publish",
        "room_answer",
    ];

    pub fn event(&self) -> Uuid {
        match self {
            RoomFrame::RoomJoin { event, .. }
            | RoomFrame::RoomLeave { event, .. }
            | RoomFrame::RoomOpen { event, .. }
            | RoomFrame::RoomAdmit { event, .. }
            | RoomFrame::RoomLock { event, .. }
            | RoomFrame::RoomEnd { event, .. }
            | RoomFrame::RoomHand { event, .. }
            | RoomFrame::RoomStage { event, .. }
            | RoomFrame::RoomMute { event, .. }
            | RoomFrame::RoomRemove { event, .. }
            | RoomFrame::RoomPublish { event, .. }
            | RoomFrame::RoomAnswer { event, .. } => *event,
        }
    }

    pub fn reference(&self) -> Option<&str> {
        match self {
            RoomFrame::RoomJoin { reference, .. }
            | RoomFrame::RoomLeave { reference, .. }
            | RoomFrame::RoomOpen { reference, .. }
            | RoomFrame::RoomAdmit { reference, .. }
            | RoomFrame::RoomLock { reference, .. }
            | RoomFrame::RoomEnd { reference, .. }
            | RoomFrame::RoomHand { reference, .. }
            | RoomFrame::RoomStage { reference, .. }
            | RoomFrame::RoomMute { reference, .. }
            | RoomFrame::RoomRemove { reference, .. }
            | RoomFrame::RoomPublish { reference, .. }
            | RoomFrame::RoomAnswer { reference, .. } => reference.as_deref(),
        }
    }

    /// Checks what serde cannot: SDP sizes and shapes, the sources map.
    pub fn validate(&self) -> Result<(), &'static str> {
        let sdp = match self {
            RoomFrame::RoomPublish { sdp, sources, .. } => {
                if sources.len() > 16 || sources.keys().any(|m| m.is_empty() || m.len() > 32) {
                    return Err("`sources` names at most 16 m-lines by their mid");
                }
                sdp
            }
            RoomFrame::RoomAnswer { sdp, .. } => sdp,
            _ => return Ok(()),
        };
        if sdp.is_empty() || sdp.len() > MAX_SDP_BYTES {
            return Err("`sdp` must be a session description of at most 60 KiB");
        }
        if !sdp.starts_with("v=0") {
            return Err("`sdp` is not a session description (it must start with v=0)");
        }
        Ok(())
    }
}

/// Room status as clients see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Lobby,
    Live,
    Ended,
}

/// A person's place in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomRole {
    Host,
    Speaker,
    Audience,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonView {
    pub user: Uuid,
    pub name: String,
    pub role: RoomRole,
    pub admitted: bool,
    pub hand: bool,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackView {
    pub mid: String,
    pub user: Uuid,
    pub kind: &'static str,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftReason {
    Left,
    Removed,
    Ended,
    Elsewhere,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomErrorCode {
    Forbidden,
    NotInRoom,
    NotOnStage,
    Locked,
    Removed,
    NotOpen,
    Invalid,
    Unavailable,
}

/// What the server sends about a room.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomServerFrame {
    RoomState {
        event: Uuid,
        status: Status,
        locked: bool,
        you: PersonView,
        people: Vec<PersonView>,
        #[serde(skip_serializing_if = "Option::is_none")]
        active_speaker: Option<Uuid>,
    },
    RoomPublishAnswer {
        event: Uuid,
        sdp: String,
    },
    RoomOffer {
        event: Uuid,
        sdp: String,
        tracks: Vec<TrackView>,
    },
    RoomSpeaker {
        event: Uuid,
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<Uuid>,
    },
    RoomLeft {
        event: Uuid,
        reason: LeftReason,
    },
    /// The SFU hosting the room started over (its engine restarted): join again.
    RoomReset {
        event: Uuid,
    },
    RoomError {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        event: Uuid,
        code: RoomErrorCode,
        message: String,
    },
}

impl RoomServerFrame {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("room frames always serialise")
    }

    pub fn error(reference: Option<&str>, event: Uuid, code: RoomErrorCode, message: impl Into<String>) -> Self {
        RoomServerFrame::RoomError { reference: reference.map(str::to_owned), event, code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_decode_and_are_checked() {
        let event = Uuid::now_v7();
        let f: RoomFrame =
            serde_json::from_str(&format!(r#"{{"type":"room_join","event":"{event}","ref":"a"}}"#)).unwrap();
        assert_eq!(f.event(), event);
        assert_eq!(f.reference(), Some("a"));
        let bad = format!(r#"{{"type":"room_join","event":"{event}","extra":1}}"#);
        assert!(serde_json::from_str::<RoomFrame>(&bad).is_err(), "unknown fields are refused");
        let publish = |sdp: &str| RoomFrame::RoomPublish {
            reference: None,
            event,
            sdp: sdp.to_owned(),
            sources: BTreeMap::from([("0".to_owned(), Source::Camera)]),
        };
        assert!(publish("v=0\r\n").validate().is_ok());
        assert!(publish("").validate().is_err());
        assert!(publish("hello").validate().is_err());
        assert!(publish(&format!("v=0{}", "a".repeat(MAX_SDP_BYTES))).validate().is_err());
        let f: RoomFrame = serde_json::from_str(&format!(
            r#"{{"type":"room_publish","event":"{event}","sdp":"v=0","sources":{{"0":"screen"}}}}"#
        ))
        .unwrap();
        assert!(matches!(f, RoomFrame::RoomPublish { ref sources, .. } if sources["0"] == Source::Screen));
        assert!(RoomFrame::TYPES.iter().all(|t| t.starts_with("room_")));
    }
}

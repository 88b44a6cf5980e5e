//! The signaling frames of 1:1 calls, as they travel over the chat WebSocket (`docs/protocol.md`):
//! JSON text frames, each an object with a snake_case `type`, naming its call by a `call` UUID.
//! This module owns their serde shape and nothing else: which frame is allowed when, and who
//! receives what, is decided by the state machine in [`crate::call`]; encoding and decoding happen
//! in the server's gateway, which already owns the socket.
//!
//! A client sends [`ClientSignal`]s; the server relays [`ServerSignal`]s. After every change of a
//! call's state both people get a `call_state` frame, which is authoritative: it also reaches the
//! person's other devices, so a second phone stops ringing when the first one answers.
//!
//! ```text
//! → {"type":"call_invite","ref":"r1","call":"…a1","to":"…b2"}
//! ← {"type":"call_state","call":"…a1","caller":"…","callee":"…","state":"inviting","polite":true}
//! ← {"type":"call_accept","call":"…a1","by":"…b2"}            (the callee answered: send the offer)
//! → {"type":"sdp_offer","call":"…a1","sdp":"v=0\r\n…"}
//! ← {"type":"sdp_answer","call":"…a1","from":"…b2","sdp":"v=0\r\n…"}
//! → {"type":"ice_candidate","call":"…a1","candidate":"candidate:1 1 udp …","sdp_mid":"0","sdp_m_line_index":0}
//! → {"type":"call_connected","call":"…a1"}                     (media is flowing)
//! ← {"type":"call_state","call":"…a1",…,"state":"ended","reason":"hung_up","by":"…b2","polite":true}
//! ```

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::call::{CallState, Event, SignalError};

/// Longest `ref` a client may attach, as in the chat protocol.
pub const MAX_REF_BYTES: usize = 64;

/// Why the callee refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// The person chose not to answer.
    #[default]
    Declined,
    /// The person's client is already in a call (another 1:1 call or a group event); clients send
    /// this on their own, without asking, so the caller hears "busy" rather than "declined".
    Busy,
}

/// One ICE candidate, the fields of the browser's `RTCIceCandidateInit` that the other side needs
/// to rebuild it. An empty `candidate` is the end-of-candidates marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceCandidate {
    pub candidate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_m_line_index: Option<u16>,
}

/// Frames a client sends about a call. Every one may carry `ref`; a refusal (`call_error`) carries
/// the same `ref`. Unknown fields are refused, as in the chat protocol.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientSignal {
    /// Calls `to`. The client chooses the call id (a fresh UUID), so resending the same frame after
    /// a lost reply never starts a second call.
    CallInvite {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
        to: Uuid,
    },
    /// The callee's device is ringing (it received `call_invite`); the caller hears ring-back.
    CallRinging {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
    },
    CallAccept {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
    },
    CallDecline {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
        #[serde(default)]
        reason: Option<DeclineReason>,
    },
    /// Ends the call: before an answer the caller cancels it (the callee declines it); after, either
    /// hangs up.
    CallHangup {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
    },
    SdpOffer {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
        sdp: String,
    },
    SdpAnswer {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
        sdp: String,
    },
    // Spelled out rather than a flattened `IceCandidate`: serde cannot refuse unknown fields
    // through `flatten`.
    IceCandidate {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
        candidate: String,
        #[serde(default)]
        sdp_mid: Option<String>,
        #[serde(default)]
        sdp_m_line_index: Option<u16>,
    },
    /// The client's peer connection reached `connected`: media is flowing. Only the client can
    /// know this, and the call's record (started, duration) depends on it.
    CallConnected {
        #[serde(default, rename = "ref")]
        reference: Option<String>,
        call: Uuid,
    },
}

impl ClientSignal {
    /// Every `type` a client may send, for the gateway's list of known frame types.
    pub const TYPES: [&'static str; 9] = [
        "call_invite",
        "call_ringing",
        "call_accept",
        "call_decline",
        "call_hangup",
        "sdp_offer",
        "sdp_answer",
        "ice_candidate",
        "call_connected",
    ];

    /// The call the frame is about, which is how the server finds the call's state.
    pub fn call(&self) -> Uuid {
        match self {
            ClientSignal::CallInvite { call, .. }
            | ClientSignal::CallRinging { call, .. }
            | ClientSignal::CallAccept { call, .. }
            | ClientSignal::CallDecline { call, .. }
            | ClientSignal::CallHangup { call, .. }
            | ClientSignal::SdpOffer { call, .. }
            | ClientSignal::SdpAnswer { call, .. }
            | ClientSignal::IceCandidate { call, .. }
            | ClientSignal::CallConnected { call, .. } => *call,
        }
    }

    pub fn reference(&self) -> Option<&str> {
        match self {
            ClientSignal::CallInvite { reference, .. }
            | ClientSignal::CallRinging { reference, .. }
            | ClientSignal::CallAccept { reference, .. }
            | ClientSignal::CallDecline { reference, .. }
            | ClientSignal::CallHangup { reference, .. }
            | ClientSignal::SdpOffer { reference, .. }
            | ClientSignal::SdpAnswer { reference, .. }
            | ClientSignal::IceCandidate { reference, .. }
            | ClientSignal::CallConnected { reference, .. } => reference.as_deref(),
        }
    }

    /// Turns the frame into the state machine's input. `sender` is the authenticated person, never
    /// a field of the frame, so nobody can act for someone else; `at` is the server's clock in
    /// milliseconds. Payloads (SDP, candidates) are validated by [`crate::Call::handle`].
    pub fn into_event(self, sender: Uuid, at: u64) -> Result<Event, SignalError> {
        if self.reference().is_some_and(|r| r.len() > MAX_REF_BYTES) {
            return Err(SignalError::Malformed("ref is at most 64 bytes"));
        }
        Ok(match self {
            ClientSignal::CallInvite { call, to, .. } => Event::Invite { call, from: sender, to, at },
            ClientSignal::CallRinging { .. } => Event::Ringing { by: sender },
            ClientSignal::CallAccept { .. } => Event::Accept { by: sender, at },
            ClientSignal::CallDecline { reason, .. } => Event::Decline { by: sender, at, reason },
            ClientSignal::CallHangup { .. } => Event::HangUp { by: sender, at },
            ClientSignal::SdpOffer { sdp, .. } => Event::Offer { from: sender, sdp },
            ClientSignal::SdpAnswer { sdp, .. } => Event::Answer { from: sender, sdp },
            ClientSignal::IceCandidate { candidate, sdp_mid, sdp_m_line_index, .. } => {
                Event::Candidate { from: sender, candidate: IceCandidate { candidate, sdp_mid, sdp_m_line_index } }
            }
            ClientSignal::CallConnected { .. } => Event::Connected { by: sender, at },
        })
    }
}

/// Frames the server sends about a call. The relayed ones name who acted (`by`, `from`) so a client
/// never has to trust the other side's claim about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerSignal {
    /// To the callee: `from` is calling. Ring, reply `call_ringing`, then accept or decline.
    CallInvite {
        call: Uuid,
        from: Uuid,
        to: Uuid,
    },
    /// To the caller: the callee's device is ringing.
    CallRinging {
        call: Uuid,
        by: Uuid,
    },
    /// To the caller: the callee answered; create the offer.
    CallAccept {
        call: Uuid,
        by: Uuid,
    },
    /// To the caller: the callee declined, or is busy.
    CallDecline {
        call: Uuid,
        by: Uuid,
        reason: DeclineReason,
    },
    /// To the other person: `by` hung up (or cancelled, or declined by hanging up).
    CallHangup {
        call: Uuid,
        by: Uuid,
    },
    SdpOffer {
        call: Uuid,
        from: Uuid,
        sdp: String,
    },
    SdpAnswer {
        call: Uuid,
        from: Uuid,
        sdp: String,
    },
    /// A candidate from `from`; it may arrive before the description it belongs to, and the client
    /// queues it until then.
    IceCandidate {
        call: Uuid,
        from: Uuid,
        #[serde(flatten)]
        candidate: IceCandidate,
    },
    /// To both people after every change of state, and to the sender of a repeated `call_invite`.
    /// `state` is one of `inviting`, `ringing`, `connecting`, `in_call`, `ended`; an ended call
    /// also has `reason` (`hung_up` with `by`, `declined`, `missed`, `cancelled`, `failed`,
    /// `busy`). `polite` is the recipient's role in perfect negotiation: the polite peer rolls
    /// back its own offer when offers collide. `replaces` names the other call id when two crossed
    /// invitations were merged into this call.
    CallState {
        call: Uuid,
        caller: Uuid,
        callee: Uuid,
        #[serde(flatten)]
        state: CallState,
        polite: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Uuid>,
    },
    /// A refused frame; the connection and the call stay as they were.
    CallError {
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        call: Uuid,
        code: CallErrorCode,
        message: String,
    },
}

impl ServerSignal {
    /// The refusal of a client's frame, with its `ref`.
    pub fn error(reference: Option<&str>, call: Uuid, error: &SignalError) -> ServerSignal {
        ServerSignal::CallError {
            reference: reference.map(str::to_owned),
            call,
            code: error.code(),
            message: error.to_string(),
        }
    }
}

/// Codes of `call_error` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallErrorCode {
    /// No such call, or the person is not one of its two people (the two are not told apart).
    NotParticipant,
    /// The frame does not fit the call's state (an answer while ringing, anything after the end).
    WrongState,
    /// The other person's move (the caller cannot accept their own call).
    Forbidden,
    /// A value outside its limits (empty or oversized SDP, a malformed candidate, calling oneself).
    Invalid,
    /// More ICE candidates than one side may send in one call.
    TooManyCandidates,
    /// The person called has no open connection (for the shell: the core cannot know).
    Offline,
    /// The server could not complete the request (for the shell; the pure core never fails so).
    Internal,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::call::EndReason;

    const CALL: Uuid = Uuid::from_u128(0x0192f0c4_6d3e_7000_8000_0000000000a1);
    const A: Uuid = Uuid::from_u128(1);
    const B: Uuid = Uuid::from_u128(2);

    fn decode(text: &str) -> Result<ClientSignal, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn decodes_every_client_frame_type() {
        let c = CALL;
        let frames = [
            format!(r#"{{"type":"call_invite","ref":"r1","call":"{c}","to":"{B}"}}"#),
            format!(r#"{{"type":"call_ringing","call":"{c}"}}"#),
            format!(r#"{{"type":"call_accept","call":"{c}"}}"#),
            format!(r#"{{"type":"call_decline","call":"{c}","reason":"busy"}}"#),
            format!(r#"{{"type":"call_hangup","call":"{c}"}}"#),
            format!(r#"{{"type":"sdp_offer","call":"{c}","sdp":"v=0\r\n"}}"#),
            format!(r#"{{"type":"sdp_answer","call":"{c}","sdp":"v=0\r\n"}}"#),
            format!(
                r#"{{"type":"ice_candidate","call":"{c}","candidate":"candidate:1","sdp_mid":"0","sdp_m_line_index":0}}"#
            ),
            format!(r#"{{"type":"call_connected","call":"{c}"}}"#),
        ];
        assert_eq!(frames.len(), ClientSignal::TYPES.len());
        for (text, ty) in frames.iter().zip(ClientSignal::TYPES) {
            assert!(text.contains(&format!(r#""type":"{ty}""#)), "{text} is not {ty}");
            let frame = decode(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(frame.call(), CALL);
        }
        assert_eq!(decode(&frames[0]).unwrap().reference(), Some("r1"));
        assert_eq!(
            decode(&frames[0]).unwrap(),
            ClientSignal::CallInvite { reference: Some("r1".into()), call: CALL, to: B }
        );
    }

    #[test]
    fn refuses_unknown_fields_types_and_bad_values() {
        let c = CALL;
        for text in [
            format!(r#"{{"type":"call_accept","call":"{c}","by":"{A}"}}"#),
            format!(r#"{{"type":"call_launch","call":"{c}"}}"#),
            r#"{"type":"call_accept","call":"nope"}"#.to_owned(),
            format!(r#"{{"type":"call_decline","call":"{c}","reason":"bored"}}"#),
            format!(r#"{{"type":"ice_candidate","call":"{c}","candidate":"candidate:1","sdp_m_line_index":-1}}"#),
            format!(r#"{{"type":"sdp_offer","call":"{c}"}}"#),
        ] {
            assert!(decode(&text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn frames_become_events_of_the_authenticated_sender() {
        let invite = ClientSignal::CallInvite { reference: None, call: CALL, to: B };
        assert_eq!(invite.into_event(A, 7).unwrap(), Event::Invite { call: CALL, from: A, to: B, at: 7 });
        let decline = decode(&format!(r#"{{"type":"call_decline","call":"{CALL}"}}"#)).unwrap();
        assert_eq!(decline.into_event(B, 9).unwrap(), Event::Decline { by: B, at: 9, reason: None });
        let cand = decode(&format!(r#"{{"type":"ice_candidate","call":"{CALL}","candidate":""}}"#)).unwrap();
        assert_eq!(
            cand.into_event(B, 0).unwrap(),
            Event::Candidate {
                from: B,
                candidate: IceCandidate { candidate: String::new(), sdp_mid: None, sdp_m_line_index: None }
            }
        );
        let long_ref = ClientSignal::CallAccept { reference: Some("r".repeat(MAX_REF_BYTES + 1)), call: CALL };
        assert!(matches!(long_ref.into_event(B, 0), Err(SignalError::Malformed(_))));
    }

    #[test]
    fn server_frames_have_snake_case_types_and_round_trip() {
        let cand = IceCandidate {
            candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host".into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
        };
        let frames = [
            (ServerSignal::CallInvite { call: CALL, from: A, to: B }, "call_invite"),
            (ServerSignal::CallRinging { call: CALL, by: B }, "call_ringing"),
            (ServerSignal::CallAccept { call: CALL, by: B }, "call_accept"),
            (ServerSignal::CallDecline { call: CALL, by: B, reason: DeclineReason::Busy }, "call_decline"),
            (ServerSignal::CallHangup { call: CALL, by: A }, "call_hangup"),
            (ServerSignal::SdpOffer { call: CALL, from: A, sdp: "v=0".into() }, "sdp_offer"),
            (ServerSignal::SdpAnswer { call: CALL, from: B, sdp: "v=0".into() }, "sdp_answer"),
            (ServerSignal::IceCandidate { call: CALL, from: A, candidate: cand }, "ice_candidate"),
            (
                ServerSignal::CallState {
                    call: CALL,
                    caller: A,
                    callee: B,
                    state: CallState::Ringing,
                    polite: true,
                    replaces: None,
                },
                "call_state",
            ),
            (ServerSignal::error(Some("r"), CALL, &SignalError::NotParticipant), "call_error"),
        ];
        for (frame, ty) in frames {
            let value = serde_json::to_value(&frame).unwrap();
            assert_eq!(value["type"], ty, "{value}");
            assert_eq!(value["call"], CALL.to_string(), "{value}");
            let back: ServerSignal = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(back, frame);
        }
    }

    #[test]
    fn exact_json_of_candidates_states_and_errors() {
        let cand = ServerSignal::IceCandidate {
            call: CALL,
            from: A,
            candidate: IceCandidate {
                candidate: "candidate:1".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
            },
        };
        assert_eq!(
            serde_json::to_value(&cand).unwrap(),
            json!({"type":"ice_candidate","call":CALL,"from":A,"candidate":"candidate:1","sdp_mid":"0","sdp_m_line_index":0})
        );

        let ended = ServerSignal::CallState {
            call: CALL,
            caller: A,
            callee: B,
            state: CallState::Ended { reason: EndReason::HungUp { by: B } },
            polite: true,
            replaces: Some(Uuid::nil()),
        };
        let value = serde_json::to_value(&ended).unwrap();
        assert_eq!(
            value,
            json!({"type":"call_state","call":CALL,"caller":A,"callee":B,"state":"ended","reason":"hung_up","by":B,"polite":true,"replaces":Uuid::nil()})
        );
        assert_eq!(serde_json::from_value::<ServerSignal>(value).unwrap(), ended);

        let missed = ServerSignal::CallState {
            call: CALL,
            caller: A,
            callee: B,
            state: CallState::Ended { reason: EndReason::Missed },
            polite: false,
            replaces: None,
        };
        let value: Value = serde_json::to_value(&missed).unwrap();
        assert_eq!(value["reason"], "missed");
        assert!(value.get("replaces").is_none() && value.get("by").is_none(), "{value}");
        let in_call = CallState::InCall;
        assert_eq!(serde_json::to_value(in_call).unwrap(), json!({"state":"in_call"}));

        let error = ServerSignal::error(
            None,
            CALL,
            &SignalError::WrongState { state: CallState::Ringing, event: crate::call::EventKind::Answer },
        );
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["code"], "wrong_state");
        assert!(value.get("ref").is_none());
        assert!(value["message"].as_str().unwrap().contains("ringing"), "{value}");
    }
}

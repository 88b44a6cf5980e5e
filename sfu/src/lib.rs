//! The SFU's forwarding core for group events, without I/O and without clocks: the shell (a
//! webrtc-rs integration) feeds it RTP packets, bandwidth estimates, picture-loss reports,
//! moderation requests and the current time, and carries out the effects it returns.
//!
//! - [`rtp`]: parsing and rewriting RTP headers (RFC 3550) and reading header extensions
//!   (RFC 8285), such as the audio level (RFC 6464).
//! - [`vp8`]: recognising VP8 keyframes, where a subscriber may start or switch layers.
//! - [`speaker`]: the active speaker from audio levels, with a hold time against flapping.
//! - [`room`]: roles, tracks, subscriptions, forwarding with per-subscriber rewriting, simulcast
//!   layer selection and rate-limited keyframe requests.
//!
//! ```
//! use std::time::Duration;
//! use kindred_sfu::{Effect, ParticipantId, Role, Room, RoomConfig, TrackSpec};
//!
//! let (host, viewer) = (ParticipantId(1), ParticipantId(2));
//! let mut room = Room::new(RoomConfig::default(), host);
//! room.join(viewer, Role::Audience).unwrap();
//! let mic = room.publish(host, TrackSpec::audio(0x1111)).unwrap();
//! let (ssrc, _) = room.subscribe(Duration::ZERO, viewer, mic).unwrap();
//!
//! // An Opus packet from the host: version 2, PT 111, seq 7, ts 960, SSRC 0x1111.
//! let mut packet = vec![0x80, 111, 0, 7, 0, 0, 3, 0xc0, 0, 0, 0x11, 0x11];
//! packet.extend_from_slice(&[0xf8, 0xff, 0xfe]);
//! let effects = room.on_rtp(Duration::from_millis(20), host, &packet).unwrap();
//! let [Effect::Forward(forward)] = effects.as_slice() else { panic!("{effects:?}") };
//! assert_eq!((forward.to, forward.ssrc), (viewer, ssrc));
//! ```

pub mod room;
pub mod rtp;
pub mod speaker;
pub mod vp8;

#[cfg(test)]
mod testutil;

pub use room::{
    Dropped, Effect, ExtensionIds, Forward, KeyframeRequest, Layer, LayerSource, ParticipantId, Role, Room, RoomConfig,
    RoomError, Stats, TrackId, TrackKind, TrackSpec,
};
pub use rtp::{AudioLevel, RtpError, RtpHeader, RtpPacket};
pub use speaker::{SpeakerConfig, SpeakerDetector};

//! VP8 keyframe detection from an RTP payload (RFC 7741 payload descriptor, then the VP8 frame
//! tag of RFC 6386 §9.1). The forwarder needs nothing else from the codec: a subscriber may only
//! start on, or switch to, a simulcast layer at a keyframe.

use std::fmt;

/// Why a VP8 payload could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vp8Error {
    /// The payload ends inside the descriptor or the frame tag.
    Truncated,
    /// The frame tag says keyframe but the keyframe start code is missing.
    BadStartCode,
}

impl fmt::Display for Vp8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vp8Error::Truncated => f.write_str("VP8 payload ends inside its descriptor or frame tag"),
            Vp8Error::BadStartCode => f.write_str("VP8 keyframe without its start code"),
        }
    }
}

impl std::error::Error for Vp8Error {}

/// True if this RTP payload is the first packet of a VP8 keyframe.
pub fn is_keyframe(payload: &[u8]) -> Result<bool, Vp8Error> {
    let first = *payload.first().ok_or(Vp8Error::Truncated)?;
    let extended = first & 0x80 != 0;
    let start_of_partition = first & 0x10 != 0;
    let partition_index = first & 0x07;
    let mut i = 1;
    if extended {
        let flags = *payload.get(i).ok_or(Vp8Error::Truncated)?;
        i += 1;
        if flags & 0x80 != 0 {
            // PictureID: 7 bits, or 15 when its M bit is set.
            let picture_id = *payload.get(i).ok_or(Vp8Error::Truncated)?;
            i += if picture_id & 0x80 != 0 { 2 } else { 1 };
        }
        if flags & 0x40 != 0 {
            i += 1; // TL0PICIDX
        }
        if flags & 0x30 != 0 {
            i += 1; // TID / Y / KEYIDX
        }
    }
    let tag = payload.get(i..).filter(|rest| !rest.is_empty()).ok_or(Vp8Error::Truncated)?;
    if !start_of_partition || partition_index != 0 {
        // Only the start of the first partition carries the frame tag.
        return Ok(false);
    }
    if tag.len() < 3 {
        return Err(Vp8Error::Truncated);
    }
    // P bit: 0 for a keyframe ("inverse key frame flag").
    if tag[0] & 0x01 != 0 {
        return Ok(false);
    }
    match tag.get(3..6) {
        Some([0x9d, 0x01, 0x2a]) => Ok(true),
        Some(_) => Err(Vp8Error::BadStartCode),
        None => Err(Vp8Error::Truncated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Rng, vp8_continuation, vp8_delta, vp8_keyframe};

    #[test]
    fn tells_keyframes_from_delta_frames() {
        assert_eq!(is_keyframe(&vp8_keyframe()), Ok(true));
        assert_eq!(is_keyframe(&vp8_delta()), Ok(false));
        assert_eq!(is_keyframe(&vp8_continuation()), Ok(false));
    }

    #[test]
    fn walks_every_optional_descriptor_field() {
        // X, then I (7-bit picture id), L, T and K all set.
        let payload = [0x90, 0xf0, 0x05, 0x07, 0x20, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a];
        assert_eq!(is_keyframe(&payload), Ok(true));
        // A keyframe tag in a packet that does not start partition 0 is not a frame start.
        let mut later = payload;
        later[0] = 0x91;
        assert_eq!(is_keyframe(&later), Ok(false));
    }

    #[test]
    fn short_or_inconsistent_payloads_are_errors() {
        assert_eq!(is_keyframe(&[]), Err(Vp8Error::Truncated));
        assert_eq!(is_keyframe(&[0x90]), Err(Vp8Error::Truncated));
        assert_eq!(is_keyframe(&[0x90, 0x80, 0x80]), Err(Vp8Error::Truncated));
        assert_eq!(is_keyframe(&[0x10, 0x50]), Err(Vp8Error::Truncated));
        assert_eq!(is_keyframe(&[0x10, 0x50, 0x02, 0x00]), Err(Vp8Error::Truncated));
        assert_eq!(is_keyframe(&[0x10, 0x50, 0x02, 0x00, 1, 2, 3]), Err(Vp8Error::BadStartCode));
    }

    #[test]
    fn random_payloads_never_panic() {
        let mut rng = Rng::new(7);
        for _ in 0..50_000 {
            let len = rng.below(16) as usize;
            let payload: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            let _ = is_keyframe(&payload);
        }
    }
}

//! RTP packets (RFC 3550): just enough parsing to route and rewrite them, and to read header
//! extensions (RFC 8285 one-byte and two-byte forms) such as the audio level (RFC 6464) and the
//! simulcast stream id (RFC 8852).
//!
//! Everything here works on borrowed bytes and checks every length first: a malformed packet is an
//! [`RtpError`], never a panic, because these bytes come straight from the network.

use std::fmt;

/// Length of the fixed RTP header.
pub const FIXED_HEADER_LEN: usize = 12;

/// The "defined by profile" value of the RFC 8285 one-byte header extension form.
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;

/// Why bytes are not an RTP packet we can forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpError {
    /// Shorter than the fixed header, or than the CSRC list it announces.
    TooShort,
    /// The version field is not 2.
    BadVersion(u8),
    /// The header extension runs past the end of the packet.
    ExtensionOverrun,
    /// An RFC 8285 extension element runs past the end of the extension block.
    BadExtensionElement,
    /// The padding count is zero or larger than what follows the header.
    BadPadding,
}

impl fmt::Display for RtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RtpError::TooShort => f.write_str("RTP packet shorter than its header"),
            RtpError::BadVersion(v) => write!(f, "RTP version {v}, expected 2"),
            RtpError::ExtensionOverrun => f.write_str("RTP header extension runs past the packet"),
            RtpError::BadExtensionElement => f.write_str("RTP header extension element runs past its block"),
            RtpError::BadPadding => f.write_str("RTP padding count does not fit the packet"),
        }
    }
}

impl std::error::Error for RtpError {}

/// The fixed header fields and where the variable parts lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub csrc_count: u8,
    /// The header extension's profile value and the byte range of its data, if the X bit is set.
    pub extension: Option<ExtensionBlock>,
    /// Payload byte range, padding excluded.
    pub payload_start: usize,
    pub payload_end: usize,
}

/// Where a header extension's data lies in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionBlock {
    pub profile: u16,
    pub start: usize,
    pub end: usize,
}

/// An RFC 6464 client-to-mixer audio level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioLevel {
    /// The sender's voice activity flag.
    pub voice: bool,
    /// Level in -dBov: 0 is the loudest, 127 silence.
    pub level: u8,
}

/// A parsed packet: the header and the bytes it came from, which it borrows.
#[derive(Debug, Clone, Copy)]
pub struct RtpPacket<'a> {
    pub header: RtpHeader,
    bytes: &'a [u8],
}

impl<'a> RtpPacket<'a> {
    /// Parses and validates `bytes`, including every RFC 8285 extension element.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RtpError> {
        if bytes.len() < FIXED_HEADER_LEN {
            return Err(RtpError::TooShort);
        }
        let version = bytes[0] >> 6;
        if version != 2 {
            return Err(RtpError::BadVersion(version));
        }
        let padding = bytes[0] & 0x20 != 0;
        let has_extension = bytes[0] & 0x10 != 0;
        let csrc_count = bytes[0] & 0x0f;
        let mut offset = FIXED_HEADER_LEN + 4 * usize::from(csrc_count);
        if offset > bytes.len() {
            return Err(RtpError::TooShort);
        }
        let extension = if has_extension {
            if offset + 4 > bytes.len() {
                return Err(RtpError::ExtensionOverrun);
            }
            let profile = be16(bytes, offset);
            let words = usize::from(be16(bytes, offset + 2));
            let start = offset + 4;
            let end = start + 4 * words;
            if end > bytes.len() {
                return Err(RtpError::ExtensionOverrun);
            }
            // Validate now so later lookups cannot meet a bad element.
            for_each_element(profile, &bytes[start..end], |_, _| true)?;
            offset = end;
            Some(ExtensionBlock { profile, start, end })
        } else {
            None
        };
        let mut payload_end = bytes.len();
        if padding {
            let count = usize::from(bytes[bytes.len() - 1]);
            if count == 0 || offset + count > bytes.len() {
                return Err(RtpError::BadPadding);
            }
            payload_end -= count;
        }
        let header = RtpHeader {
            marker: bytes[1] & 0x80 != 0,
            payload_type: bytes[1] & 0x7f,
            sequence: be16(bytes, 2),
            timestamp: be32(bytes, 4),
            ssrc: be32(bytes, 8),
            csrc_count,
            extension,
            payload_start: offset,
            payload_end,
        };
        Ok(RtpPacket { header, bytes })
    }

    /// The whole packet as received.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The payload, padding excluded.
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[self.header.payload_start..self.header.payload_end]
    }

    /// The data of the RFC 8285 extension element with this id, if the packet carries one.
    pub fn extension(&self, id: u8) -> Option<&'a [u8]> {
        let block = self.header.extension?;
        let mut found = None;
        // Validated in `parse`, so the error case cannot happen here.
        let _ = for_each_element(block.profile, &self.bytes[block.start..block.end], |element, data| {
            if element == id {
                found = Some(data);
                false
            } else {
                true
            }
        });
        found
    }

    /// The RFC 6464 audio level carried in extension element `id`, if any.
    pub fn audio_level(&self, id: u8) -> Option<AudioLevel> {
        let data = self.extension(id)?;
        let byte = *data.first()?;
        Some(AudioLevel { voice: byte & 0x80 != 0, level: byte & 0x7f })
    }
}

/// Walks the elements of an RFC 8285 extension block, calling `visit(id, data)` until it returns
/// false. Blocks of other profiles have no elements we understand, so nothing is visited.
fn for_each_element<'a>(
    profile: u16,
    data: &'a [u8],
    mut visit: impl FnMut(u8, &'a [u8]) -> bool,
) -> Result<(), RtpError> {
    let two_byte = profile & 0xfff0 == 0x1000;
    if profile != ONE_BYTE_PROFILE && !two_byte {
        return Ok(());
    }
    let mut i = 0;
    while i < data.len() {
        let first = data[i];
        if first == 0 {
            // Padding between elements.
            i += 1;
            continue;
        }
        let (id, len) = if two_byte {
            let len = *data.get(i + 1).ok_or(RtpError::BadExtensionElement)?;
            i += 2;
            (first, usize::from(len))
        } else {
            let id = first >> 4;
            if id == 15 {
                // RFC 8285 §4.2: id 15 means stop processing.
                return Ok(());
            }
            i += 1;
            (id, usize::from(first & 0x0f) + 1)
        };
        let element = data.get(i..i + len).ok_or(RtpError::BadExtensionElement)?;
        if !visit(id, element) {
            return Ok(());
        }
        i += len;
    }
    Ok(())
}

/// Overwrites the sequence number, timestamp and SSRC of an RTP packet in place.
pub fn rewrite(packet: &mut [u8], sequence: u16, timestamp: u32, ssrc: u32) -> Result<(), RtpError> {
    if packet.len() < FIXED_HEADER_LEN {
        return Err(RtpError::TooShort);
    }
    packet[2..4].copy_from_slice(&sequence.to_be_bytes());
    packet[4..8].copy_from_slice(&timestamp.to_be_bytes());
    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
    Ok(())
}

/// True if sequence number `a` comes before `b`, allowing for wrap-around (RFC 1982 style).
pub fn seq_before(a: u16, b: u16) -> bool {
    a != b && b.wrapping_sub(a) < 0x8000
}

fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Packet, Rng};

    #[test]
    fn parses_the_fixed_header() {
        let bytes =
            Packet { marker: true, pt: 96, seq: 0xabcd, ts: 0x0102_0304, ssrc: 0xdead_beef, ..Packet::default() }
                .payload(&[1, 2, 3])
                .build();
        let packet = RtpPacket::parse(&bytes).unwrap();
        let h = packet.header;
        assert!(h.marker);
        assert_eq!((h.payload_type, h.sequence, h.timestamp, h.ssrc), (96, 0xabcd, 0x0102_0304, 0xdead_beef));
        assert_eq!(h.csrc_count, 0);
        assert_eq!(h.extension, None);
        assert_eq!(packet.payload(), &[1, 2, 3]);
    }

    #[test]
    fn skips_csrcs_and_padding() {
        let mut bytes = Packet { csrcs: vec![7, 8], ..Packet::default() }.payload(&[9, 9]).build();
        // Three bytes of padding, the last one holding the count.
        bytes[0] |= 0x20;
        bytes.extend_from_slice(&[0, 0, 3]);
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.header.csrc_count, 2);
        assert_eq!(packet.header.payload_start, 12 + 8);
        assert_eq!(packet.payload(), &[9, 9]);
    }

    #[test]
    fn reads_one_byte_extensions() {
        // Audio level id 1 (voice, -42 dBov), padding byte, then id 3 with two bytes.
        let ext = [0x10, 0x80 | 42, 0x00, 0x31, 0xaa, 0xbb, 0, 0];
        let bytes =
            Packet { extension: Some((ONE_BYTE_PROFILE, ext.to_vec())), ..Packet::default() }.payload(&[5]).build();
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.audio_level(1), Some(AudioLevel { voice: true, level: 42 }));
        assert_eq!(packet.extension(3), Some(&[0xaa, 0xbb][..]));
        assert_eq!(packet.extension(2), None);
        assert_eq!(packet.payload(), &[5]);
    }

    #[test]
    fn one_byte_id_15_stops_processing() {
        let ext = [0xf0, 0x10, 0x05, 0];
        let bytes = Packet { extension: Some((ONE_BYTE_PROFILE, ext.to_vec())), ..Packet::default() }.build();
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.extension(1), None);
    }

    #[test]
    fn reads_two_byte_extensions() {
        // id 1 with an empty value (allowed in the two-byte form), id 2 with a rid "h".
        let ext = [1, 0, 2, 1, b'h', 0, 0, 0];
        let bytes = Packet { extension: Some((0x1000, ext.to_vec())), ..Packet::default() }.build();
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.extension(1), Some(&[][..]));
        assert_eq!(packet.extension(2), Some(&b"h"[..]));
        assert_eq!(packet.audio_level(1), None, "an empty element has no level");
    }

    #[test]
    fn unknown_extension_profiles_are_skipped() {
        let bytes = Packet { extension: Some((0x1234, vec![1, 2, 3, 4])), ..Packet::default() }.payload(&[6]).build();
        let packet = RtpPacket::parse(&bytes).unwrap();
        assert_eq!(packet.extension(1), None);
        assert_eq!(packet.payload(), &[6]);
    }

    #[test]
    fn refuses_malformed_packets() {
        assert_eq!(RtpPacket::parse(&[0x80; 11]).unwrap_err(), RtpError::TooShort);
        let mut bytes = Packet::default().build();
        bytes[0] = 0x40;
        assert_eq!(RtpPacket::parse(&bytes).unwrap_err(), RtpError::BadVersion(1));
        bytes[0] = 0x82; // two CSRCs announced, none there
        assert_eq!(RtpPacket::parse(&bytes).unwrap_err(), RtpError::TooShort);
        bytes[0] = 0x90; // extension announced, none there
        assert_eq!(RtpPacket::parse(&bytes).unwrap_err(), RtpError::ExtensionOverrun);
        let mut long = Packet { extension: Some((ONE_BYTE_PROFILE, vec![0x10, 1, 0, 0])), ..Packet::default() }.build();
        long[15] = 2; // claims two words of extension data, has one
        assert_eq!(RtpPacket::parse(&long).unwrap_err(), RtpError::ExtensionOverrun);
        // An element of 4 bytes in a 4-byte block whose header byte takes one.
        let bad = Packet { extension: Some((ONE_BYTE_PROFILE, vec![0x13, 1, 2, 3])), ..Packet::default() }.build();
        assert_eq!(RtpPacket::parse(&bad).unwrap_err(), RtpError::BadExtensionElement);
        let mut padded = Packet::default().payload(&[1]).build();
        padded[0] |= 0x20;
        *padded.last_mut().unwrap() = 0;
        assert_eq!(RtpPacket::parse(&padded).unwrap_err(), RtpError::BadPadding);
        *padded.last_mut().unwrap() = 2;
        assert_eq!(RtpPacket::parse(&padded).unwrap_err(), RtpError::BadPadding);
    }

    #[test]
    fn rewrite_changes_only_the_three_fields() {
        let original =
            Packet { marker: true, pt: 111, seq: 1, ts: 2, ssrc: 3, ..Packet::default() }.payload(&[4]).build();
        let mut bytes = original.clone();
        rewrite(&mut bytes, 10, 20, 30).unwrap();
        let h = RtpPacket::parse(&bytes).unwrap().header;
        assert_eq!((h.sequence, h.timestamp, h.ssrc, h.payload_type, h.marker), (10, 20, 30, 111, true));
        assert_eq!(bytes[12..], original[12..]);
        assert_eq!(rewrite(&mut [0u8; 4], 1, 1, 1), Err(RtpError::TooShort));
    }

    #[test]
    fn sequence_comparison_wraps() {
        assert!(seq_before(1, 2));
        assert!(seq_before(65535, 0));
        assert!(!seq_before(0, 65535));
        assert!(!seq_before(5, 5));
    }

    /// Random bytes and random corruptions of valid packets never panic, and whatever parses has
    /// consistent ranges.
    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng::new(0x5eed);
        let valid = Packet {
            csrcs: vec![1],
            extension: Some((ONE_BYTE_PROFILE, vec![0x10, 0x80 | 30, 0x21, b'h', 0, 0, 0, 0])),
            ..Packet::default()
        }
        .payload(&[0x90, 0x80, 0x05, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a])
        .build();
        let mut parsed = 0;
        for round in 0..100_000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = rng.below(64) as usize;
                let mut bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
                if let Some(first) = bytes.first_mut() {
                    *first = (*first & 0x3f) | 0x80; // mostly version 2, to get past the first check
                }
                bytes
            } else {
                let mut bytes = valid.clone();
                for _ in 0..=rng.below(4) {
                    let at = rng.below(bytes.len() as u64) as usize;
                    bytes[at] = rng.byte();
                }
                bytes.truncate(rng.below(bytes.len() as u64 + 1) as usize);
                bytes
            };
            if let Ok(packet) = RtpPacket::parse(&bytes) {
                parsed += 1;
                let h = packet.header;
                assert!(h.payload_start <= h.payload_end && h.payload_end <= bytes.len());
                for id in 0..16 {
                    let _ = packet.extension(id);
                    let _ = packet.audio_level(id);
                }
                let _ = crate::vp8::is_keyframe(packet.payload());
            }
        }
        assert!(parsed > 1000, "the corpus should reach past the header checks ({parsed})");
    }
}

//! Test helpers: an RTP packet builder and a tiny deterministic PRNG.

use crate::rtp::ONE_BYTE_PROFILE;

/// An RTP packet to build; the extension data is padded to whole words.
#[derive(Debug, Clone)]
pub struct Packet {
    pub marker: bool,
    pub pt: u8,
    pub seq: u16,
    pub ts: u32,
    pub ssrc: u32,
    pub csrcs: Vec<u32>,
    pub extension: Option<(u16, Vec<u8>)>,
    pub payload: Vec<u8>,
}

impl Default for Packet {
    fn default() -> Self {
        Packet {
            marker: false,
            pt: 96,
            seq: 0,
            ts: 0,
            ssrc: 1,
            csrcs: Vec::new(),
            extension: None,
            payload: Vec::new(),
        }
    }
}

impl Packet {
    pub fn payload(mut self, payload: &[u8]) -> Self {
        self.payload = payload.to_vec();
        self
    }

    /// Adds one-byte extension elements `(id, data)`.
    pub fn one_byte_extensions(mut self, elements: &[(u8, &[u8])]) -> Self {
        let mut data = Vec::new();
        for (id, value) in elements {
            data.push((id << 4) | (value.len() as u8 - 1));
            data.extend_from_slice(value);
        }
        self.extension = Some((ONE_BYTE_PROFILE, data));
        self
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(0x80 | if self.extension.is_some() { 0x10 } else { 0 } | self.csrcs.len() as u8);
        out.push(if self.marker { 0x80 } else { 0 } | self.pt);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.ts.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for csrc in &self.csrcs {
            out.extend_from_slice(&csrc.to_be_bytes());
        }
        if let Some((profile, data)) = &self.extension {
            let mut data = data.clone();
            while data.len() % 4 != 0 {
                data.push(0);
            }
            out.extend_from_slice(&profile.to_be_bytes());
            out.extend_from_slice(&((data.len() / 4) as u16).to_be_bytes());
            out.extend_from_slice(&data);
        }
        out.extend_from_slice(&self.payload);
        out
    }
}

/// VP8 payloads: a minimal descriptor (S=1, partition 0) followed by a frame tag.
pub fn vp8_keyframe() -> Vec<u8> {
    // Descriptor: X=1, S=1; I=1 with a 15-bit picture id. Then a key frame tag and start code.
    vec![0x90, 0x80, 0x80, 0x01, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]
}

pub fn vp8_delta() -> Vec<u8> {
    vec![0x10, 0x51, 0x02, 0x00, 0x11, 0x22]
}

/// A continuation packet of a frame (S=0).
pub fn vp8_continuation() -> Vec<u8> {
    vec![0x00, 0x33, 0x44, 0x55]
}

/// xorshift64*: deterministic, good enough to shake a parser.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    pub fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}

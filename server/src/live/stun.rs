//! Just enough STUN (RFC 8489) to route a connectivity check to its peer connection: all peer
//! connections share one UDP port, and the first packet from a new address is a binding request
//! whose USERNAME starts with the ICE username fragment the SFU gave that connection.

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const HEADER: usize = 20;
const USERNAME: u16 = 0x0006;

/// Whether `packet` looks like STUN (RFC 7983 demultiplexing: first byte 0–3, the magic cookie).
pub fn is_stun(packet: &[u8]) -> bool {
    packet.len() >= HEADER && packet[0] < 4 && packet[4..8] == MAGIC_COOKIE
}

/// The local ufrag of a binding request's `USERNAME` (`local:remote`), if it carries one.
pub fn local_ufrag(packet: &[u8]) -> Option<&str> {
    if !is_stun(packet) {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let body = packet.get(HEADER..HEADER + length)?;
    let mut at = 0;
    while at + 4 <= body.len() {
        let kind = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        let value = body.get(at + 4..at + 4 + len)?;
        if kind == USERNAME {
            let name = std::str::from_utf8(value).ok()?;
            return name.split(':').next();
        }
        // Attributes are padded to 4 bytes.
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding_request(attributes: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (kind, value) in attributes {
            body.extend(kind.to_be_bytes());
            body.extend((value.len() as u16).to_be_bytes());
            body.extend(*value);
            body.resize(body.len().div_ceil(4) * 4, 0);
        }
        let mut p = vec![0x00, 0x01];
        p.extend((body.len() as u16).to_be_bytes());
        p.extend(MAGIC_COOKIE);
        p.extend([7u8; 12]);
        p.extend(body);
        p
    }

    #[test]
    fn finds_the_local_ufrag() {
        let p = binding_request(&[(0x8022, b"x"), (USERNAME, b"sfuUfrag:clientUfrag"), (0x0008, &[0; 20])]);
        assert!(is_stun(&p));
        assert_eq!(local_ufrag(&p), Some("sfuUfrag"));
        assert_eq!(local_ufrag(&binding_request(&[(0x8022, b"abc")])), None);
    }

    #[test]
    fn garbage_is_not_stun_and_never_panics() {
        assert!(!is_stun(&[0x80, 0x60, 0, 1]));
        let mut p = binding_request(&[(USERNAME, b"a:b")]);
        p[3] = 200; // claims more than there is
        assert_eq!(local_ufrag(&p), None);
        let mut p = binding_request(&[(USERNAME, b"a:b")]);
        p[22] = 0xff; // attribute longer than the body
        assert_eq!(local_ufrag(&p), None);
        for n in 0..40 {
            let _ = local_ufrag(&p[..n.min(p.len())]);
        }
    }
}

//! What the SFU needs to read from a publisher's offer before its WebRTC stack has seen any
//! packet: which m-lines send, their kind, their simulcast RIDs (lowest first), their SSRC when
//! declared, and the header extension ids the room must read (audio level, RID).

/// One m-line that sends media to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingSection {
    pub mid: String,
    pub audio: bool,
    /// `a=simulcast:send` RIDs in the offer's order (the protocol says: low to high).
    pub rids: Vec<String>,
    /// The first `a=ssrc` (the media SSRC; RTX and FEC follow it).
    pub ssrc: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    pub sending: Vec<SendingSection>,
    /// Every mid in the offer, sending or not.
    pub mids: Vec<String>,
    pub audio_level: Option<u8>,
    pub rid: Option<u8>,
}

const AUDIO_LEVEL: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
const RID: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

/// Reads an offer. Only fails on what would make it unusable for us (a sending m-line with no mid).
pub fn read_offer(sdp: &str) -> Result<Offer, &'static str> {
    let mut offer = Offer::default();
    let mut sections: Vec<Vec<&str>> = Vec::new();
    for line in sdp.lines().map(str::trim_end) {
        if line.starts_with("m=") {
            sections.push(vec![line]);
        } else if let Some(section) = sections.last_mut() {
            section.push(line);
        } else if let Some(ext) = line.strip_prefix("a=extmap:") {
            extmap(&mut offer, ext);
        }
    }
    for section in sections {
        let m = section[0];
        let audio = m.starts_with("m=audio ");
        let video = m.starts_with("m=video ");
        let rejected = m.split_whitespace().nth(1) == Some("0");
        let mut mid = None;
        let mut sends = true;
        let mut rids = Vec::new();
        let mut ssrc = None;
        for line in &section[1..] {
            if let Some(v) = line.strip_prefix("a=mid:") {
                mid = Some(v.trim().to_owned());
            } else if matches!(*line, "a=recvonly" | "a=inactive") {
                sends = false;
            } else if let Some(v) = line.strip_prefix("a=simulcast:send ") {
                // `l;m;h`, where each may list alternatives (`a,b`) or be paused (`~l`).
                let list = v.split_whitespace().next().unwrap_or("");
                rids = list
                    .split(';')
                    .filter_map(|r| r.split(',').next())
                    .map(|r| r.trim_start_matches('~').to_owned())
                    .filter(|r| !r.is_empty())
                    .collect();
            } else if let Some(v) = line.strip_prefix("a=ssrc:")
                && ssrc.is_none()
            {
                ssrc = v.split_whitespace().next().and_then(|s| s.parse().ok());
            } else if let Some(ext) = line.strip_prefix("a=extmap:") {
                extmap(&mut offer, ext);
            }
        }
        if let Some(mid) = &mid {
            offer.mids.push(mid.clone());
        }
        if (audio || video) && sends && !rejected {
            let mid = mid.ok_or("every m-line that sends media needs an a=mid")?;
            offer.sending.push(SendingSection { mid, audio, rids, ssrc });
        }
    }
    Ok(offer)
}

fn extmap(offer: &mut Offer, ext: &str) {
    let mut parts = ext.split_whitespace();
    let (Some(id), Some(uri)) = (parts.next(), parts.next()) else { return };
    let Ok(id) = id.split('/').next().unwrap_or("").parse::<u8>() else { return };
    match uri {
        AUDIO_LEVEL => offer.audio_level = Some(id),
        RID => offer.rid = Some(id),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_LIKE: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n\
        a=sendonly\r\na=ssrc:1111 cname:x\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n\
        a=sendonly\r\na=rid:l send\r\na=rid:m send\r\na=rid:h send\r\na=simulcast:send l;~m;h,x\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\na=recvonly\r\n\
        m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\na=sendonly\r\n";

    #[test]
    fn reads_what_the_room_needs() {
        let offer = read_offer(CHROME_LIKE).unwrap();
        assert_eq!(offer.mids, ["0", "1", "2", "3"]);
        assert_eq!(offer.audio_level, Some(1));
        assert_eq!(offer.rid, Some(10));
        assert_eq!(
            offer.sending,
            [
                SendingSection { mid: "0".into(), audio: true, rids: vec![], ssrc: Some(1111) },
                SendingSection {
                    mid: "1".into(),
                    audio: false,
                    rids: vec!["l".into(), "m".into(), "h".into()],
                    ssrc: None
                },
            ]
        );
    }

    #[test]
    fn a_sending_line_without_mid_is_refused() {
        assert!(read_offer("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n").is_err());
        assert_eq!(read_offer("garbage").unwrap(), Offer::default());
    }
}

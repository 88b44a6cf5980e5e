//! The media side of the SFU benchmark, the same whatever the SFU: one publisher sending synthetic
//! VP8 video and Opus audio RTP, and subscribers counting what reaches them.
//!
//! Every peer is a webrtc-rs peer connection with one UDP socket bound to an explicit address (a
//! wildcard bind in webrtc-rs skips loopback), offering or answering only VP8 (payload type 96)
//! and Opus (111), with the `sdes:mid` and `ssrc-audio-level` header extensions. No RTX, FEC,
//! TWCC or REMB: the SFU forwards exactly what the publisher sends. NACK is off unless asked for
//! (`nack`), so a lost packet stays lost and shows as a gap in the sequence numbers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use rtc::interceptor::{Registry, Slot};
use rtc::peer_connection::configuration::interceptor_registry::{configure_nack, configure_rtcp_reports};
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8, MediaEngine};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RTCRtpHeaderExtensionCapability, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::{Notify, watch};
use webrtc::media_stream::MediaStreamTrack;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceGatheringState,
    RTCPeerConnectionState, RTCSessionDescription,
};
use webrtc::rtp_transceiver::RtpTransceiver;

pub const AUDIO_LEVEL_URI: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
pub const MID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";
const VP8_PT: u8 = 96;
const OPUS_PT: u8 = 111;
/// RTP payload bytes per video packet, VP8 payload descriptor included.
const VIDEO_PACKET: usize = 1100;
const FPS: u32 = 30;
const KEYFRAME_EVERY: Duration = Duration::from_secs(2);
/// At most one keyframe per this, however many PLI/FIR arrive.
const KEYFRAME_MIN_GAP: Duration = Duration::from_millis(500);
/// Opus at 32 kbit/s, one packet each 20 ms.
const OPUS_PAYLOAD: usize = 80;
const GATHERING: Duration = Duration::from_secs(10);

/// A media engine with only what the benchmark sends: Opus and VP8, mid and audio level.
fn media_engine() -> anyhow::Result<MediaEngine> {
    let mut engine = MediaEngine::default();
    engine.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: MIME_TYPE_OPUS.to_owned(),
                clock_rate: 48_000,
                channels: 2,
                sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                rtcp_feedback: vec![],
            },
            payload_type: OPUS_PT,
        },
        RtpCodecKind::Audio,
    )?;
    let feedback = |typ: &str, parameter: &str| RTCPFeedback { typ: typ.to_owned(), parameter: parameter.to_owned() };
    engine.register_codec(
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: MIME_TYPE_VP8.to_owned(),
                clock_rate: 90_000,
                channels: 0,
                sdp_fmtp_line: String::new(),
                rtcp_feedback: vec![feedback("nack", "pli"), feedback("ccm", "fir")],
            },
            payload_type: VP8_PT,
        },
        RtpCodecKind::Video,
    )?;
    let capability = |uri: &str| RTCRtpHeaderExtensionCapability { uri: uri.to_owned() };
    engine.register_header_extension(capability(MID_URI), RtpCodecKind::Audio, None)?;
    engine.register_header_extension(capability(MID_URI), RtpCodecKind::Video, None)?;
    engine.register_header_extension(capability(AUDIO_LEVEL_URI), RtpCodecKind::Audio, None)?;
    Ok(engine)
}

/// What a peer connection tells its owner.
struct Events {
    gathered: Arc<Notify>,
    state: watch::Sender<RTCPeerConnectionState>,
    /// Subscribers: where counted tracks go. `None` for the publisher.
    tracks: Option<Arc<Mutex<Vec<Arc<TrackCounter>>>>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.notify_one();
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.state.send(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let Some(tracks) = &self.tracks else { return };
        let video = track.kind().await == RtpCodecKind::Video;
        let counter = Arc::new(TrackCounter { video, ..TrackCounter::default() });
        tracks.lock().unwrap().push(counter.clone());
        tokio::spawn(count(track, counter));
    }
}

struct Peer {
    pc: Arc<dyn PeerConnection>,
    gathered: Arc<Notify>,
    state: watch::Receiver<RTCPeerConnectionState>,
}

async fn peer(
    bind_ip: &str,
    nack: bool,
    keyframe_requests: bool,
    tracks: Option<Arc<Mutex<Vec<Arc<TrackCounter>>>>>,
) -> anyhow::Result<Peer> {
    let mut engine = media_engine()?;
    // Receiver and sender reports, as browsers send them: the SFU's own statistics need them.
    let mut registry = configure_rtcp_reports(Registry::new());
    if nack {
        registry = configure_nack(registry, &mut engine);
    }
    if keyframe_requests {
        // Last in the chain, so every interceptor has seen the RTCP before it is marked.
        registry = registry.with(Slot::from(14_000usize), kindred::live::DeliverFeedback::default());
    }
    let gathered = Arc::new(Notify::new());
    let (state_tx, state) = watch::channel(RTCPeerConnectionState::New);
    let events = Events { gathered: gathered.clone(), state: state_tx, tracks };
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_handler(Arc::new(events))
        .with_udp_addrs(vec![format!("{bind_ip}:0")])
        .build()
        .await
        .context("a peer connection")?;
    Ok(Peer { pc: Arc::new(pc), gathered, state })
}

impl Peer {
    /// The local description once ICE gathering is complete, so it carries our candidates (no
    /// trickle needed).
    async fn local_sdp(&self) -> anyhow::Result<String> {
        tokio::time::timeout(GATHERING, self.gathered.notified()).await.context("ICE gathering did not complete")?;
        Ok(self.pc.local_description().await.context("no local description")?.sdp)
    }

    async fn wait_connected(&self, within: Duration) -> anyhow::Result<()> {
        let mut state = self.state.clone();
        let wait = state.wait_for(|s| {
            matches!(
                s,
                RTCPeerConnectionState::Connected | RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed
            )
        });
        let reached = *tokio::time::timeout(within, wait).await.context("not connected in time")??;
        if reached != RTCPeerConnectionState::Connected {
            bail!("the peer connection is {reached}");
        }
        Ok(())
    }
}

/// Per-track reception counters, updated by the track's reader task and summed by the stepper.
#[derive(Default)]
pub struct TrackCounter {
    pub video: bool,
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    /// Packets the sequence numbers say were sent: highest extended sequence number minus the
    /// first plus one, summed over the SSRCs the track has had. `expected - packets` is the loss.
    pub expected: AtomicU64,
}

/// Reads a remote track to its end, counting packets, bytes and sequence-number gaps.
async fn count(track: Arc<dyn TrackRemote>, counter: Arc<TrackCounter>) {
    let mut sequence = Sequence::default();
    while let Some(event) = track.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) => {
                let expected = sequence.push(packet.header.ssrc, packet.header.sequence_number);
                counter.packets.fetch_add(1, Relaxed);
                counter.bytes.fetch_add(packet.payload.len() as u64, Relaxed);
                counter.expected.store(expected, Relaxed);
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
}

/// How many packets a track's sequence numbers say were sent, as packets arrive.
#[derive(Default)]
struct Sequence {
    /// (ssrc, first extended sequence number, highest extended sequence number)
    current: Option<(u32, u64, u64)>,
    /// Expected packets of the SSRCs before the current one.
    before: u64,
}

impl Sequence {
    /// Takes one packet; returns the packets expected so far: for each SSRC the track has had,
    /// the highest extended sequence number minus the first plus one.
    fn push(&mut self, ssrc: u32, seq: u16) -> u64 {
        // A base well above zero, so that late packets of a new SSRC never underflow.
        let base = 1 << 20 | u64::from(seq);
        let (first, highest) = match self.current {
            Some((s, first, highest)) if s == ssrc => {
                // Forward distance from the highest so far, modulo 2^16: less than half the space
                // is new; anything else is late (reordered or duplicated) and changes nothing.
                let ahead = seq.wrapping_sub(highest as u16);
                (first, if ahead != 0 && ahead < 0x8000 { highest + u64::from(ahead) } else { highest })
            }
            Some((_, first, highest)) => {
                self.before += highest - first + 1;
                (base, base)
            }
            None => (base, base),
        };
        self.current = Some((ssrc, first, highest));
        self.before + highest - first + 1
    }
}

/// One subscriber: a receive-only peer connection answering the SFU's offers.
pub struct Subscriber {
    peer: Peer,
    pub tracks: Arc<Mutex<Vec<Arc<TrackCounter>>>>,
    answered: AtomicBool,
}

impl Subscriber {
    pub async fn new(bind_ip: &str, nack: bool) -> anyhow::Result<Subscriber> {
        let tracks = Arc::new(Mutex::new(Vec::new()));
        let peer = peer(bind_ip, nack, false, Some(tracks.clone())).await?;
        Ok(Subscriber { peer, tracks, answered: AtomicBool::new(false) })
    }

    /// Applies the SFU's offer (the first or a renegotiation) and returns our answer.
    pub async fn answer(&self, offer: &str) -> anyhow::Result<String> {
        let offer = RTCSessionDescription::offer(offer.to_owned()).context("the SFU's offer")?;
        self.peer.pc.set_remote_description(offer).await.context("applying the SFU's offer")?;
        let answer = self.peer.pc.create_answer(None).await.context("creating an answer")?;
        self.peer.pc.set_local_description(answer.clone()).await?;
        if self.answered.swap(true, Relaxed) {
            // Candidates were gathered the first time; a renegotiation keeps them.
            return Ok(self.peer.pc.local_description().await.map_or(answer.sdp, |d| d.sdp));
        }
        self.peer.local_sdp().await
    }

    /// Audio and video have both started arriving.
    pub fn flowing(&self) -> bool {
        let tracks = self.tracks.lock().unwrap();
        let has = |video: bool| tracks.iter().any(|t| t.video == video && t.packets.load(Relaxed) > 0);
        has(true) && has(false)
    }

    pub async fn close(&self) {
        let _ = self.peer.pc.close().await;
    }
}

/// Counters of what the publisher sent.
#[derive(Default)]
pub struct Sent {
    pub video_packets: AtomicU64,
    pub audio_packets: AtomicU64,
    pub bytes: AtomicU64,
    pub keyframes: AtomicU64,
    pub keyframe_requests: AtomicU64,
    pub write_errors: AtomicU64,
}

/// The speaker: a send-only peer connection with one VP8 and one Opus track.
pub struct Publisher {
    peer: Peer,
    video: Arc<TrackLocalStaticRTP>,
    audio: Arc<TrackLocalStaticRTP>,
    video_transceiver: Arc<dyn RtpTransceiver>,
    audio_transceiver: Arc<dyn RtpTransceiver>,
    video_ssrc: u32,
    audio_ssrc: u32,
    pub sent: Arc<Sent>,
}

fn local_track(kind: RtpCodecKind, ssrc: u32, mime: &str, clock_rate: u32, channels: u16) -> Arc<TrackLocalStaticRTP> {
    let name = if kind == RtpCodecKind::Video { "video" } else { "audio" };
    Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        "sfubench-speaker".to_owned(),
        format!("sfubench-{name}"),
        format!("sfubench-{name}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(ssrc), ..Default::default() },
            active: true,
            codec: RTCRtpCodec {
                mime_type: mime.to_owned(),
                clock_rate,
                channels,
                sdp_fmtp_line: String::new(),
                rtcp_feedback: vec![],
            },
            ..Default::default()
        }],
    )))
}

impl Publisher {
    pub async fn new(bind_ip: &str, nack: bool) -> anyhow::Result<Publisher> {
        let peer = peer(bind_ip, nack, true, None).await?;
        let clock = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let seed = clock.subsec_nanos() ^ std::process::id().rotate_left(16);
        let (video_ssrc, audio_ssrc) = (0x1000_0000 | (seed & 0x0fff_ffff), 0x2000_0000 | (seed & 0x0fff_ffff));
        let video = local_track(RtpCodecKind::Video, video_ssrc, MIME_TYPE_VP8, 90_000, 0);
        let audio = local_track(RtpCodecKind::Audio, audio_ssrc, MIME_TYPE_OPUS, 48_000, 2);
        let sendonly =
            || Some(RTCRtpTransceiverInit { direction: RTCRtpTransceiverDirection::Sendonly, ..Default::default() });
        // Audio first, as browsers order a camera-and-microphone offer.
        let audio_transceiver = peer.pc.add_transceiver_from_track(audio.clone(), sendonly()).await?;
        let video_transceiver = peer.pc.add_transceiver_from_track(video.clone(), sendonly()).await?;
        Ok(Publisher {
            peer,
            video,
            audio,
            video_transceiver,
            audio_transceiver,
            video_ssrc,
            audio_ssrc,
            sent: Arc::default(),
        })
    }

    /// Our offer (with candidates) and what each m-line carries: `(mid, "audio" | "video")`.
    pub async fn offer(&self) -> anyhow::Result<(String, Vec<(String, &'static str)>)> {
        let offer = self.peer.pc.create_offer(None).await.context("creating the offer")?;
        self.peer.pc.set_local_description(offer).await?;
        let sdp = self.peer.local_sdp().await?;
        let mut mids = Vec::new();
        let mut kind = None;
        for line in sdp.lines() {
            if let Some(m) = line.strip_prefix("m=") {
                kind = Some(if m.starts_with("video") { "video" } else { "audio" });
            } else if let (Some(mid), Some(k)) = (line.strip_prefix("a=mid:"), kind) {
                mids.push((mid.trim().to_owned(), k));
            }
        }
        Ok((sdp, mids))
    }

    pub async fn accept(&self, answer: &str) -> anyhow::Result<()> {
        let answer = RTCSessionDescription::answer(answer.to_owned()).context("the SFU's answer")?;
        self.peer.pc.set_remote_description(answer).await.context("applying the SFU's answer")
    }

    pub async fn wait_connected(&self, within: Duration) -> anyhow::Result<()> {
        self.peer.wait_connected(within).await
    }

    /// Sends until the returned handle is aborted: video at `bitrate` bit/s, 30 frames a second, a
    /// keyframe every 2 s and on request; Opus every 20 ms with its audio level.
    pub async fn start(&self, bitrate: u64) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        let video = Negotiated::of(&self.video_transceiver).await?;
        let audio = Negotiated::of(&self.audio_transceiver).await?;
        let wanted = Arc::new(AtomicBool::new(true));
        // Keyframe requests (PLI/FIR) from the SFU, marked for us by `DeliverFeedback`.
        let (track, flag, sent) = (self.video.clone(), wanted.clone(), self.sent.clone());
        tokio::spawn(async move {
            while let Some(TrackLocalEvent::OnRtcpPacket(packets)) = track.poll().await {
                if packets.iter().any(|p| is_keyframe_request(p.as_ref())) {
                    sent.keyframe_requests.fetch_add(1, Relaxed);
                    flag.store(true, Relaxed);
                }
            }
        });
        // Drain the audio track's feedback too, so its queue never fills.
        let audio_track = self.audio.clone();
        tokio::spawn(async move { while audio_track.poll().await.is_some() {} });

        let mut source = Source::new(bitrate, self.video_ssrc, self.audio_ssrc, video, audio);
        let (video_track, audio_track, sent) = (self.video.clone(), self.audio.clone(), self.sent.clone());
        Ok(tokio::spawn(async move {
            let mut frames = tokio::time::interval(Duration::from_secs(1) / FPS);
            let mut audio_ticks = tokio::time::interval(Duration::from_millis(20));
            let mut last_key: Option<Instant> = None;
            loop {
                tokio::select! {
                    _ = frames.tick() => {
                        let now = Instant::now();
                        let due = last_key.is_none_or(|t| now - t >= KEYFRAME_EVERY);
                        let asked = wanted.load(Relaxed) && last_key.is_none_or(|t| now - t >= KEYFRAME_MIN_GAP);
                        let key = due || asked;
                        if key {
                            wanted.store(false, Relaxed);
                            last_key = Some(now);
                            sent.keyframes.fetch_add(1, Relaxed);
                        }
                        for packet in source.video_frame(key) {
                            let size = packet.payload.len() as u64;
                            match video_track.write_rtp(packet).await {
                                Ok(()) => {
                                    sent.video_packets.fetch_add(1, Relaxed);
                                    sent.bytes.fetch_add(size, Relaxed);
                                }
                                Err(_) => { sent.write_errors.fetch_add(1, Relaxed); }
                            }
                        }
                    }
                    _ = audio_ticks.tick() => {
                        let packet = source.audio_packet();
                        let size = packet.payload.len() as u64;
                        match audio_track.write_rtp(packet).await {
                            Ok(()) => {
                                sent.audio_packets.fetch_add(1, Relaxed);
                                sent.bytes.fetch_add(size, Relaxed);
                            }
                            Err(_) => { sent.write_errors.fetch_add(1, Relaxed); }
                        }
                    }
                }
            }
        }))
    }

    pub async fn close(&self) {
        let _ = self.peer.pc.close().await;
    }
}

/// What negotiation fixed for one sending m-line.
struct Negotiated {
    payload_type: u8,
    mid: String,
    mid_ext: Option<u8>,
    audio_level_ext: Option<u8>,
}

impl Negotiated {
    async fn of(transceiver: &Arc<dyn RtpTransceiver>) -> anyhow::Result<Negotiated> {
        let sender = transceiver.sender().await?.context("a sending transceiver")?;
        let parameters = sender.get_parameters().await?.rtp_parameters;
        let payload_type = parameters.codecs.first().context("no codec negotiated")?.payload_type;
        let ext = |uri: &str| parameters.header_extensions.iter().find(|e| e.uri == uri).map(|e| e.id as u8);
        Ok(Negotiated {
            payload_type,
            mid: transceiver.mid().await?.unwrap_or_default(),
            mid_ext: ext(MID_URI),
            audio_level_ext: ext(AUDIO_LEVEL_URI),
        })
    }

    fn header(&self, ssrc: u32, sequence_number: u16, timestamp: u32, marker: bool, level: Option<u8>) -> rtp::Header {
        let mut extensions = Vec::new();
        if let Some(id) = self.mid_ext.filter(|_| !self.mid.is_empty()) {
            extensions.push(rtp::header::Extension { id, payload: Bytes::from(self.mid.clone().into_bytes()) });
        }
        if let (Some(id), Some(level)) = (self.audio_level_ext, level) {
            extensions.push(rtp::header::Extension { id, payload: Bytes::from(vec![level]) });
        }
        rtp::Header {
            version: 2,
            marker,
            payload_type: self.payload_type,
            sequence_number,
            timestamp,
            ssrc,
            extension: !extensions.is_empty(),
            extension_profile: if extensions.is_empty() { 0 } else { rtp::header::EXTENSION_PROFILE_ONE_BYTE },
            extensions,
            ..Default::default()
        }
    }
}

/// Synthetic media: VP8 frames that parse as VP8 (RFC 7741 payload descriptor with a picture
/// id; the frame tag, and the `9d 01 2a` start code and a 640×360 size on keyframes) around
/// filler bytes, and Opus-sized audio packets.
struct Source {
    video: Negotiated,
    audio: Negotiated,
    video_ssrc: u32,
    audio_ssrc: u32,
    video_seq: u16,
    audio_seq: u16,
    video_ts: u32,
    audio_ts: u32,
    picture_id: u16,
    key_bytes: usize,
    delta_bytes: usize,
    frame: u64,
}

impl Source {
    fn new(bitrate: u64, video_ssrc: u32, audio_ssrc: u32, video: Negotiated, audio: Negotiated) -> Source {
        // A keyframe every 2 s is three average frames; the deltas share the rest, so the
        // average over a keyframe interval is `bitrate`.
        let per_interval = (bitrate / 8) as usize * KEYFRAME_EVERY.as_secs() as usize;
        let frames = (FPS as usize) * KEYFRAME_EVERY.as_secs() as usize;
        let key_bytes = 3 * per_interval / frames;
        let delta_bytes = (per_interval - key_bytes) / (frames - 1);
        Source {
            video,
            audio,
            video_ssrc,
            audio_ssrc,
            video_seq: (video_ssrc >> 3) as u16,
            audio_seq: (audio_ssrc >> 5) as u16,
            video_ts: video_ssrc.rotate_left(7),
            audio_ts: audio_ssrc.rotate_left(9),
            picture_id: (video_ssrc & 0x7fff) as u16,
            key_bytes,
            delta_bytes,
            frame: 0,
        }
    }

    fn video_frame(&mut self, key: bool) -> Vec<rtp::Packet> {
        self.frame += 1;
        let size = if key { self.key_bytes } else { self.delta_bytes };
        // The VP8 frame: a 3-byte frame tag (P bit clear on keyframes, version 0, shown, a
        // first-partition size), then on keyframes the start code and the size, then filler.
        let mut frame = vec![0u8; size.max(16)];
        let first_partition = (size / 4) as u32;
        let tag = (first_partition << 5) | (1 << 4) | u32::from(!key);
        frame[..3].copy_from_slice(&tag.to_le_bytes()[..3]);
        if key {
            frame[3..6].copy_from_slice(&[0x9d, 0x01, 0x2a]);
            frame[6..8].copy_from_slice(&640u16.to_le_bytes());
            frame[8..10].copy_from_slice(&360u16.to_le_bytes());
        }
        for (i, b) in frame.iter_mut().enumerate().skip(10) {
            *b = (i as u64 ^ self.frame) as u8;
        }
        let chunk = VIDEO_PACKET - 4;
        let count = frame.len().div_ceil(chunk);
        let mut packets = Vec::with_capacity(count);
        for (i, part) in frame.chunks(chunk).enumerate() {
            // X=1, S on the first packet of the frame, partition 0; I=1; a 15-bit picture id.
            let mut payload = Vec::with_capacity(part.len() + 4);
            payload.push(if i == 0 { 0x90 } else { 0x80 });
            payload.push(0x80);
            payload.push(0x80 | (self.picture_id >> 8) as u8);
            payload.push(self.picture_id as u8);
            payload.extend_from_slice(part);
            let header = self.video.header(self.video_ssrc, self.video_seq, self.video_ts, i + 1 == count, None);
            self.video_seq = self.video_seq.wrapping_add(1);
            packets.push(rtp::Packet { header, payload: Bytes::from(payload) });
        }
        self.video_ts = self.video_ts.wrapping_add(90_000 / FPS);
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        packets
    }

    fn audio_packet(&mut self) -> rtp::Packet {
        // Voice activity set, about -30 dBov: someone speaking.
        let header = self.audio.header(self.audio_ssrc, self.audio_seq, self.audio_ts, false, Some(0x80 | 30));
        self.audio_seq = self.audio_seq.wrapping_add(1);
        self.audio_ts = self.audio_ts.wrapping_add(960);
        // A plausible Opus TOC byte (CELT fullband 20 ms, mono, one frame) and filler.
        let mut payload = vec![0x78u8; OPUS_PAYLOAD];
        payload[1..].iter_mut().enumerate().for_each(|(i, b)| *b = (i as u16 ^ self.audio_seq) as u8);
        rtp::Packet { header, payload: Bytes::from(payload) }
    }
}

fn is_keyframe_request(packet: &dyn rtc::rtcp::Packet) -> bool {
    let any = packet.as_any();
    any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(packets: &[(u32, u16)]) -> u64 {
        let mut sequence = Sequence::default();
        packets.iter().map(|&(ssrc, seq)| sequence.push(ssrc, seq)).last().unwrap_or(0)
    }

    #[test]
    fn expected_packets_from_sequence_numbers() {
        // In order, across the wrap.
        let wrap: Vec<(u32, u16)> = (65_530..=65_535).chain(0..=3).map(|s| (7, s)).collect();
        assert_eq!(expected(&wrap), 10);
        // Gaps count; received 3 of 5.
        assert_eq!(expected(&[(7, 1), (7, 2), (7, 5)]), 5);
        // Reordered and duplicated packets change nothing.
        assert_eq!(expected(&[(7, 1), (7, 3), (7, 2), (7, 3)]), 3);
        // A gap across the wrap.
        assert_eq!(expected(&[(7, 65_534), (7, 1)]), 4);
        // A new SSRC starts a new count on top of the old one.
        assert_eq!(expected(&[(7, 10), (7, 14), (9, 500), (9, 501)]), 7);
    }

    fn negotiated() -> Negotiated {
        Negotiated { payload_type: 96, mid: "1".into(), mid_ext: Some(4), audio_level_ext: Some(1) }
    }

    #[test]
    fn frames_average_the_bitrate_and_keyframes_parse() {
        let mut source = Source::new(1_500_000, 0x1234_5678, 0x2345_6789, negotiated(), negotiated());
        let mut bytes = 0;
        let mut seq = None;
        for i in 0..60 {
            let packets = source.video_frame(i == 0);
            if i == 0 {
                let first = &packets[0].payload;
                assert_eq!(first[0] & 0x10, 0x10, "S bit");
                assert_eq!(first[4] & 1, 0, "key frame: P bit clear");
                assert_eq!(&first[7..10], &[0x9d, 0x01, 0x2a]);
            } else {
                assert_eq!(packets[0].payload[4] & 1, 1, "delta frame: P bit set");
            }
            assert!(packets.last().unwrap().header.marker);
            for p in &packets {
                assert!(p.payload.len() <= VIDEO_PACKET);
                if let Some(s) = seq {
                    assert_eq!(p.header.sequence_number, u16::wrapping_add(s, 1));
                }
                seq = Some(p.header.sequence_number);
                bytes += p.payload.len();
            }
        }
        let bitrate = bytes as f64 * 8.0 / 2.0;
        assert!((1_450_000.0..1_550_000.0).contains(&bitrate), "{bitrate}");
    }
}

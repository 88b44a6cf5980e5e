//! Media through the SFU, with real WebRTC peers built on the `webrtc` crate: a speaker publishes
//! synthetic Opus and simulcast VP8 RTP (three layers); the audience's peer connections are
//! offered by the SFU and answered through the room frames. Every subscriber receives every
//! packet, in order; a latecomer gets a keyframe promptly (the publisher only sends keyframes
//! when asked); a subscriber that reports little bandwidth (REMB) gets the low layer; the active
//! speaker follows the audio level; a muted speaker's packets stop. On SQLite and PostgreSQL, and
//! with the room on another node than some of its people.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use kindred_tests::rooms::{Event, an_event, room, state_where};
use kindred_tests::{Backend, Cluster, TestApp, Ws, both_backends};
use rtc::interceptor::{Registry, Slot};
use serde_json::json;
use tokio::sync::mpsc;
use webrtc::media_stream::MediaStreamTrack;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder, RTCPeerConnectionState,
    RTCSessionDescription,
};

both_backends!(media_reaches_every_subscriber_in_order);

/// The whole exchange may take this long; a stuck peer fails the test instead of hanging it.
const LIMIT: Duration = Duration::from_secs(60);
const VP8_PT: u8 = 96;
const OPUS_PT: u8 = 111;
const AUDIO_LEVEL: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

async fn media_reaches_every_subscriber_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    tokio::time::timeout(LIMIT, media(&[&app])).await.expect("the media exchange finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_through_a_room_on_another_node() {
    let cluster = Cluster::spawn(2, |_| {}).await;
    tokio::time::timeout(LIMIT, media(&[&cluster.nodes[0], &cluster.nodes[1]])).await.expect("in time");
}

/// What a test peer's connection says.
enum PeerEvent {
    State(RTCPeerConnectionState),
    Track(Arc<dyn TrackRemote>),
}

struct Events(mpsc::UnboundedSender<PeerEvent>);

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.0.send(PeerEvent::State(state));
    }
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.0.send(PeerEvent::Track(track));
    }
}

async fn peer(deliver_rtcp: bool) -> (Arc<dyn PeerConnection>, mpsc::UnboundedReceiver<PeerEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut engine = rtc::peer_connection::configuration::media_engine::MediaEngine::default();
    engine.register_default_codecs().unwrap();
    engine
        .register_header_extension(
            rtc::rtp_transceiver::rtp_sender::RTCRtpHeaderExtensionCapability { uri: AUDIO_LEVEL.to_owned() },
            rtc::rtp_transceiver::rtp_sender::RtpCodecKind::Audio,
            None,
        )
        .unwrap();
    let mut registry = rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors(
        Registry::new(),
        &mut engine,
    )
    .unwrap();
    if deliver_rtcp {
        registry = registry.with(Slot::from(14_000usize), kindred::live::DeliverFeedback::default());
    }
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_handler(Arc::new(Events(tx)))
        .with_udp_addrs(vec!["127.0.0.1:0"])
        .build()
        .await
        .expect("a peer connection");
    (Arc::new(pc), rx)
}

fn codec(audio: bool) -> rtc::rtp_transceiver::rtp_sender::RTCRtpCodec {
    use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
    rtc::rtp_transceiver::rtp_sender::RTCRtpCodec {
        mime_type: if audio { MIME_TYPE_OPUS } else { MIME_TYPE_VP8 }.to_owned(),
        clock_rate: if audio { 48_000 } else { 90_000 },
        channels: if audio { 2 } else { 0 },
        sdp_fmtp_line: if audio { "minptime=10;useinbandfec=1".to_owned() } else { String::new() },
        rtcp_feedback: vec![],
    }
}

fn coding(rid: &str, ssrc: u32, audio: bool) -> rtc::rtp_transceiver::rtp_sender::RTCRtpEncodingParameters {
    rtc::rtp_transceiver::rtp_sender::RTCRtpEncodingParameters {
        rtp_coding_parameters: rtc::rtp_transceiver::rtp_sender::RTCRtpCodingParameters {
            rid: rid.to_owned(),
            ssrc: Some(ssrc),
            ..Default::default()
        },
        active: true,
        codec: codec(audio),
        ..Default::default()
    }
}

const MIC: u32 = 0x1000;
const LAYERS: [u32; 3] = [0x2001, 0x2002, 0x2003];

/// A VP8 payload: descriptor (start of partition 0), then a frame tag with the key bit clear for
/// keyframes (and the start code), then the layer's index so receivers can tell layers apart.
fn vp8(keyframe: bool, layer: u8) -> Vec<u8> {
    let mut p = vec![0x10];
    if keyframe {
        p.extend([0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
    } else {
        p.extend([0x01, 0x00, 0x00]);
    }
    p.extend(std::iter::repeat_n(0xab, 200));
    p.push(layer);
    p
}

fn is_keyframe(payload: &[u8]) -> bool {
    payload.len() > 6 && payload[1] & 1 == 0 && payload[4..7] == [0x9d, 0x01, 0x2a]
}

/// The speaker's side: publishes, then sends at 30 frames and 50 audio packets a second,
/// a keyframe on a layer only when the SFU asks for one (plus the very first).
struct Publisher {
    pc: Arc<dyn PeerConnection>,
    audio: Arc<TrackLocalStaticRTP>,
    video: Arc<TrackLocalStaticRTP>,
    /// The header extension ids the offer declared: mid and RID (a browser stamps its simulcast
    /// packets with both; the SFU tells the layers apart by them).
    mid_ext: u8,
    rid_ext: u8,
    video_mid: String,
    /// Keyframes asked for, per layer (by PLI), and when the first request after `mark` came.
    asked: Arc<[AtomicBool; 3]>,
    plis: Arc<AtomicU32>,
    audio_sent: AtomicU32,
}

async fn publish(ws: &mut Ws, event: &str) -> Publisher {
    let (pc, mut events) = peer(true).await;
    let audio = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        "kwame".into(),
        "mic".into(),
        "mic".into(),
        rtc::rtp_transceiver::rtp_sender::RtpCodecKind::Audio,
        vec![coding("", MIC, true)],
    )));
    let video = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        "kwame".into(),
        "camera".into(),
        "camera".into(),
        rtc::rtp_transceiver::rtp_sender::RtpCodecKind::Video,
        LAYERS.iter().zip(["low", "mid", "high"]).map(|(ssrc, rid)| coding(rid, *ssrc, false)).collect(),
    )));
    pc.add_track(audio.clone()).await.unwrap();
    pc.add_track(video.clone()).await.unwrap();
    let offer = pc.create_offer(None).await.unwrap();
    pc.set_local_description(offer.clone()).await.unwrap();
    assert!(offer.sdp.contains("a=simulcast:send low;mid;high"), "{}", offer.sdp);
    let mids = mids(&offer.sdp);
    ws.send(json!({"type": "room_publish", "event": event, "sdp": offer.sdp,
                   "sources": {mids[0].clone(): "microphone", mids[1].clone(): "camera"}}))
        .await;
    let answer = ws.recv_matching(room("room_publish_answer", event)).await;
    let sdp = answer["sdp"].as_str().unwrap();
    assert!(sdp.contains("a=ice-lite"), "the SFU is ICE-lite: {sdp}");
    assert!(sdp.contains("a=simulcast:recv"), "the SFU receives simulcast: {sdp}");
    pc.set_remote_description(RTCSessionDescription::answer(sdp.to_owned()).unwrap()).await.unwrap();
    wait_connected(&mut events).await;
    // Keyframe requests come as RTCP on the video track.
    let asked: Arc<[AtomicBool; 3]> = Arc::new(Default::default());
    let plis = Arc::new(AtomicU32::new(0));
    tokio::spawn({
        let (video, asked, plis) = (video.clone(), asked.clone(), plis.clone());
        async move {
            while let Some(TrackLocalEvent::OnRtcpPacket(packets)) = video.poll().await {
                for p in packets {
                    if let Some(pli) = p
                        .as_any()
                        .downcast_ref::<rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication>(
                    ) && let Some(i) = LAYERS.iter().position(|s| *s == pli.media_ssrc)
                    {
                        asked[i].store(true, Ordering::SeqCst);
                        plis.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }
    });
    let ext = |uri: &str| {
        offer.sdp.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("a=extmap:")?;
            let (id, u) = rest.split_once(' ')?;
            (u == uri).then(|| id.parse::<u8>().ok()).flatten()
        })
    };
    let mid_ext = ext("urn:ietf:params:rtp-hdrext:sdes:mid").expect("the mid extension");
    let rid_ext = ext("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id").expect("the RID extension");
    Publisher {
        pc,
        audio,
        video,
        mid_ext,
        rid_ext,
        video_mid: mids[1].clone(),
        asked,
        plis,
        audio_sent: AtomicU32::new(0),
    }
}

fn mids(sdp: &str) -> Vec<String> {
    sdp.lines().filter_map(|l| l.trim().strip_prefix("a=mid:")).map(str::to_owned).collect()
}

async fn wait_connected(events: &mut mpsc::UnboundedReceiver<PeerEvent>) {
    while let Some(e) = events.recv().await {
        match e {
            PeerEvent::State(RTCPeerConnectionState::Connected) => return,
            PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed)) => {
                panic!("the peer connection is {s}")
            }
            _ => {}
        }
    }
    panic!("the peer connection's events ended");
}

impl Publisher {
    /// Sends `frames` video frames (all three layers) and audio alongside, at real-time pace.
    async fn send(&self, frames: &mut u16, count: u16, level: u8) {
        for _ in 0..count {
            let n = *frames;
            *frames += 1;
            for (i, ssrc) in LAYERS.iter().enumerate() {
                let key = n == 0 || self.asked[i].swap(false, Ordering::SeqCst);
                let mut packet = rtc::rtp::Packet {
                    header: rtc::rtp::header::Header {
                        version: 2,
                        marker: true,
                        payload_type: VP8_PT,
                        sequence_number: n.wrapping_add(1000 * i as u16),
                        timestamp: u32::from(n) * 3000,
                        ssrc: *ssrc,
                        ..Default::default()
                    },
                    payload: vp8(key, i as u8).into(),
                };
                let rid = ["low", "mid", "high"][i];
                packet.header.set_extension(self.mid_ext, self.video_mid.clone().into_bytes().into()).unwrap();
                packet.header.set_extension(self.rid_ext, rid.as_bytes().to_vec().into()).unwrap();
                self.video.write_rtp(packet).await.expect("video is sent");
            }
            // 50 audio packets a second against 30 frames: five audio for every three frames.
            for _ in 0..(if n % 3 == 2 { 1 } else { 2 }) {
                let a = self.audio_sent.fetch_add(1, Ordering::SeqCst);
                let packet = rtc::rtp::Packet {
                    header: rtc::rtp::header::Header {
                        version: 2,
                        payload_type: OPUS_PT,
                        sequence_number: a as u16,
                        timestamp: a * 960,
                        ssrc: MIC,
                        ..Default::default()
                    },
                    payload: vec![0xf8, 0xff, 0xfe, a as u8].into(),
                };
                let level = rtc::rtp::extension::HeaderExtension::AudioLevel(
                    rtc::rtp::extension::audio_level_extension::AudioLevelExtension { level, voice: true },
                );
                self.audio.write_rtp_with_extensions(packet, &[level]).await.expect("audio is sent");
            }
            tokio::time::sleep(Duration::from_millis(33)).await;
        }
    }
}

/// What a subscriber received, per kind: (sequence number, payload).
#[derive(Default)]
struct Received {
    audio: Vec<(u16, Vec<u8>)>,
    video: Vec<(u16, Vec<u8>)>,
}

/// An audience member's side: answers the SFU's offers, records every packet.
struct Subscriber {
    got: Arc<std::sync::Mutex<Received>>,
    tracks: Arc<std::sync::Mutex<Vec<Arc<dyn TrackRemote>>>>,
    _pc: Arc<dyn PeerConnection>,
    task: tokio::task::JoinHandle<Ws>,
}

/// Joins the room (already open) and answers offers until told to stop; returns the socket.
async fn subscribe(mut ws: Ws, event: String) -> Subscriber {
    let (pc, mut events) = peer(false).await;
    let got = Arc::new(std::sync::Mutex::new(Received::default()));
    let tracks = Arc::new(std::sync::Mutex::new(Vec::new()));
    ws.send(json!({"type": "room_join", "event": event})).await;
    let task = tokio::spawn({
        let (pc, got, tracks) = (pc.clone(), got.clone(), tracks.clone());
        async move {
            let mut kinds: HashMap<String, String> = HashMap::new();
            loop {
                tokio::select! {
                    f = ws.next_timeout(Duration::from_millis(200)) => match f {
                        Some(Ok(f)) if f["type"] == "room_offer" && f["event"] == event.as_str() => {
                            for t in f["tracks"].as_array().unwrap() {
                                kinds.insert(t["mid"].as_str().unwrap().to_owned(), t["kind"].as_str().unwrap().to_owned());
                            }
                            let offer = RTCSessionDescription::offer(f["sdp"].as_str().unwrap().to_owned()).unwrap();
                            pc.set_remote_description(offer).await.expect("the SFU's offer applies");
                            let answer = pc.create_answer(None).await.unwrap();
                            pc.set_local_description(answer.clone()).await.unwrap();
                            ws.send(json!({"type": "room_answer", "event": event, "sdp": answer.sdp})).await;
                        }
                        Some(Ok(f)) if f["type"] == "room_error" => panic!("a room frame was refused: {f}"),
                        Some(Ok(f)) if f["type"] == "room_left" => return ws,
                        Some(Err(())) => panic!("the socket closed"),
                        _ => {}
                    },
                    e = events.recv() => match e {
                        Some(PeerEvent::Track(track)) => {
                            tracks.lock().unwrap().push(track.clone());
                            let got = got.clone();
                            tokio::spawn(async move {
                                while let Some(e) = track.poll().await {
                                    if let TrackRemoteEvent::OnRtpPacket(p) = e {
                                        let mut g = got.lock().unwrap();
                                        let list = if p.header.payload_type == OPUS_PT { &mut g.audio } else { &mut g.video };
                                        list.push((p.header.sequence_number, p.payload.to_vec()));
                                    }
                                }
                            });
                        }
                        Some(PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed))) => {
                            panic!("a subscriber's connection is {s}")
                        }
                        Some(_) => {}
                        None => return ws,
                    },
                }
            }
        }
    });
    Subscriber { got, tracks, _pc: pc, task }
}

impl Subscriber {
    fn counts(&self) -> (usize, usize) {
        let g = self.got.lock().unwrap();
        (g.audio.len(), g.video.len())
    }

    async fn until(&self, what: &str, check: impl Fn(&Received) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !check(&self.got.lock().unwrap()) {
            assert!(tokio::time::Instant::now() < deadline, "{what}: {:?}", self.counts());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Consecutive sequence numbers, in order, none missing.
fn in_order(seqs: &[(u16, Vec<u8>)]) -> bool {
    seqs.windows(2).all(|w| w[1].0 == w[0].0.wrapping_add(1))
}

async fn media(nodes: &[&TestApp]) {
    let e: Event = an_event(nodes, Duration::from_secs(5 * 60)).await;
    let ev = e.id.clone();
    let (mut cora, _) = e.cora.ws(json!({})).await;
    let (mut kwame, _) = e.kwame.ws(json!({})).await;
    cora.send(json!({"type": "room_join", "event": ev})).await;
    cora.send(json!({"type": "room_open", "event": ev})).await;
    state_where(&mut cora, &ev, |s| s["status"] == "live").await;
    kwame.send(json!({"type": "room_join", "event": ev})).await;
    state_where(&mut kwame, &ev, |s| s["you"]["admitted"] == true).await;

    // Two of the audience are there from the start; the speaker publishes.
    let nia = subscribe(e.nia.ws(json!({})).await.0, ev.clone()).await;
    let otto = subscribe(e.otto.ws(json!({})).await.0, ev.clone()).await;
    let publisher = publish(&mut kwame, &ev).await;
    let mut frames = 0u16;
    // Until both have their tracks and a picture.
    for s in [&nia, &otto] {
        loop {
            publisher.send(&mut frames, 3, 20).await;
            let ready =
                s.tracks.lock().unwrap().len() == 2 && s.got.lock().unwrap().video.iter().any(|(_, p)| is_keyframe(p));
            if ready {
                break;
            }
        }
    }
    let start = [nia.counts(), otto.counts()];
    publisher.send(&mut frames, 90, 20).await;
    for (s, (audio0, video0)) in [&nia, &otto].into_iter().zip(start) {
        // 90 frames carry 150 audio packets; each subscriber gets the high layer of every frame.
        s.until("every packet arrives", |g| g.audio.len() >= audio0 + 150 && g.video.len() >= video0 + 90).await;
        let g = s.got.lock().unwrap();
        assert!(in_order(&g.audio[audio0..]), "audio in order");
        let first_key = g.video.iter().position(|(_, p)| is_keyframe(p)).unwrap();
        assert!(in_order(&g.video[first_key..]), "video in order from the first keyframe");
        assert!(g.video[video0..].iter().all(|(_, p)| p.last() == Some(&2)), "unconstrained: the high layer");
        assert_eq!(g.video.len() - video0, 90, "not one more or less");
    }

    // The active speaker is the one sending audio levels (RFC 6464: 20 is loud).
    let speaker = cora.recv_matching(room("room_speaker", &ev)).await;
    assert_eq!(speaker["user"], e.ids["kwame"].as_str());

    // A latecomer gets a keyframe promptly: the publisher sends one only when asked.
    let plis_before = publisher.plis.load(Ordering::SeqCst);
    let ines = subscribe(e.ines.ws(json!({})).await.0, ev.clone()).await;
    let asked_at = tokio::time::Instant::now();
    while !ines.got.lock().unwrap().video.iter().any(|(_, p)| is_keyframe(p)) {
        publisher.send(&mut frames, 1, 20).await;
        assert!(asked_at.elapsed() < Duration::from_secs(20), "the latecomer got no keyframe");
    }
    assert!(publisher.plis.load(Ordering::SeqCst) > plis_before, "the SFU asked the publisher for it");
    {
        let g = ines.got.lock().unwrap();
        assert!(is_keyframe(&g.video[0].1), "the latecomer's first picture is a keyframe");
    }

    // Ines's downlink is poor: she reports 250 kbit/s and moves to the low layer.
    let tracks = ines.tracks.lock().unwrap().clone();
    let mut video_track = None;
    for t in tracks {
        if t.kind().await == rtc::rtp_transceiver::rtp_sender::RtpCodecKind::Video {
            video_track = Some(t);
        }
    }
    let video_track = video_track.expect("the latecomer has a video track");
    let remb = rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate {
        sender_ssrc: 1,
        bitrate: 250_000.0,
        ssrcs: video_track.ssrcs().await,
    };
    video_track.write_rtcp(vec![Box::new(remb)]).await.unwrap();
    let switched_at = tokio::time::Instant::now();
    loop {
        publisher.send(&mut frames, 3, 20).await;
        let g = ines.got.lock().unwrap();
        if g.video.last().is_some_and(|(_, p)| p.last() == Some(&0)) {
            break;
        }
        assert!(switched_at.elapsed() < Duration::from_secs(20), "the low layer never came");
    }
    let mark = ines.counts().1;
    publisher.send(&mut frames, 30, 20).await;
    ines.until("low layer frames", |g| g.video.len() >= mark + 30).await;
    {
        let g = ines.got.lock().unwrap();
        assert!(g.video[mark..].iter().all(|(_, p)| p.last() == Some(&0)), "only the low layer now");
        assert!(in_order(&g.video), "one continuous stream across the switch");
    }
    // The others still get the high layer.
    assert_eq!(nia.got.lock().unwrap().video.last().unwrap().1.last(), Some(&2));

    // Muted by the host: the SFU drops the speaker's packets.
    cora.send(json!({"type": "room_mute", "event": ev, "user": e.ids["kwame"], "muted": true})).await;
    state_where(&mut kwame, &ev, |s| s["you"]["muted"] == true).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = nia.counts();
    publisher.send(&mut frames, 15, 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(nia.counts(), before, "nothing from a muted speaker");

    // The end: everyone is out of the room.
    cora.send(json!({"type": "room_end", "event": ev})).await;
    for s in [nia, otto, ines] {
        let ws = s.task.await.unwrap();
        drop(ws);
    }
    let _ = publisher.pc.close().await;
    let _ = &publisher.audio;
}

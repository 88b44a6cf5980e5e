use super::*;
use crate::rtp::RtpPacket;
use crate::testutil::{Packet, Rng, vp8_delta, vp8_keyframe};

const HOST: ParticipantId = ParticipantId(1);
const SPEAKER: ParticipantId = ParticipantId(2);
const A: ParticipantId = ParticipantId(10);
const B: ParticipantId = ParticipantId(11);
const C: ParticipantId = ParticipantId(12);

const LOW: u32 = 100;
const MID: u32 = 200;
const HIGH: u32 = 300;
const MIC: u32 = 400;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn config() -> RoomConfig {
    RoomConfig { extensions: ExtensionIds { audio_level: Some(1), rid: Some(2) }, ..RoomConfig::default() }
}

/// A room with a speaker on stage and A, B, C in the audience.
fn room() -> Room {
    let mut room = Room::new(config(), HOST);
    room.join(SPEAKER, Role::Speaker).unwrap();
    for p in [A, B, C] {
        room.join(p, Role::Audience).unwrap();
    }
    room
}

/// What a subscriber received: sequence number, timestamp, SSRC and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Got {
    seq: u16,
    ts: u32,
    ssrc: u32,
    payload: Vec<u8>,
}

fn received(effects: &[Effect], to: ParticipantId) -> Vec<Got> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Forward(f) if f.to == to => {
                let p = RtpPacket::parse(&f.packet).unwrap();
                assert_eq!(p.header.ssrc, f.ssrc);
                Some(Got {
                    seq: p.header.sequence,
                    ts: p.header.timestamp,
                    ssrc: f.ssrc,
                    payload: p.payload().to_vec(),
                })
            }
            _ => None,
        })
        .collect()
}

fn keyframe_requests(effects: &[Effect]) -> Vec<KeyframeRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::KeyframeRequest(k) => Some(*k),
            _ => None,
        })
        .collect()
}

fn audio(seq: u16, ts: u32, level: u8) -> Vec<u8> {
    Packet { pt: 111, seq, ts, ssrc: MIC, ..Packet::default() }
        .one_byte_extensions(&[(1, &[0x80 | level])])
        .payload(&[0xf8, 0xff, 0xfe])
        .build()
}

/// A simulcast stream whose layers have unrelated sequence and timestamp bases, as browsers send
/// them. Each payload ends with its layer's index so tests can tell what was forwarded.
struct Simulcast {
    ssrcs: [u32; 3],
}

impl Simulcast {
    const SEQ_BASE: [u16; 3] = [1000, 40_000, 65_530];
    const TS_BASE: [u32; 3] = [5_000, 4_000_000_000, 123_456];

    /// Frame `n` (one packet per layer), keyframes on `key` layers.
    fn frame(&self, n: u16, key: &[Layer]) -> Vec<(Layer, Vec<u8>)> {
        [Layer::Low, Layer::Mid, Layer::High]
            .into_iter()
            .map(|layer| {
                let i = layer.index();
                let mut payload = if key.contains(&layer) { vp8_keyframe() } else { vp8_delta() };
                payload.push(i as u8);
                let packet = Packet {
                    marker: true,
                    seq: Self::SEQ_BASE[i].wrapping_add(n),
                    ts: Self::TS_BASE[i].wrapping_add(u32::from(n) * 3000),
                    ssrc: self.ssrcs[i],
                    ..Packet::default()
                }
                .payload(&payload)
                .build();
                (layer, packet)
            })
            .collect()
    }

    /// Sends frame `n` at 30 fps and returns all effects.
    fn send(&self, room: &mut Room, n: u16, key: &[Layer]) -> Vec<Effect> {
        let now = ms(u64::from(n) * 33);
        self.frame(n, key).into_iter().flat_map(|(_, p)| room.on_rtp(now, SPEAKER, &p).unwrap()).collect()
    }
}

fn layer_of(got: &Got) -> Layer {
    [Layer::Low, Layer::Mid, Layer::High][usize::from(*got.payload.last().unwrap())]
}

#[test]
fn forwards_in_order_to_every_subscriber() {
    let mut room = room();
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    let mut ssrcs = Vec::new();
    for p in [A, B, C] {
        let (ssrc, effects) = room.subscribe(ms(0), p, mic).unwrap();
        assert!(effects.is_empty(), "audio needs no keyframe");
        ssrcs.push(ssrc);
    }
    ssrcs.sort();
    ssrcs.dedup();
    assert_eq!(ssrcs.len(), 3, "each subscription has its own SSRC");

    let mut all = Vec::new();
    for i in 0..20u16 {
        // Sequence numbers wrap around in the middle.
        let packet = audio(65_526u16.wrapping_add(i), 960 * u32::from(i), 40);
        all.extend(room.on_rtp(ms(u64::from(i) * 20), SPEAKER, &packet).unwrap());
    }
    for p in [A, B, C] {
        let got = received(&all, p);
        assert_eq!(got.len(), 20);
        for (i, g) in got.iter().enumerate() {
            assert_eq!(g.seq, 65_526u16.wrapping_add(i as u16));
            assert_eq!(g.ts, 960 * i as u32);
            assert_eq!(g.payload, [0xf8, 0xff, 0xfe]);
        }
    }
    assert_eq!(room.stats().forwarded, 60);
}

#[test]
fn late_joiner_gets_a_keyframe_request_promptly_and_starts_on_a_keyframe() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    let (_, effects) = room.subscribe(ms(0), A, cam).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: HIGH }]);
    let mut effects = Vec::new();
    effects.extend(stream.send(&mut room, 0, &[Layer::High]));
    for n in 1..90 {
        effects.extend(stream.send(&mut room, n, &[]));
    }
    assert_eq!(received(&effects, A).len(), 90);

    // B joins three seconds in: the request goes out at once, not at the next periodic keyframe.
    let (_, effects) = room.subscribe(ms(3000), B, cam).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: HIGH }]);
    // Delta frames before the keyframe are no use to B.
    let effects = stream.send(&mut room, 91, &[]);
    assert!(received(&effects, B).is_empty());
    assert_eq!(received(&effects, A).len(), 1);
    let effects = stream.send(&mut room, 92, &[Layer::High]);
    let got = received(&effects, B);
    assert_eq!(got.len(), 1);
    assert_eq!(crate::vp8::is_keyframe(&got[0].payload), Ok(true));
    assert_eq!(layer_of(&got[0]), Layer::High);
}

#[test]
fn newcomer_starts_on_a_lower_keyframe_then_climbs() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    room.subscribe(ms(0), A, cam).unwrap();
    let effects = stream.send(&mut room, 0, &[Layer::Low]);
    assert_eq!(received(&effects, A).iter().map(layer_of).collect::<Vec<_>>(), [Layer::Low]);
    // The low delta frame still goes out, then the high keyframe takes over.
    let effects = stream.send(&mut room, 1, &[Layer::High]);
    assert_eq!(received(&effects, A).iter().map(layer_of).collect::<Vec<_>>(), [Layer::Low, Layer::High]);
    let effects = stream.send(&mut room, 2, &[]);
    assert_eq!(received(&effects, A).iter().map(layer_of).collect::<Vec<_>>(), [Layer::High]);
    assert_eq!(room.layers_of(A, cam), Some((Some(Layer::High), Layer::High)));
}

#[test]
fn constrained_subscriber_gets_the_low_layer_and_switches_cleanly_on_keyframes() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    let (ssrc, _) = room.subscribe(ms(0), A, cam).unwrap();
    room.subscribe(ms(0), B, cam).unwrap();
    let effects = room.on_estimate(ms(0), A, 300_000).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: LOW }]);
    assert_eq!(room.layers_of(A, cam), Some((None, Layer::Low)));

    let all = [Layer::Low, Layer::Mid, Layer::High];
    let mut got = Vec::new();
    let mut got_b = Vec::new();
    let mut expected = Vec::new();
    for n in 0..60u16 {
        let mut effects = Vec::new();
        let now = ms(u64::from(n) * 33);
        match n {
            20 => {
                // Bandwidth grows: aim for high and ask for its keyframe, keep low flowing meanwhile.
                effects.extend(room.on_estimate(now, A, 2_000_000).unwrap());
                assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: HIGH }]);
            }
            40 => {
                effects.extend(room.on_estimate(now, A, 300_000).unwrap());
                assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: LOW }]);
            }
            _ => {}
        }
        let key: &[Layer] = match n {
            0 => &all,
            25 => &[Layer::High],
            45 => &[Layer::Low],
            _ => &[],
        };
        effects.extend(stream.send(&mut room, n, key));
        got.extend(received(&effects, A));
        got_b.extend(received(&effects, B));
        if n == 25 {
            // Low's packet of the frame arrives before high's keyframe.
            expected.push(Layer::Low);
        }
        expected.push(if (25..45).contains(&n) { Layer::High } else { Layer::Low });
    }
    assert_eq!(got.iter().map(layer_of).collect::<Vec<_>>(), expected);
    // B, unconstrained, climbs through frame 0's three keyframes to high and stays there.
    let b_layers: Vec<Layer> = got_b.iter().map(layer_of).collect();
    assert_eq!(b_layers[..3], [Layer::Low, Layer::Mid, Layer::High]);
    assert!(b_layers[3..].iter().all(|l| *l == Layer::High) && b_layers.len() == 62);
    // Seamless: one SSRC, consecutive sequence numbers, timestamps always moving forward.
    for pair in got.windows(2) {
        assert_eq!(pair[1].ssrc, ssrc);
        assert_eq!(pair[1].seq, pair[0].seq.wrapping_add(1), "{pair:?}");
        let step = pair[1].ts.wrapping_sub(pair[0].ts);
        assert!((1..=6000).contains(&step), "timestamp step {step} in {pair:?}");
    }
    // Each switch lands on a keyframe.
    for i in [26usize, 46] {
        assert_eq!(crate::vp8::is_keyframe(&got[i].payload), Ok(true));
    }
}

#[test]
fn packets_older_than_a_switch_are_not_forwarded() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    room.subscribe(ms(0), A, cam).unwrap();
    let mut got = received(&stream.send(&mut room, 5, &[Layer::High]), A);
    // A reordered packet from before the keyframe, then the next one.
    let late = stream.frame(4, &[]).remove(2).1;
    got.extend(received(&room.on_rtp(ms(200), SPEAKER, &late).unwrap(), A));
    got.extend(received(&stream.send(&mut room, 6, &[]), A));
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].seq, got[0].seq.wrapping_add(1));
}

#[test]
fn layer_choice_has_hysteresis() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    room.subscribe(ms(0), A, cam).unwrap();
    // Layers cost 150k / 500k / 1.5M; going up needs the total within 85% of the estimate.
    let steps = [
        (2_000_000, Layer::High),
        (1_600_000, Layer::High), // 1.5M still fits: stay
        (1_400_000, Layer::Mid),  // no longer fits: down at once
        (1_600_000, Layer::Mid),  // 1.5M > 85% of 1.6M: not yet
        (1_500_000, Layer::Mid),
        (1_800_000, Layer::High), // 1.5M <= 1.53M
        (100_000, Layer::Low),    // the lowest layer is always kept
    ];
    for (i, (bps, layer)) in steps.into_iter().enumerate() {
        room.on_estimate(ms(i as u64 * 1000), A, bps).unwrap();
        assert_eq!(room.layers_of(A, cam).unwrap().1, layer, "at {bps} b/s");
    }
}

#[test]
fn bandwidth_is_shared_between_tracks_after_audio() {
    let mut room = room();
    room.join(ParticipantId(3), Role::Speaker).unwrap();
    let cam1 = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let cam2 = room.publish(ParticipantId(3), TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    for t in [cam1, cam2, mic] {
        room.subscribe(ms(0), A, t).unwrap();
    }
    // 40k of audio, then 2 x 500k within 85% of the rest; high for one would not fit.
    room.on_estimate(ms(0), A, 1_300_000).unwrap();
    assert_eq!(room.layers_of(A, cam1).unwrap().1, Layer::Mid);
    assert_eq!(room.layers_of(A, cam2).unwrap().1, Layer::Mid);
    room.on_estimate(ms(0), A, 700_000).unwrap();
    assert_eq!(room.layers_of(A, cam1).unwrap().1, Layer::Mid);
    assert_eq!(room.layers_of(A, cam2).unwrap().1, Layer::Low);
}

#[test]
fn a_new_subscription_asks_for_its_own_keyframe_even_when_others_move() {
    let mut room = room();
    room.join(ParticipantId(3), Role::Speaker).unwrap();
    let cam1 = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let cam2 = room.publish(ParticipantId(3), TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    room.on_estimate(ms(0), A, 2_000_000).unwrap();
    let (_, effects) = room.subscribe(ms(0), A, cam2).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: ParticipantId(3), ssrc: HIGH }]);
    // The first camera joins at high and squeezes the second down to mid: both need keyframes.
    let (_, effects) = room.subscribe(ms(1000), A, cam1).unwrap();
    let mut requests = keyframe_requests(&effects);
    requests.sort_by_key(|k| k.to);
    assert_eq!(
        requests,
        [KeyframeRequest { to: SPEAKER, ssrc: HIGH }, KeyframeRequest { to: ParticipantId(3), ssrc: MID }]
    );
}

#[test]
fn a_flood_of_keyframe_requests_is_rate_limited() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::video(HIGH)).unwrap();
    let mut ssrcs = Vec::new();
    for p in [A, B, C] {
        let (ssrc, effects) = room.subscribe(ms(0), p, cam).unwrap();
        ssrcs.push(ssrc);
        // Only the first of three simultaneous joins asks.
        assert_eq!(keyframe_requests(&effects).len(), usize::from(p == A));
    }
    let mut sent = Vec::new();
    for i in 0..100u64 {
        let t = 1000 + i * 10;
        let effects = room.on_picture_loss(ms(t), [A, B, C][i as usize % 3], ssrcs[i as usize % 3]).unwrap();
        sent.extend(keyframe_requests(&effects).into_iter().map(|k| (t, k)));
    }
    let request = KeyframeRequest { to: SPEAKER, ssrc: HIGH };
    assert_eq!(sent, [(1000, request), (1500, request)]);
    assert_eq!(room.stats().keyframe_requests_sent, 3);
    assert_eq!(room.stats().keyframe_requests_suppressed, 2 + 98);
    assert_eq!(room.on_picture_loss(ms(3000), A, 12345), Err(RoomError::UnknownSsrc(12345)));
}

#[test]
fn unknown_ssrcs_and_garbage_are_dropped_and_counted() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::video(HIGH)).unwrap();
    room.subscribe(ms(0), A, cam).unwrap();
    let stranger = Packet { ssrc: 999, ..Packet::default() }.payload(&vp8_keyframe()).build();
    assert_eq!(room.on_rtp(ms(1), SPEAKER, &stranger), Err(Dropped::UnknownSsrc(999)));
    // The speaker's SSRC sent by someone else is not the speaker's track.
    let spoofed = Packet { ssrc: HIGH, ..Packet::default() }.payload(&vp8_keyframe()).build();
    assert_eq!(room.on_rtp(ms(2), B, &spoofed), Err(Dropped::UnknownSsrc(HIGH)));
    assert_eq!(room.on_rtp(ms(3), ParticipantId(77), &spoofed), Err(Dropped::NotInRoom));
    assert_eq!(room.on_rtp(ms(4), SPEAKER, &[0x80, 0]), Err(Dropped::Malformed(RtpError::TooShort)));
    let stats = room.stats();
    assert_eq!(
        (stats.dropped_unknown_ssrc, stats.dropped_not_in_room, stats.dropped_malformed, stats.forwarded),
        (2, 1, 1, 0)
    );
    // The real thing still flows.
    assert_eq!(received(&room.on_rtp(ms(5), SPEAKER, &spoofed).unwrap(), A).len(), 1);
}

#[test]
fn the_audience_cannot_publish_until_brought_on_stage() {
    let mut room = room();
    assert_eq!(room.publish(A, TrackSpec::audio(MIC)), Err(RoomError::NotOnStage));
    let packet = audio(1, 0, 30);
    assert_eq!(room.on_rtp(ms(0), A, &packet), Err(Dropped::UnknownSsrc(MIC)));

    room.bring_on_stage(HOST, A).unwrap();
    assert_eq!(room.role(A), Some(Role::Speaker));
    let mic = room.publish(A, TrackSpec::audio(MIC)).unwrap();
    room.subscribe(ms(0), B, mic).unwrap();
    assert_eq!(received(&room.on_rtp(ms(20), A, &packet).unwrap(), B).len(), 1);

    let effects = room.send_to_audience(HOST, A).unwrap();
    assert_eq!(effects, [Effect::TrackEnded { to: B, track: mic }]);
    assert_eq!(room.on_rtp(ms(40), A, &packet), Err(Dropped::UnknownSsrc(MIC)));
    assert_eq!(room.publish(A, TrackSpec::audio(MIC)), Err(RoomError::NotOnStage));
}

#[test]
fn only_a_host_moderates_and_hosts_are_not_moderated() {
    let mut room = room();
    assert_eq!(room.mute(SPEAKER, A, true), Err(RoomError::NotHost));
    assert_eq!(room.remove(SPEAKER, A), Err(RoomError::NotHost));
    assert_eq!(room.bring_on_stage(A, A), Err(RoomError::NotHost));
    assert_eq!(room.send_to_audience(A, SPEAKER), Err(RoomError::NotHost));
    assert_eq!(room.lock(SPEAKER, true), Err(RoomError::NotHost));
    assert_eq!(room.mute(ParticipantId(77), A, true), Err(RoomError::NotInRoom(ParticipantId(77))));
    assert_eq!(room.mute(HOST, HOST, true), Err(RoomError::TargetIsHost));
    assert_eq!(room.mute(HOST, ParticipantId(77), true), Err(RoomError::NotInRoom(ParticipantId(77))));
    // Nothing changed.
    assert_eq!((room.role(A), room.role(SPEAKER)), (Some(Role::Audience), Some(Role::Speaker)));
    assert_eq!(room.is_muted(A), Some(false));
    assert!(!room.is_locked());
}

#[test]
fn muting_removing_and_locking() {
    let mut room = room();
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    room.subscribe(ms(0), A, mic).unwrap();
    room.mute(HOST, SPEAKER, true).unwrap();
    assert_eq!(room.on_rtp(ms(0), SPEAKER, &audio(1, 0, 30)), Err(Dropped::Muted));
    assert_eq!(room.stats().dropped_muted, 1);
    room.mute(HOST, SPEAKER, false).unwrap();
    assert_eq!(received(&room.on_rtp(ms(20), SPEAKER, &audio(2, 960, 30)).unwrap(), A).len(), 1);

    assert_eq!(room.remove(HOST, SPEAKER).unwrap(), [Effect::TrackEnded { to: A, track: mic }]);
    assert_eq!(room.role(SPEAKER), None);
    assert_eq!(room.on_rtp(ms(40), SPEAKER, &audio(3, 1920, 30)), Err(Dropped::NotInRoom));

    room.lock(HOST, true).unwrap();
    assert_eq!(room.join(SPEAKER, Role::Speaker), Err(RoomError::Locked));
    room.join(ParticipantId(5), Role::Host).unwrap();
    room.lock(HOST, false).unwrap();
    room.join(SPEAKER, Role::Speaker).unwrap();
    assert_eq!(room.join(SPEAKER, Role::Speaker), Err(RoomError::AlreadyInRoom(SPEAKER)));
}

#[test]
fn a_subscriber_who_leaves_stops_receiving() {
    let mut room = room();
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    room.subscribe(ms(0), A, mic).unwrap();
    room.subscribe(ms(0), B, mic).unwrap();
    assert!(room.leave(A).unwrap().is_empty());
    room.unsubscribe(B, mic).unwrap();
    assert_eq!(room.unsubscribe(B, mic), Err(RoomError::NotSubscribed));
    let effects = room.on_rtp(ms(0), SPEAKER, &audio(1, 0, 30)).unwrap();
    assert!(!effects.iter().any(|e| matches!(e, Effect::Forward(_))));
}

#[test]
fn track_descriptions_are_checked() {
    let mut room = room();
    room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    assert_eq!(room.publish(SPEAKER, TrackSpec::video(MIC)), Err(RoomError::SsrcInUse(MIC)));
    assert_eq!(room.publish(SPEAKER, TrackSpec::simulcast([1, 1, 2])), Err(RoomError::SsrcInUse(1)));
    let three_audio = TrackSpec { kind: TrackKind::Audio, ..TrackSpec::simulcast([5, 6, 7]) };
    assert!(matches!(room.publish(SPEAKER, three_audio), Err(RoomError::InvalidTrack(_))));
    let twice = TrackSpec {
        kind: TrackKind::Video,
        layers: vec![LayerSource::ssrc(Layer::Low, 5), LayerSource::ssrc(Layer::Low, 6)],
    };
    assert!(matches!(room.publish(SPEAKER, twice), Err(RoomError::InvalidTrack(_))));
    let nameless =
        TrackSpec { kind: TrackKind::Video, layers: vec![LayerSource { layer: Layer::Low, ssrc: None, rid: None }] };
    assert!(matches!(room.publish(SPEAKER, nameless), Err(RoomError::InvalidTrack(_))));

    let cam = room.publish(SPEAKER, TrackSpec::video(HIGH)).unwrap();
    assert_eq!(room.subscribe(ms(0), SPEAKER, cam), Err(RoomError::OwnTrack));
    room.subscribe(ms(0), A, cam).unwrap();
    assert_eq!(room.subscribe(ms(0), A, cam), Err(RoomError::AlreadySubscribed));
    assert_eq!(room.subscribe(ms(0), A, TrackId(99)), Err(RoomError::UnknownTrack(TrackId(99))));
    assert_eq!(room.unpublish(A, cam), Err(RoomError::NotYourTrack(cam)));
    assert_eq!(room.unpublish(SPEAKER, cam).unwrap(), [Effect::TrackEnded { to: A, track: cam }]);
}

#[test]
fn rid_layers_bind_their_ssrc_on_first_sight() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast_rids(["q", "h", "f"])).unwrap();
    let (_, effects) = room.subscribe(ms(0), A, cam).unwrap();
    assert!(keyframe_requests(&effects).is_empty(), "no SSRC known to ask yet");
    room.on_estimate(ms(0), A, 300_000).unwrap();

    let with_rid = |ssrc: u32, rid: &[u8], seq: u16| {
        Packet { seq, ssrc, ..Packet::default() }.one_byte_extensions(&[(2, rid)]).payload(&vp8_delta()).build()
    };
    let unknown = with_rid(555, b"x", 1);
    assert_eq!(room.on_rtp(ms(0), SPEAKER, &unknown), Err(Dropped::UnknownSsrc(555)));
    // The low layer shows up: A, limited to low, is asked a keyframe for it.
    let effects = room.on_rtp(ms(10), SPEAKER, &with_rid(LOW, b"q", 1)).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: LOW }]);
    // Later packets need no RID.
    let key = Packet { seq: 2, ssrc: LOW, ..Packet::default() }.payload(&vp8_keyframe()).build();
    assert_eq!(received(&room.on_rtp(ms(20), SPEAKER, &key).unwrap(), A).len(), 1);
    room.on_rtp(ms(30), SPEAKER, &with_rid(HIGH, b"f", 1)).unwrap();
    assert_eq!(room.layers_of(A, cam), Some((Some(Layer::Low), Layer::Low)));
}

#[test]
fn waiting_subscribers_keep_asking_within_the_rate_limit() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    room.subscribe(ms(0), A, cam).unwrap();
    // The publisher never answers: requests repeat every 500 ms, no more often.
    let mut requests = Vec::new();
    for n in 0..60 {
        requests.extend(keyframe_requests(&stream.send(&mut room, n, &[])));
    }
    // 60 frames of 33 ms: asked at 0 (subscribe), then at 528, 1056, 1584.
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|k| k.ssrc == HIGH));
    assert_eq!(room.stats().keyframe_requests_suppressed, 0, "retries are not subscriber requests");
}

#[test]
fn active_speaker_changes_are_announced() {
    let mut room = room();
    let other = ParticipantId(3);
    room.join(other, Role::Speaker).unwrap();
    room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    room.publish(other, TrackSpec::audio(MIC)).unwrap(); // the same SSRC on another connection is fine
    let mut changes = Vec::new();
    for i in 0..200u16 {
        let t = u64::from(i) * 20;
        let (one, two) = if t < 2000 { (20, 90) } else { (90, 20) };
        for (who, level) in [(SPEAKER, one), (other, two)] {
            let effects = room.on_rtp(ms(t), who, &audio(i, u32::from(i) * 960, level)).unwrap();
            changes.extend(effects.into_iter().filter(|e| matches!(e, Effect::ActiveSpeaker(_))).map(|e| (t, e)));
        }
    }
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0], (0, Effect::ActiveSpeaker(SPEAKER)));
    assert_eq!(changes[1].1, Effect::ActiveSpeaker(other));
    assert!((2000..3000).contains(&changes[1].0));
    assert_eq!(room.active_speaker(), Some(other));
}

#[test]
fn random_packets_never_panic() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    for p in [A, B] {
        room.subscribe(ms(0), p, cam).unwrap();
        room.subscribe(ms(0), p, mic).unwrap();
    }
    room.on_estimate(ms(0), B, 400_000).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    let mut rng = Rng::new(42);
    for i in 0..20_000u64 {
        let n = rng.below(200) as u16;
        let (_, mut packet) = stream.frame(n, &[Layer::Low, Layer::High]).swap_remove(rng.below(3) as usize);
        if i % 5 == 0 {
            packet = audio(n, 0, rng.byte() & 0x7f);
        }
        for _ in 0..rng.below(3) {
            let at = rng.below(packet.len() as u64) as usize;
            packet[at] = rng.byte();
        }
        packet.truncate(rng.below(packet.len() as u64 + 1) as usize);
        let _ = room.on_rtp(ms(i), SPEAKER, &packet);
    }
}

#[test]
fn the_shell_binds_layers_it_learns_of_and_extension_ids_are_per_publisher() {
    // A room whose default ids are unset: the speaker's connection negotiated its own.
    let mut room = Room::new(RoomConfig::default(), HOST);
    room.join(SPEAKER, Role::Speaker).unwrap();
    room.join(A, Role::Audience).unwrap();
    room.set_extensions(SPEAKER, ExtensionIds { audio_level: Some(1), rid: None }).unwrap();
    assert_eq!(room.set_extensions(B, ExtensionIds::default()), Err(RoomError::NotInRoom(B)));

    let cam = room.publish(SPEAKER, TrackSpec::simulcast_rids(["l", "m", "h"])).unwrap();
    room.subscribe(ms(0), A, cam).unwrap();
    room.on_estimate(ms(0), A, 300_000).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    // Nothing is bound yet, and there is no RID extension to bind by: dropped.
    assert!(matches!(room.on_rtp(ms(0), SPEAKER, &stream.frame(0, &[])[0].1), Err(Dropped::UnknownSsrc(LOW))));
    // The shell binds the low layer: A, limited to low, is asked for a keyframe on it.
    let effects = room.bind_layer(ms(5), SPEAKER, cam, Layer::Low, LOW).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: LOW }]);
    assert_eq!(room.bind_layer(ms(5), SPEAKER, cam, Layer::Low, LOW), Ok(Vec::new()), "binding again is harmless");
    assert_eq!(room.bind_layer(ms(5), SPEAKER, cam, Layer::Mid, LOW), Err(RoomError::SsrcInUse(LOW)));
    assert_eq!(room.bind_layer(ms(5), A, cam, Layer::Mid, MID), Err(RoomError::NotYourTrack(cam)));
    room.bind_layer(ms(5), SPEAKER, cam, Layer::Mid, MID).unwrap();
    room.bind_layer(ms(5), SPEAKER, cam, Layer::High, HIGH).unwrap();
    let got = received(&stream.send(&mut room, 1, &[Layer::Low, Layer::High]), A);
    assert_eq!(got.iter().map(layer_of).collect::<Vec<_>>(), [Layer::Low]);

    // Audio levels are read with the speaker's own extension id.
    let mic = room.publish(SPEAKER, TrackSpec::audio(MIC)).unwrap();
    room.subscribe(ms(0), A, mic).unwrap();
    let effects = room.on_rtp(ms(100), SPEAKER, &audio(1, 960, 30)).unwrap();
    assert!(effects.contains(&Effect::ActiveSpeaker(SPEAKER)), "{effects:?}");
}

#[test]
fn a_resync_waits_for_the_next_keyframe_and_keeps_the_stream_continuous() {
    let mut room = room();
    let cam = room.publish(SPEAKER, TrackSpec::simulcast([LOW, MID, HIGH])).unwrap();
    let stream = Simulcast { ssrcs: [LOW, MID, HIGH] };
    room.subscribe(ms(0), A, cam).unwrap();
    let before = received(&stream.send(&mut room, 0, &[Layer::Low, Layer::Mid, Layer::High]), A);
    assert!(!before.is_empty());
    // A's connection was not ready for that keyframe: start over.
    let effects = room.resync(ms(600), A, cam).unwrap();
    assert_eq!(keyframe_requests(&effects), [KeyframeRequest { to: SPEAKER, ssrc: HIGH }]);
    assert!(received(&stream.send(&mut room, 20, &[]), A).is_empty(), "deltas wait for the keyframe");
    let after = received(&stream.send(&mut room, 21, &[Layer::High]), A);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].seq, before.last().unwrap().seq.wrapping_add(1), "continuous");
    assert_eq!(room.resync(ms(700), B, cam), Err(RoomError::NotSubscribed));
}

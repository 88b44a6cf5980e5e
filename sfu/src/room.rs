//! A group event's room: who is in it and in which role, the tracks people on stage publish, who
//! receives which track, and the forwarding of every RTP packet to the subscribers of its track.
//!
//! The room is a state machine. The shell (webrtc-rs peer connections) calls it with what happened
//! (a packet arrived, a bandwidth estimate, a picture-loss report, a moderation request) and the
//! current time, and carries out the [`Effect`]s it returns: write a packet on a subscriber's
//! track, send a keyframe request (PLI) to a publisher, tell clients who the active speaker is or
//! that a track ended.
//!
//! Forwarding never transcodes. Each subscription has its own outgoing SSRC, and its own sequence
//! number and timestamp offsets, so that when the subscriber moves between simulcast layers the
//! stream it receives looks like one continuous stream. A video subscription only starts on, or
//! switches to, a layer at a VP8 keyframe; the room asks the publisher for one, at most once per
//! [`RoomConfig::keyframe_interval`] per publisher layer, however many subscribers ask.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use crate::rtp::{self, RtpError, RtpPacket, seq_before};
use crate::speaker::{SpeakerConfig, SpeakerDetector};
use crate::vp8;

#[cfg(test)]
mod tests;

/// A participant, as the shell identifies them (a user id's 128 bits, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId(pub u128);

/// A published track, numbered by the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId(pub u32);

/// What someone may do in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the event: on stage, and the only one who may moderate.
    Host,
    /// On stage: may publish.
    Speaker,
    /// Watches and listens only.
    Audience,
}

impl Role {
    pub fn on_stage(self) -> bool {
        matches!(self, Role::Host | Role::Speaker)
    }
}

/// A simulcast layer, lowest resolution first. A track without simulcast has one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Low,
    Mid,
    High,
}

impl Layer {
    fn index(self) -> usize {
        self as usize
    }
}

/// Audio is Opus; video is VP8 (the only codec whose keyframes the room recognises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    Audio,
    Video,
}

impl TrackKind {
    /// RTP clock rate, used to carry timestamps across a layer switch.
    fn clock_rate(self) -> u64 {
        match self {
            TrackKind::Audio => 48_000,
            TrackKind::Video => 90_000,
        }
    }
}

/// How a published layer's packets are recognised: by SSRC when the offer declares it, or by the
/// RFC 8852 RtpStreamId (`a=rid`) header extension, whose first packet binds the SSRC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSource {
    pub layer: Layer,
    pub ssrc: Option<u32>,
    pub rid: Option<String>,
}

impl LayerSource {
    pub fn ssrc(layer: Layer, ssrc: u32) -> Self {
        LayerSource { layer, ssrc: Some(ssrc), rid: None }
    }

    pub fn rid(layer: Layer, rid: &str) -> Self {
        LayerSource { layer, ssrc: None, rid: Some(rid.to_owned()) }
    }
}

/// A track someone on stage wants to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackSpec {
    pub kind: TrackKind,
    pub layers: Vec<LayerSource>,
}

impl TrackSpec {
    pub fn audio(ssrc: u32) -> Self {
        TrackSpec { kind: TrackKind::Audio, layers: vec![LayerSource::ssrc(Layer::High, ssrc)] }
    }

    /// Video without simulcast: one layer, counted as [`Layer::High`].
    pub fn video(ssrc: u32) -> Self {
        TrackSpec { kind: TrackKind::Video, layers: vec![LayerSource::ssrc(Layer::High, ssrc)] }
    }

    /// Simulcast video whose SSRCs are known: low, mid, high.
    pub fn simulcast(ssrcs: [u32; 3]) -> Self {
        let layers = [Layer::Low, Layer::Mid, Layer::High].into_iter().zip(ssrcs).map(|(l, s)| LayerSource::ssrc(l, s));
        TrackSpec { kind: TrackKind::Video, layers: layers.collect() }
    }

    /// Simulcast video identified by RIDs: low, mid, high.
    pub fn simulcast_rids(rids: [&str; 3]) -> Self {
        let layers = [Layer::Low, Layer::Mid, Layer::High].into_iter().zip(rids).map(|(l, r)| LayerSource::rid(l, r));
        TrackSpec { kind: TrackKind::Video, layers: layers.collect() }
    }
}

/// Header extension ids as negotiated in the SDP (`a=extmap`); `None` when not negotiated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtensionIds {
    /// `urn:ietf:params:rtp-hdrext:ssrc-audio-level`
    pub audio_level: Option<u8>,
    /// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`
    pub rid: Option<u8>,
}

/// The room's tuning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomConfig {
    pub extensions: ExtensionIds,
    /// Minimum time between two keyframe requests for one publisher layer.
    pub keyframe_interval: Duration,
    /// What each simulcast layer costs a subscriber, in bits per second: low, mid, high.
    pub layer_bitrates: [u64; 3],
    /// What an audio subscription costs, taken off the estimate before video is allocated.
    pub audio_bitrate: u64,
    /// Moving a subscriber up a layer needs the new total to fit in this share of the estimate
    /// (in percent); staying or moving down needs it to fit in all of it. The gap is the hysteresis
    /// that keeps an estimate wobbling around a layer's cost from flapping between layers.
    pub upgrade_headroom_percent: u64,
    pub speaker: SpeakerConfig,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            extensions: ExtensionIds::default(),
            keyframe_interval: Duration::from_millis(500),
            layer_bitrates: [150_000, 500_000, 1_500_000],
            audio_bitrate: 40_000,
            upgrade_headroom_percent: 85,
            speaker: SpeakerConfig::default(),
        }
    }
}

/// A packet to write on a subscriber's track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    pub to: ParticipantId,
    /// The subscription's outgoing SSRC (already written into `packet`).
    pub ssrc: u32,
    pub packet: Vec<u8>,
}

/// Ask a publisher for a keyframe (RTCP PLI) on one of its SSRCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyframeRequest {
    pub to: ParticipantId,
    pub ssrc: u32,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Forward(Forward),
    KeyframeRequest(KeyframeRequest),
    /// The active speaker changed; tell everyone in the room.
    ActiveSpeaker(ParticipantId),
    /// A track `to` was subscribed to is gone (unpublished, publisher left the stage or the room).
    TrackEnded {
        to: ParticipantId,
        track: TrackId,
    },
}

/// Why the room refused a request. The room is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomError {
    NotInRoom(ParticipantId),
    AlreadyInRoom(ParticipantId),
    /// The host locked the room; only hosts may join.
    Locked,
    /// Only people on stage (host, speakers) may publish.
    NotOnStage,
    /// Only a host may moderate.
    NotHost,
    /// Hosts cannot be moderated.
    TargetIsHost,
    UnknownTrack(TrackId),
    /// The track is someone else's.
    NotYourTrack(TrackId),
    /// The track description makes no sense.
    InvalidTrack(&'static str),
    /// The publisher already sends this SSRC.
    SsrcInUse(u32),
    OwnTrack,
    AlreadySubscribed,
    NotSubscribed,
    /// A picture-loss report for an SSRC the subscriber does not receive.
    UnknownSsrc(u32),
}

impl fmt::Display for RoomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomError::NotInRoom(_) => f.write_str("not in the room"),
            RoomError::AlreadyInRoom(_) => f.write_str("already in the room"),
            RoomError::Locked => f.write_str("the room is locked"),
            RoomError::NotOnStage => f.write_str("only people on stage may publish"),
            RoomError::NotHost => f.write_str("only a host may do that"),
            RoomError::TargetIsHost => f.write_str("a host cannot be moderated"),
            RoomError::UnknownTrack(_) => f.write_str("no such track"),
            RoomError::NotYourTrack(_) => f.write_str("the track is someone else's"),
            RoomError::InvalidTrack(why) => f.write_str(why),
            RoomError::SsrcInUse(ssrc) => write!(f, "SSRC {ssrc} is already published"),
            RoomError::OwnTrack => f.write_str("cannot subscribe to one's own track"),
            RoomError::AlreadySubscribed => f.write_str("already subscribed"),
            RoomError::NotSubscribed => f.write_str("not subscribed"),
            RoomError::UnknownSsrc(ssrc) => write!(f, "no subscription with SSRC {ssrc}"),
        }
    }
}

impl std::error::Error for RoomError {}

/// Why an incoming RTP packet was dropped. Every drop is counted in [`Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    Malformed(RtpError),
    /// The sender is not in the room.
    NotInRoom,
    /// No published layer of the sender has this SSRC (nor, with RIDs, announces one).
    UnknownSsrc(u32),
    /// The host muted the sender.
    Muted,
}

/// Counters for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub forwarded: u64,
    pub dropped_malformed: u64,
    pub dropped_not_in_room: u64,
    pub dropped_unknown_ssrc: u64,
    pub dropped_muted: u64,
    pub keyframe_requests_sent: u64,
    /// Requests from subscribers swallowed by the per-layer rate limit.
    pub keyframe_requests_suppressed: u64,
}

#[derive(Debug)]
struct Participant {
    role: Role,
    muted: bool,
    /// Extension ids negotiated on this participant's publishing connection, when they differ
    /// from the room's.
    extensions: Option<ExtensionIds>,
    /// The subscriber's last bandwidth estimate; none means unconstrained.
    estimate: Option<u64>,
}

#[derive(Debug)]
struct PublishedLayer {
    layer: Layer,
    ssrc: Option<u32>,
    rid: Option<String>,
    last_keyframe_request: Option<Duration>,
}

#[derive(Debug)]
struct Track {
    owner: ParticipantId,
    kind: TrackKind,
    /// Sorted by layer.
    layers: Vec<PublishedLayer>,
    subscribers: BTreeMap<ParticipantId, Downtrack>,
}

impl Track {
    /// Layers whose SSRC is known, lowest first.
    fn available(&self) -> Vec<Layer> {
        self.layers.iter().filter(|l| l.ssrc.is_some()).map(|l| l.layer).collect()
    }

    fn highest(&self) -> Layer {
        self.layers.last().map_or(Layer::High, |l| l.layer)
    }
}

/// One subscriber's view of one track.
#[derive(Debug)]
struct Downtrack {
    out_ssrc: u32,
    /// The layer bandwidth allows.
    target: Layer,
    /// The layer being forwarded; none before the first packet (audio) or keyframe (video).
    current: Option<Layer>,
    /// Outgoing = incoming + offset, for the current layer.
    seq_offset: u16,
    ts_offset: u32,
    /// First incoming sequence number forwarded on the current layer: older packets of that layer
    /// would collide with what was sent before the switch, so they are dropped.
    switch_seq: u16,
    /// Highest outgoing sequence number and timestamp sent, and when.
    last: Option<(u16, u32, Duration)>,
}

/// See the module documentation.
#[derive(Debug)]
pub struct Room {
    config: RoomConfig,
    participants: BTreeMap<ParticipantId, Participant>,
    tracks: BTreeMap<TrackId, Track>,
    /// (publisher, SSRC) → track and layer. SSRCs are only unique per peer connection.
    by_ssrc: HashMap<(ParticipantId, u32), (TrackId, Layer)>,
    next_track: u32,
    next_out_ssrc: u32,
    locked: bool,
    speaker: SpeakerDetector<ParticipantId>,
    stats: Stats,
}

impl Room {
    /// A room with its host already in it.
    pub fn new(config: RoomConfig, host: ParticipantId) -> Self {
        let mut room = Room::empty(config);
        room.participants
            .insert(host, Participant { role: Role::Host, muted: false, extensions: None, estimate: None });
        room
    }

    /// A room nobody is in yet (hosts join with [`Role::Host`]).
    pub fn empty(config: RoomConfig) -> Self {
        let speaker = SpeakerDetector::new(config.speaker);
        Room {
            config,
            participants: BTreeMap::new(),
            tracks: BTreeMap::new(),
            by_ssrc: HashMap::new(),
            next_track: 1,
            // Any fixed start works: outgoing SSRCs only need to be unique per subscriber.
            next_out_ssrc: 0x4b44_0001,
            locked: false,
            speaker,
            stats: Stats::default(),
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn role(&self, who: ParticipantId) -> Option<Role> {
        self.participants.get(&who).map(|p| p.role)
    }

    pub fn is_muted(&self, who: ParticipantId) -> Option<bool> {
        self.participants.get(&who).map(|p| p.muted)
    }

    pub fn is_locked(&self) -> bool {
        self.locked
    }

    pub fn active_speaker(&self) -> Option<ParticipantId> {
        self.speaker.current()
    }

    /// The tracks published in the room, with their owner and kind.
    pub fn tracks(&self) -> impl Iterator<Item = (TrackId, ParticipantId, TrackKind)> + '_ {
        self.tracks.iter().map(|(id, t)| (*id, t.owner, t.kind))
    }

    /// The layer a subscriber receives now and the one bandwidth allows, if subscribed.
    pub fn layers_of(&self, subscriber: ParticipantId, track: TrackId) -> Option<(Option<Layer>, Layer)> {
        let d = self.tracks.get(&track)?.subscribers.get(&subscriber)?;
        Some((d.current, d.target))
    }

    /// Someone joins, in the role the shell decided (hosts are coordinators of the event).
    pub fn join(&mut self, who: ParticipantId, role: Role) -> Result<(), RoomError> {
        if self.participants.contains_key(&who) {
            return Err(RoomError::AlreadyInRoom(who));
        }
        if self.locked && role != Role::Host {
            return Err(RoomError::Locked);
        }
        self.participants.insert(who, Participant { role, muted: false, extensions: None, estimate: None });
        Ok(())
    }

    /// Someone leaves: their tracks end and their subscriptions go.
    pub fn leave(&mut self, who: ParticipantId) -> Result<Vec<Effect>, RoomError> {
        self.participant(who)?;
        let effects = self.end_tracks_of(who);
        for track in self.tracks.values_mut() {
            track.subscribers.remove(&who);
        }
        self.participants.remove(&who);
        Ok(effects)
    }

    /// Publishes a track. Only people on stage may.
    pub fn publish(&mut self, from: ParticipantId, spec: TrackSpec) -> Result<TrackId, RoomError> {
        if !self.participant(from)?.role.on_stage() {
            return Err(RoomError::NotOnStage);
        }
        let mut layers = spec.layers;
        layers.sort_by_key(|l| l.layer);
        if layers.is_empty() {
            return Err(RoomError::InvalidTrack("a track needs at least one layer"));
        }
        if spec.kind == TrackKind::Audio && layers.len() != 1 {
            return Err(RoomError::InvalidTrack("audio has no simulcast layers"));
        }
        if layers.windows(2).any(|w| w[0].layer == w[1].layer) {
            return Err(RoomError::InvalidTrack("each layer may appear once"));
        }
        if layers.iter().any(|l| l.ssrc.is_none() && l.rid.is_none()) {
            return Err(RoomError::InvalidTrack("each layer needs an SSRC or a RID"));
        }
        for (i, l) in layers.iter().enumerate() {
            if let Some(ssrc) = l.ssrc
                && (self.by_ssrc.contains_key(&(from, ssrc)) || layers[..i].iter().any(|o| o.ssrc == Some(ssrc)))
            {
                return Err(RoomError::SsrcInUse(ssrc));
            }
        }
        let id = TrackId(self.next_track);
        self.next_track += 1;
        for l in &layers {
            if let Some(ssrc) = l.ssrc {
                self.by_ssrc.insert((from, ssrc), (id, l.layer));
            }
        }
        let layers = layers
            .into_iter()
            .map(|l| PublishedLayer { layer: l.layer, ssrc: l.ssrc, rid: l.rid, last_keyframe_request: None })
            .collect();
        self.tracks.insert(id, Track { owner: from, kind: spec.kind, layers, subscribers: BTreeMap::new() });
        Ok(id)
    }

    /// Withdraws one of one's own tracks.
    pub fn unpublish(&mut self, from: ParticipantId, track: TrackId) -> Result<Vec<Effect>, RoomError> {
        self.participant(from)?;
        let t = self.tracks.get(&track).ok_or(RoomError::UnknownTrack(track))?;
        if t.owner != from {
            return Err(RoomError::NotYourTrack(track));
        }
        Ok(self.end_track(track))
    }

    /// Subscribes to a track. Returns the subscription's outgoing SSRC (for the subscriber's SDP)
    /// and, for video, a keyframe request so the newcomer has a picture promptly.
    pub fn subscribe(
        &mut self,
        now: Duration,
        subscriber: ParticipantId,
        track: TrackId,
    ) -> Result<(u32, Vec<Effect>), RoomError> {
        self.participant(subscriber)?;
        let t = self.tracks.get_mut(&track).ok_or(RoomError::UnknownTrack(track))?;
        if t.owner == subscriber {
            return Err(RoomError::OwnTrack);
        }
        if t.subscribers.contains_key(&subscriber) {
            return Err(RoomError::AlreadySubscribed);
        }
        let out_ssrc = self.next_out_ssrc;
        self.next_out_ssrc = self.next_out_ssrc.wrapping_add(1);
        let target = t.highest();
        t.subscribers.insert(
            subscriber,
            Downtrack { out_ssrc, target, current: None, seq_offset: 0, ts_offset: 0, switch_seq: 0, last: None },
        );
        let mut effects = self.allocate(now, subscriber);
        let t = &self.tracks[&track];
        if t.kind == TrackKind::Video {
            let target = t.subscribers[&subscriber].target;
            let wanted = t.layers.iter().find(|l| l.layer == target).and_then(|l| l.ssrc);
            // `allocate` may already have asked (the target moved off the highest layer); a new
            // subscriber needs a keyframe either way.
            let asked = effects
                .iter()
                .any(|e| matches!(e, Effect::KeyframeRequest(k) if k.to == t.owner && Some(k.ssrc) == wanted));
            if !asked {
                effects.extend(self.request_keyframe(now, track, target, true));
            }
        }
        Ok((out_ssrc, effects))
    }

    pub fn unsubscribe(&mut self, subscriber: ParticipantId, track: TrackId) -> Result<(), RoomError> {
        let t = self.tracks.get_mut(&track).ok_or(RoomError::UnknownTrack(track))?;
        t.subscribers.remove(&subscriber).map(|_| ()).ok_or(RoomError::NotSubscribed)
    }

    /// A subscriber reports picture loss (RTCP PLI or FIR, or NACKs that could not be repaired) on
    /// the SSRC it receives: ask the publisher of the layer it receives for a keyframe, rate-limited.
    pub fn on_picture_loss(
        &mut self,
        now: Duration,
        subscriber: ParticipantId,
        ssrc: u32,
    ) -> Result<Vec<Effect>, RoomError> {
        self.participant(subscriber)?;
        let found = self.tracks.iter().find_map(|(id, t)| {
            let d = t.subscribers.get(&subscriber).filter(|d| d.out_ssrc == ssrc)?;
            Some((*id, t.kind, d.current.unwrap_or(d.target)))
        });
        let Some((track, kind, layer)) = found else {
            return Err(RoomError::UnknownSsrc(ssrc));
        };
        if kind == TrackKind::Audio {
            return Ok(Vec::new());
        }
        Ok(self.request_keyframe(now, track, layer, true))
    }

    /// The subscriber cannot have decoded what was forwarded so far on `track` (its connection
    /// only now became able to receive): start over at the next keyframe, asking for one. The
    /// stream stays continuous (sequence numbers go on from the last sent).
    pub fn resync(
        &mut self,
        now: Duration,
        subscriber: ParticipantId,
        track: TrackId,
    ) -> Result<Vec<Effect>, RoomError> {
        self.participant(subscriber)?;
        let t = self.tracks.get_mut(&track).ok_or(RoomError::UnknownTrack(track))?;
        let d = t.subscribers.get_mut(&subscriber).ok_or(RoomError::NotSubscribed)?;
        if t.kind == TrackKind::Audio {
            return Ok(Vec::new());
        }
        d.current = None;
        let target = d.target;
        Ok(self.request_keyframe(now, track, target, false))
    }

    /// A subscriber's downlink bandwidth estimate (from TWCC or REMB): pick for each of its video
    /// subscriptions the highest layer that fits, and ask for keyframes where a layer must change.
    pub fn on_estimate(
        &mut self,
        now: Duration,
        subscriber: ParticipantId,
        bits_per_sec: u64,
    ) -> Result<Vec<Effect>, RoomError> {
        self.participant_mut(subscriber)?.estimate = Some(bits_per_sec);
        Ok(self.allocate(now, subscriber))
    }

    /// An RTP packet from `from`'s peer connection: forward it to every subscriber of its track.
    pub fn on_rtp(&mut self, now: Duration, from: ParticipantId, bytes: &[u8]) -> Result<Vec<Effect>, Dropped> {
        let packet = match RtpPacket::parse(bytes) {
            Ok(packet) => packet,
            Err(e) => {
                self.stats.dropped_malformed += 1;
                return Err(Dropped::Malformed(e));
            }
        };
        let Some(sender) = self.participants.get(&from) else {
            self.stats.dropped_not_in_room += 1;
            return Err(Dropped::NotInRoom);
        };
        let muted = sender.muted;
        let extensions = sender.extensions.unwrap_or(self.config.extensions);
        let ssrc = packet.header.ssrc;
        let mut effects = Vec::new();
        let (track_id, layer) = match self.by_ssrc.get(&(from, ssrc)) {
            Some(found) => *found,
            None => match self.bind_rid(from, extensions.rid, &packet) {
                Some(found) => {
                    // A newly seen layer may be what some subscribers were waiting for.
                    let subscribers: Vec<_> = self.tracks[&found.0].subscribers.keys().copied().collect();
                    for s in subscribers {
                        effects.extend(self.allocate(now, s));
                    }
                    found
                }
                None => {
                    self.stats.dropped_unknown_ssrc += 1;
                    return Err(Dropped::UnknownSsrc(ssrc));
                }
            },
        };
        if muted {
            self.stats.dropped_muted += 1;
            return Err(Dropped::Muted);
        }
        let track = self.tracks.get_mut(&track_id).expect("by_ssrc only names live tracks");
        let kind = track.kind;
        if kind == TrackKind::Audio
            && let Some(id) = extensions.audio_level
            && let Some(level) = packet.audio_level(id)
            && let Some(speaker) = self.speaker.observe(now, from, level)
        {
            effects.push(Effect::ActiveSpeaker(speaker));
        }
        // A payload the VP8 reader cannot make sense of is still forwarded: the decoder decides.
        let keyframe = kind == TrackKind::Video && vp8::is_keyframe(packet.payload()).unwrap_or(false);
        let available = track.available();
        let mut pending = Vec::new();
        for (to, d) in track.subscribers.iter_mut() {
            let target = effective_target(d.target, &available);
            if let Some(forward) = d.forward(kind, layer, target, keyframe, &packet, now) {
                effects.push(Effect::Forward(Forward { to: *to, ssrc: d.out_ssrc, packet: forward }));
                self.stats.forwarded += 1;
            }
            if kind == TrackKind::Video && d.current != Some(target) {
                pending.push(target);
            }
        }
        // Subscribers waiting for a keyframe keep asking (rate-limited), in case a request was lost.
        pending.sort();
        pending.dedup();
        for layer in pending {
            effects.extend(self.request_keyframe(now, track_id, layer, false));
        }
        Ok(effects)
    }

    /// Mutes or unmutes someone: a muted participant's packets are dropped.
    pub fn mute(&mut self, actor: ParticipantId, target: ParticipantId, muted: bool) -> Result<(), RoomError> {
        self.moderate(actor, target)?;
        self.participant_mut(target)?.muted = muted;
        if muted {
            self.speaker.forget(target);
        }
        Ok(())
    }

    /// Removes someone from the room.
    pub fn remove(&mut self, actor: ParticipantId, target: ParticipantId) -> Result<Vec<Effect>, RoomError> {
        self.moderate(actor, target)?;
        self.leave(target)
    }

    /// Brings an audience member on stage: they may publish.
    pub fn bring_on_stage(&mut self, actor: ParticipantId, target: ParticipantId) -> Result<(), RoomError> {
        self.moderate(actor, target)?;
        self.participant_mut(target)?.role = Role::Speaker;
        Ok(())
    }

    /// Sends a speaker back to the audience: their tracks end.
    pub fn send_to_audience(&mut self, actor: ParticipantId, target: ParticipantId) -> Result<Vec<Effect>, RoomError> {
        self.moderate(actor, target)?;
        self.participant_mut(target)?.role = Role::Audience;
        Ok(self.end_tracks_of(target))
    }

    /// Locks or unlocks the room: while locked, only hosts may join.
    pub fn lock(&mut self, actor: ParticipantId, locked: bool) -> Result<(), RoomError> {
        if self.participant(actor)?.role != Role::Host {
            return Err(RoomError::NotHost);
        }
        self.locked = locked;
        Ok(())
    }

    /// The header extension ids of `who`'s publishing connection (from its SDP), used instead of
    /// the room's for the packets they send.
    pub fn set_extensions(&mut self, who: ParticipantId, extensions: ExtensionIds) -> Result<(), RoomError> {
        self.participant_mut(who)?.extensions = Some(extensions);
        Ok(())
    }

    /// Binds the SSRC of one of `from`'s published layers, when the shell learns it another way
    /// than the RID extension (its WebRTC stack saw the stream open). Subscribers waiting for the
    /// layer are re-allocated.
    pub fn bind_layer(
        &mut self,
        now: Duration,
        from: ParticipantId,
        track: TrackId,
        layer: Layer,
        ssrc: u32,
    ) -> Result<Vec<Effect>, RoomError> {
        self.participant(from)?;
        if let Some(bound) = self.by_ssrc.get(&(from, ssrc)) {
            return if *bound == (track, layer) { Ok(Vec::new()) } else { Err(RoomError::SsrcInUse(ssrc)) };
        }
        let t = self.tracks.get_mut(&track).ok_or(RoomError::UnknownTrack(track))?;
        if t.owner != from {
            return Err(RoomError::NotYourTrack(track));
        }
        let l = t.layers.iter_mut().find(|l| l.layer == layer).ok_or(RoomError::InvalidTrack("no such layer"))?;
        if let Some(old) = l.ssrc.replace(ssrc) {
            self.by_ssrc.remove(&(from, old));
        }
        self.by_ssrc.insert((from, ssrc), (track, layer));
        let subscribers: Vec<_> = self.tracks[&track].subscribers.keys().copied().collect();
        let mut effects = Vec::new();
        for s in subscribers {
            effects.extend(self.allocate(now, s));
        }
        Ok(effects)
    }

    fn moderate(&self, actor: ParticipantId, target: ParticipantId) -> Result<(), RoomError> {
        if self.participant(actor)?.role != Role::Host {
            return Err(RoomError::NotHost);
        }
        if self.participant(target)?.role == Role::Host {
            return Err(RoomError::TargetIsHost);
        }
        Ok(())
    }

    fn participant(&self, who: ParticipantId) -> Result<&Participant, RoomError> {
        self.participants.get(&who).ok_or(RoomError::NotInRoom(who))
    }

    fn participant_mut(&mut self, who: ParticipantId) -> Result<&mut Participant, RoomError> {
        self.participants.get_mut(&who).ok_or(RoomError::NotInRoom(who))
    }

    fn end_tracks_of(&mut self, who: ParticipantId) -> Vec<Effect> {
        self.speaker.forget(who);
        let own: Vec<TrackId> = self.tracks.iter().filter(|(_, t)| t.owner == who).map(|(id, _)| *id).collect();
        own.into_iter().flat_map(|id| self.end_track(id)).collect()
    }

    fn end_track(&mut self, id: TrackId) -> Vec<Effect> {
        let Some(track) = self.tracks.remove(&id) else { return Vec::new() };
        self.by_ssrc.retain(|_, (t, _)| *t != id);
        track.subscribers.into_keys().map(|to| Effect::TrackEnded { to, track: id }).collect()
    }

    /// Binds the SSRC of a RID layer the first time a packet of it announces its RID.
    fn bind_rid(
        &mut self,
        from: ParticipantId,
        rid_id: Option<u8>,
        packet: &RtpPacket<'_>,
    ) -> Option<(TrackId, Layer)> {
        let rid = packet.extension(rid_id?)?;
        let ssrc = packet.header.ssrc;
        let (id, layer) = self.tracks.iter_mut().filter(|(_, t)| t.owner == from).find_map(|(id, t)| {
            let l =
                t.layers.iter_mut().find(|l| l.ssrc.is_none() && l.rid.as_deref().map(str::as_bytes) == Some(rid))?;
            l.ssrc = Some(ssrc);
            Some((*id, l.layer))
        })?;
        self.by_ssrc.insert((from, ssrc), (id, layer));
        Some((id, layer))
    }

    /// Asks `track`'s publisher for a keyframe on `layer`, unless one was asked for too recently.
    fn request_keyframe(&mut self, now: Duration, track: TrackId, layer: Layer, count_suppressed: bool) -> Vec<Effect> {
        let interval = self.config.keyframe_interval;
        let Some(t) = self.tracks.get_mut(&track) else { return Vec::new() };
        let owner = t.owner;
        let Some(l) = t.layers.iter_mut().find(|l| l.layer == layer) else { return Vec::new() };
        let Some(ssrc) = l.ssrc else { return Vec::new() };
        if l.last_keyframe_request.is_some_and(|last| now.saturating_sub(last) < interval) {
            if count_suppressed {
                self.stats.keyframe_requests_suppressed += 1;
            }
            return Vec::new();
        }
        l.last_keyframe_request = Some(now);
        self.stats.keyframe_requests_sent += 1;
        vec![Effect::KeyframeRequest(KeyframeRequest { to: owner, ssrc })]
    }

    /// Re-chooses the target layer of each of `subscriber`'s video subscriptions from its estimate.
    ///
    /// Audio is reserved first. Then every video subscription gets its lowest available layer and,
    /// round by round, each moves up one layer while the total fits, so bandwidth is shared fairly
    /// before anyone gets the highest layer. Going above a subscription's current target must fit
    /// in the headroom share of the estimate (hysteresis).
    fn allocate(&mut self, now: Duration, subscriber: ParticipantId) -> Vec<Effect> {
        let Some(estimate) = self.participants.get(&subscriber).map(|p| p.estimate) else { return Vec::new() };
        let audio_subs = self
            .tracks
            .values()
            .filter(|t| t.kind == TrackKind::Audio && t.subscribers.contains_key(&subscriber))
            .count() as u64;
        // (track, available layers, old target, new target)
        let mut video: Vec<(TrackId, Vec<Layer>, Layer, Layer)> = self
            .tracks
            .iter()
            .filter(|(_, t)| t.kind == TrackKind::Video)
            .filter_map(|(id, t)| {
                let d = t.subscribers.get(&subscriber)?;
                let available = t.available();
                let start = available.first().copied().unwrap_or(d.target);
                Some((*id, available, d.target, start))
            })
            .collect();
        match estimate {
            None => {
                for (_, available, _, new) in &mut video {
                    *new = available.last().copied().unwrap_or(*new);
                }
            }
            Some(bps) => {
                let cost = |l: Layer| self.config.layer_bitrates[l.index()];
                let budget = bps.saturating_sub(self.config.audio_bitrate * audio_subs);
                let upgrade_budget = budget / 100 * self.config.upgrade_headroom_percent;
                let mut total: u64 = video.iter().map(|v| cost(v.3)).sum();
                loop {
                    let mut moved = false;
                    for (_, available, old, new) in &mut video {
                        let Some(next) = available.iter().copied().find(|l| *l > *new) else { continue };
                        let after = total - cost(*new) + cost(next);
                        let limit = if next <= *old { budget } else { upgrade_budget };
                        if after <= limit {
                            total = after;
                            *new = next;
                            moved = true;
                        }
                    }
                    if !moved {
                        break;
                    }
                }
            }
        }
        let mut effects = Vec::new();
        for (track, _, old, new) in video {
            let d = self.tracks.get_mut(&track).and_then(|t| t.subscribers.get_mut(&subscriber));
            let Some(d) = d else { continue };
            d.target = new;
            if new != old && d.current != Some(new) {
                effects.extend(self.request_keyframe(now, track, new, true));
            }
        }
        effects
    }
}

impl Downtrack {
    /// The packet as this subscriber must receive it, or none if it does not get this one.
    fn forward(
        &mut self,
        kind: TrackKind,
        layer: Layer,
        target: Layer,
        keyframe: bool,
        packet: &RtpPacket<'_>,
        now: Duration,
    ) -> Option<Vec<u8>> {
        let h = packet.header;
        if self.current != Some(layer) {
            if !should_switch(kind, self.current, target, layer, keyframe) {
                return None;
            }
            self.switch_to(layer, h.sequence, h.timestamp, now, kind);
        } else if seq_before(h.sequence, self.switch_seq) {
            // Older than the switch: its outgoing number was already used by the previous layer.
            return None;
        }
        let out_seq = h.sequence.wrapping_add(self.seq_offset);
        let out_ts = h.timestamp.wrapping_add(self.ts_offset);
        match self.last {
            Some((seq, _, _)) if seq_before(out_seq, seq) => {}
            _ => self.last = Some((out_seq, out_ts, now)),
        }
        let mut out = packet.bytes().to_vec();
        // Cannot fail: the packet parsed, so it has a fixed header.
        let _ = rtp::rewrite(&mut out, out_seq, out_ts, self.out_ssrc);
        Some(out)
    }

    /// Starts forwarding `layer` from this packet on, so that the outgoing stream continues where
    /// it left off: the next sequence number, and a timestamp advanced by the time that passed.
    fn switch_to(&mut self, layer: Layer, seq: u16, ts: u32, now: Duration, kind: TrackKind) {
        if let Some((last_seq, last_ts, at)) = self.last {
            let elapsed = now.saturating_sub(at);
            let ticks = (elapsed.as_micros() as u64).saturating_mul(kind.clock_rate()) / 1_000_000;
            let out_ts = last_ts.wrapping_add(ticks.max(1) as u32);
            self.seq_offset = last_seq.wrapping_add(1).wrapping_sub(seq);
            self.ts_offset = out_ts.wrapping_sub(ts);
        }
        self.current = Some(layer);
        self.switch_seq = seq;
    }
}

/// The layer to aim for: the target if it is published, else the nearest published one below it,
/// else the lowest published.
fn effective_target(target: Layer, available: &[Layer]) -> Layer {
    available.iter().rev().copied().find(|l| *l <= target).or_else(|| available.first().copied()).unwrap_or(target)
}

/// Whether a packet of `layer` should become the subscription's current layer.
fn should_switch(kind: TrackKind, current: Option<Layer>, target: Layer, layer: Layer, keyframe: bool) -> bool {
    match kind {
        TrackKind::Audio => current.is_none(),
        TrackKind::Video => {
            // Only at a keyframe, and only towards the target: a newcomer takes the first keyframe
            // at or below its target, so it has a picture as soon as possible.
            keyframe
                && match current {
                    None => layer <= target,
                    Some(c) if c < target => c < layer && layer <= target,
                    Some(c) => target <= layer && layer < c,
                }
        }
    }
}

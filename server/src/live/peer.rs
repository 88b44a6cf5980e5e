//! Building the SFU's peer connections on webrtc-rs's sans-IO core (`rtc`): ICE-lite with the
//! SFU's fixed credentials and its host candidates on the one UDP port, VP8 and Opus only, and
//! the interceptors each direction needs.

use std::net::SocketAddr;
use std::time::Instant;

use std::collections::VecDeque;

use rtc::interceptor::{
    Attribute, Interceptor, NackGeneratorBuilder, NackResponderBuilder, Packet, ReceiverReportBuilder, Registry,
    SenderReportBuilder, Slot, StreamInfo, TaggedPacket,
};
use rtc::peer_connection::RTCPeerConnection;
use rtc::peer_connection::RTCPeerConnectionBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::configure_twcc_receiver_only;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8, MediaEngine};
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::transport::{CandidateConfig, CandidateHostConfig, RTCDtlsRole, RTCIceCandidate};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpHeaderExtensionCapability, RtpCodecKind,
};
use rtc::sansio::Protocol;

pub const OPUS_PT: u8 = 111;
pub const VP8_PT: u8 = 96;

/// Which way media flows on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The client offers and sends (someone on stage).
    Publish,
    /// The SFU offers and sends (everyone watching).
    Subscribe,
}

pub fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

pub fn vp8() -> RTCRtpCodec {
    let fb = |typ: &str, parameter: &str| RTCPFeedback { typ: typ.to_owned(), parameter: parameter.to_owned() };
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        // REMB: viewers report what their downlink allows, which picks their simulcast layer.
        rtcp_feedback: vec![fb("goog-remb", ""), fb("ccm", "fir"), fb("nack", ""), fb("nack", "pli")],
    }
}

fn media(direction: Direction) -> Result<(MediaEngine, Registry), rtc::shared::error::Error> {
    let mut engine = MediaEngine::default();
    engine.register_codec(RTCRtpCodecParameters { rtp_codec: opus(), payload_type: OPUS_PT }, RtpCodecKind::Audio)?;
    engine.register_codec(RTCRtpCodecParameters { rtp_codec: vp8(), payload_type: VP8_PT }, RtpCodecKind::Video)?;
    let ext = |uri: &str| RTCRtpHeaderExtensionCapability { uri: uri.to_owned() };
    engine.register_header_extension(ext("urn:ietf:params:rtp-hdrext:sdes:mid"), RtpCodecKind::Audio, None)?;
    engine.register_header_extension(ext("urn:ietf:params:rtp-hdrext:sdes:mid"), RtpCodecKind::Video, None)?;
    let mut registry = Registry::new()
        .with(Slot::ReceiverReport, ReceiverReportBuilder::new().build())
        .with(Slot::SenderReport, SenderReportBuilder::new().build());
    match direction {
        Direction::Publish => {
            // The audio level picks the active speaker; RIDs name simulcast layers; transport-wide
            // congestion control feedback lets the publisher's browser find its uplink's rate.
            engine.register_header_extension(
                ext("urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                RtpCodecKind::Audio,
                None,
            )?;
            for uri in [
                "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            ] {
                engine.register_header_extension(ext(uri), RtpCodecKind::Video, None)?;
            }
            registry = registry.with(Slot::NackGenerator, NackGeneratorBuilder::new().build());
            registry = configure_twcc_receiver_only(registry, &mut engine)?;
        }
        Direction::Subscribe => {
            // Resend what a viewer lost, from a short history per stream; pass its keyframe
            // requests and bandwidth estimates up to the room.
            registry = registry
                .with(Slot::NackResponder, NackResponderBuilder::new().with_size(256).build())
                .with(Slot::from(14_000usize), DeliverFeedback::default());
        }
    }
    Ok((engine, registry))
}

/// A new peer connection: ICE-lite with the given credentials, the SFU's host candidates added.
pub fn connection(
    direction: Direction,
    ufrag: &str,
    password: &str,
    candidates: &[SocketAddr],
    now: Instant,
) -> Result<RTCPeerConnection, rtc::shared::error::Error> {
    let (engine, registry) = media(direction)?;
    let settings = SettingEngineBuilder::new()
        .with_lite(true)
        .with_ice_credentials(ufrag.to_owned(), password.to_owned())
        // The browser starts the DTLS handshake; the SFU only answers.
        .with_answering_dtls_role(RTCDtlsRole::Server)
        .build();
    let mut pc = RTCPeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_setting_engine(settings)
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .build(now)?;
    for addr in candidates {
        let candidate = CandidateHostConfig {
            base_config: CandidateConfig {
                network: "udp".to_owned(),
                address: addr.ip().to_string(),
                port: addr.port(),
                component: 1,
                ..Default::default()
            },
            ..Default::default()
        }
        .new_candidate_host()?;
        pc.add_local_candidate(RTCIceCandidate::from(&candidate).to_json()?)?;
    }
    pc.add_local_candidate(Default::default())?;
    Ok(pc)
}

/// Lets keyframe requests (PLI, FIR) and bandwidth estimates (REMB) through to the application
/// (inbound RTCP otherwise stops in the interceptor chain); other RTCP (reports, NACKs) stays
/// with the interceptors that act on it. The SFU's viewer connections use it, and so do the test
/// and benchmark publishers that must answer the SFU's keyframe requests.
#[derive(Default)]
pub struct DeliverFeedback {
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

fn is_feedback(packets: &[Box<dyn rtc::rtcp::Packet>]) -> bool {
    packets.iter().any(|p| {
        let any = p.as_any();
        any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>() || any.is::<ReceiverEstimatedMaximumBitrate>()
    })
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for DeliverFeedback {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = rtc::shared::error::Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet
            && is_feedback(packets)
        {
            msg.message.add(Attribute::DeliverToApplication);
        }
        self.read.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }

    fn handle_timeout(&mut self, _now: Instant) -> Result<(), Self::Error> {
        Ok(())
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }
}

impl Interceptor for DeliverFeedback {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}

//! Two real WebRTC peers, built on the `webrtc` crate, call each other through a real server:
//! the mentee and the mentor of an active match fetch their ICE servers (with TURN credentials
//! in coturn's shared-secret scheme, checked here independently of the server's code), the
//! mentee invites, the mentor rings and accepts, and the offer, answer and trickled ICE
//! candidates the two peer connections produce travel only through the server's call frames.
//! The peer connections reach `connected`, a data-channel message goes there and back, both
//! say `call_connected`, and the coordinator's record shows a call both joined, live and then
//! hung up. On SQLite and PostgreSQL, and with the two people on two nodes over Redis.
//!
//! The peers gather host candidates on 127.0.0.1 (one UDP socket each, bound explicitly: a
//! wildcard bind in the `webrtc` crate skips loopback). `KINDRED_TEST_WEBRTC_BIND` overrides
//! the address (e.g. `0.0.0.0:0` for every non-loopback interface).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use kindred_tests::{Backend, Cluster, MatchedPair, TestApp, Ws, both_backends, matched_pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceCandidateInit,
    RTCIceGatheringState, RTCIceServer, RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription,
};

both_backends!(two_webrtc_peers_connect_through_the_server);

/// How long the whole negotiation, from the offer to the data channel's echo, may take.
const NEGOTIATION: Duration = Duration::from_secs(30);
const TURN_SECRET: &str = "kindred-test-turn-secret";

/// Nothing listens on these: the peers are given them (to prove the server's ICE servers are a
/// configuration the `webrtc` crate accepts) but connect over host candidates.
fn ice_config(c: &mut kindred::config::Config) {
    c.worker_poll_ms = 50;
    c.stun_urls = vec!["stun:127.0.0.1:9".into()];
    c.turn_urls = vec!["turn:127.0.0.1:9?transport=udp".into()];
    c.turn_secret = Some(kindred::config::Secret::new(TURN_SECRET.to_owned()));
}

async fn two_webrtc_peers_connect_through_the_server(backend: Backend) {
    let app = TestApp::spawn_with(backend, ice_config).await;
    let p = matched_pair(&[&app]).await;
    a_real_call(&p, &app).await;
}

/// The mentee on one node, the mentor on the other: every frame crosses Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webrtc_peers_connect_across_two_nodes() {
    let cluster = Cluster::spawn(2, ice_config).await;
    let p = matched_pair(&[&cluster.nodes[0], &cluster.nodes[1]]).await;
    a_real_call(&p, &cluster.nodes[0]).await;
}

async fn a_real_call(p: &MatchedPair, app: &TestApp) {
    let [nia, kwame, _] = &p.ids;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;

    // Each fetches ICE servers: STUN as configured, TURN with credentials of their own.
    let mentee_ice = ice_servers(&p.mentee, nia, app).await;
    let mentor_ice = ice_servers(&p.mentor, kwame, app).await;

    // Invite, ring, accept.
    let call = Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "call": call, "to": kwame})).await;
    let invite = mentor_ws.recv_matching(is("call_invite", &call)).await;
    assert_eq!(invite["from"], nia.as_str());
    mentor_ws.send(json!({"type": "call_ringing", "call": call})).await;
    mentee_ws.recv_matching(is("call_ringing", &call)).await;
    mentor_ws.send(json!({"type": "call_accept", "call": call})).await;
    mentee_ws.recv_matching(state(&call, "connecting")).await;
    mentor_ws.recv_matching(state(&call, "connecting")).await;

    // The two peer connections negotiate through the server until media (here: a data channel)
    // flows and the server says the call is on.
    let started = std::time::Instant::now();
    let (caller, callee) = tokio::time::timeout(NEGOTIATION, async {
        tokio::join!(
            negotiate(&mut mentee_ws, &call, Role::Caller, mentee_ice),
            negotiate(&mut mentor_ws, &call, Role::Callee, mentor_ice)
        )
    })
    .await
    .expect("the peers connect and exchange a message in time");
    eprintln!(
        "connected and echoed in {:?}; caller candidates {:?}, callee candidates {:?}",
        started.elapsed(),
        caller.candidates,
        callee.candidates
    );
    // Real descriptions: DTLS fingerprints, ICE credentials and the data channel's SCTP section.
    for sdp in [&caller.sdp, &callee.sdp] {
        assert!(sdp.starts_with("v=0"), "{sdp}");
        for needle in ["a=fingerprint:sha-256 ", "a=ice-ufrag:", "a=ice-pwd:", "m=application ", "webrtc-datachannel"] {
            assert!(sdp.contains(needle), "{needle} missing from {sdp}");
        }
    }
    // Both trickled real candidates, and each got some of the other's (late ones may still be
    // on their way).
    assert!(caller.candidates_sent > 0 && callee.candidates_sent > 0, "{caller:?} {callee:?}");
    assert!(caller.candidates_received > 0 && callee.candidates_received > 0, "{caller:?} {callee:?}");
    assert_eq!(caller.echo.as_deref(), Some("echo: hello from the caller"));

    // While the call is on, the record shows it live and both joined.
    let live = call_record(p, &call).await;
    assert_eq!(live["live"], true, "{live}");
    assert_eq!((live["caller_joined"].as_bool(), live["callee_joined"].as_bool()), (Some(true), Some(true)), "{live}");
    assert!(live["started_at"].is_i64(), "{live}");

    // The mentee hangs up.
    mentee_ws.send(json!({"type": "call_hangup", "call": call})).await;
    mentor_ws.recv_matching(is("call_hangup", &call)).await;
    let ended = mentor_ws.recv_matching(state(&call, "ended")).await;
    assert_eq!((ended["reason"].as_str(), ended["by"].as_str()), (Some("hung_up"), Some(nia.as_str())));
    caller.pc.close().await.unwrap();
    callee.pc.close().await.unwrap();

    let record = call_record(p, &call).await;
    assert_eq!(record["live"], false, "{record}");
    assert_eq!(record["caller_id"], nia.as_str());
    assert_eq!(record["callee_id"], kwame.as_str());
    assert_eq!(
        (record["caller_joined"].as_bool(), record["callee_joined"].as_bool()),
        (Some(true), Some(true)),
        "{record}"
    );
    assert_eq!(record["end_reason"], "hung_up");
    assert!(record["duration_ms"].as_i64().is_some_and(|d| d >= 0), "{record}");
}

/// `GET /api/calls/ice-servers` for one person, checked, as the `webrtc` crate's configuration.
async fn ice_servers(who: &kindred_tests::Client, id: &str, app: &TestApp) -> Vec<RTCIceServer> {
    let reply = who.get("/api/calls/ice-servers").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let servers = reply.body["ice_servers"].as_array().expect("a list of ICE servers").clone();
    assert_eq!(servers.len(), 2, "{}", reply.text);
    assert_eq!(servers[0]["urls"], json!(["stun:127.0.0.1:9"]));
    assert!(servers[0].get("username").is_none() && servers[0].get("credential").is_none(), "{}", reply.text);
    let turn = &servers[1];
    assert_eq!(turn["urls"], json!(["turn:127.0.0.1:9?transport=udp"]));
    // coturn's shared-secret scheme: "<expiry unix seconds>:<user id>" ...
    let username = turn["username"].as_str().expect("a TURN username");
    let (expires, user) = username.split_once(':').expect("<expiry>:<user id>");
    assert_eq!(user, id);
    let expires: i64 = expires.parse().expect("the expiry is unix seconds");
    let ttl = reply.body["ttl_secs"].as_i64().expect("ttl_secs");
    let now = app.state.clock.now().unix_timestamp();
    assert!((now + ttl - 5..=now + ttl + 5).contains(&expires), "{username} (ttl {ttl})");
    // ... and base64(HMAC-SHA1(secret, username)), computed here on its own.
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TURN_SECRET.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(turn["credential"], expected.as_str());

    servers
        .iter()
        .map(|s| RTCIceServer {
            urls: s["urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_owned()).collect(),
            username: s["username"].as_str().unwrap_or_default().to_owned(),
            credential: s["credential"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

async fn call_record(p: &MatchedPair, call: &str) -> Value {
    let calls = p.coordinator.get(&format!("/api/programs/{}/calls", p.program)).await;
    assert_eq!(calls.status, StatusCode::OK, "{}", calls.text);
    calls.body["items"].as_array().unwrap().iter().find(|c| c["id"] == call).cloned().expect("the call's record")
}

fn is(kind: &'static str, call: &str) -> impl Fn(&Value) -> bool {
    let call = call.to_owned();
    move |f: &Value| f["type"] == kind && f["call"] == call.as_str()
}

fn state(call: &str, name: &'static str) -> impl Fn(&Value) -> bool {
    let call = call.to_owned();
    move |f: &Value| f["type"] == "call_state" && f["call"] == call.as_str() && f["state"] == name
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Caller,
    Callee,
}

/// What a peer connection tells its side.
enum PeerEvent {
    Candidate(RTCIceCandidateInit),
    GatheringComplete,
    State(RTCPeerConnectionState),
    Channel(Arc<dyn DataChannel>),
    Open,
    Message(String),
}

struct Events(mpsc::UnboundedSender<PeerEvent>);

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        let init = event.candidate.to_json().expect("a local candidate serializes");
        let _ = self.0.send(PeerEvent::Candidate(init));
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.0.send(PeerEvent::GatheringComplete);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.0.send(PeerEvent::State(state));
    }

    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        watch(channel.clone(), self.0.clone());
        let _ = self.0.send(PeerEvent::Channel(channel));
    }
}

/// Forwards a data channel's opening and messages to its side.
fn watch(channel: Arc<dyn DataChannel>, events: mpsc::UnboundedSender<PeerEvent>) {
    tokio::spawn(async move {
        while let Some(event) = channel.poll().await {
            let forwarded = match event {
                DataChannelEvent::OnOpen => PeerEvent::Open,
                DataChannelEvent::OnMessage(m) => PeerEvent::Message(String::from_utf8_lossy(&m.data).into_owned()),
                DataChannelEvent::OnClose => break,
                _ => continue,
            };
            if events.send(forwarded).is_err() {
                break;
            }
        }
    });
}

#[derive(Debug)]
struct Outcome {
    /// The local description this side sent (offer or answer).
    sdp: String,
    /// The candidates this side trickled, as sent.
    candidates: Vec<String>,
    candidates_sent: usize,
    candidates_received: usize,
    echo: Option<String>,
    pc: PeerHandle,
}

/// The peer connection, kept open until the test closes it.
struct PeerHandle(Arc<dyn PeerConnection>);

impl std::fmt::Debug for PeerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PeerConnection")
    }
}

impl PeerHandle {
    async fn close(&self) -> webrtc::error::Result<()> {
        self.0.close().await
    }
}

fn bind_addr() -> String {
    std::env::var("KINDRED_TEST_WEBRTC_BIND").unwrap_or_else(|_| "127.0.0.1:0".to_owned())
}

/// One side of the call, from `connecting` on: the caller offers (with a data channel), the
/// callee answers; both trickle their candidates through the server, queue the other's until
/// the remote description is set, and say `call_connected` when their peer connection is.
/// Returns once the data channel's message came back (caller) or was echoed (callee) and the
/// server said the call is `in_call`.
async fn negotiate(ws: &mut Ws, call: &str, role: Role, ice: Vec<RTCIceServer>) -> Outcome {
    let (tx, mut events) = mpsc::unbounded_channel();
    let config = RTCConfigurationBuilder::new().with_ice_servers(ice).build();
    let pc: Arc<dyn PeerConnection> = Arc::new(
        PeerConnectionBuilder::new()
            .with_configuration(config)
            .with_handler(Arc::new(Events(tx.clone())))
            .with_udp_addrs(vec![bind_addr()])
            .build()
            .await
            .expect("a peer connection"),
    );
    let mut channel = None;
    if role == Role::Caller {
        let dc = pc.create_data_channel("kindred", None).await.unwrap();
        watch(dc.clone(), tx.clone());
        channel = Some(dc);
        let offer = pc.create_offer(None).await.unwrap();
        pc.set_local_description(offer.clone()).await.unwrap();
        ws.send(json!({"type": "sdp_offer", "ref": "offer", "call": call, "sdp": offer.sdp})).await;
    }
    drop(tx);

    let mut remote_set = false;
    let mut queued: Vec<RTCIceCandidateInit> = Vec::new();
    let (mut sent, mut received) = (0, 0);
    let mut candidates = Vec::new();
    let (mut connected, mut in_call, mut echoed) = (false, false, false);
    let mut echo = None;
    loop {
        let done = connected && in_call && if role == Role::Caller { echo.is_some() } else { echoed };
        if done {
            break;
        }
        enum Step {
            Frame(Option<Result<Value, ()>>),
            Peer(Option<PeerEvent>),
        }
        let step = tokio::select! {
            frame = ws.next_timeout(Duration::from_secs(1)) => Step::Frame(frame),
            event = events.recv() => Step::Peer(event),
        };
        match step {
            Step::Frame(None) => continue,
            Step::Frame(Some(Err(()))) => panic!("{role:?}: the socket closed"),
            Step::Frame(Some(Ok(f))) if f["call"] != call => continue,
            Step::Frame(Some(Ok(f))) => match f["type"].as_str().unwrap_or_default() {
                "sdp_offer" if role == Role::Callee => {
                    let offer = RTCSessionDescription::offer(f["sdp"].as_str().unwrap().to_owned()).unwrap();
                    pc.set_remote_description(offer).await.expect("the caller's offer applies");
                    remote_set = true;
                    for c in queued.drain(..) {
                        pc.add_ice_candidate(c).await.expect("a queued candidate applies");
                    }
                    let answer = pc.create_answer(None).await.unwrap();
                    pc.set_local_description(answer.clone()).await.unwrap();
                    ws.send(json!({"type": "sdp_answer", "ref": "answer", "call": call, "sdp": answer.sdp})).await;
                }
                "sdp_answer" if role == Role::Caller => {
                    let answer = RTCSessionDescription::answer(f["sdp"].as_str().unwrap().to_owned()).unwrap();
                    pc.set_remote_description(answer).await.expect("the callee's answer applies");
                    remote_set = true;
                    for c in queued.drain(..) {
                        pc.add_ice_candidate(c).await.expect("a queued candidate applies");
                    }
                }
                "ice_candidate" => {
                    let candidate = f["candidate"].as_str().unwrap().to_owned();
                    if candidate.is_empty() {
                        continue; // the end of the other's candidates
                    }
                    received += 1;
                    let init = RTCIceCandidateInit {
                        candidate,
                        sdp_mid: f["sdp_mid"].as_str().map(str::to_owned),
                        sdp_mline_index: f["sdp_m_line_index"].as_u64().map(|i| i as u16),
                        ..Default::default()
                    };
                    if remote_set {
                        pc.add_ice_candidate(init).await.expect("a remote candidate applies");
                    } else {
                        // Candidates may come before the description they belong to.
                        queued.push(init);
                    }
                }
                "call_state" => match f["state"].as_str() {
                    Some("in_call") => in_call = true,
                    Some("ended") => panic!("{role:?}: the call ended: {f}"),
                    _ => {}
                },
                "call_error" => panic!("{role:?}: the server refused a frame: {f}"),
                _ => {}
            },
            Step::Peer(None) => panic!("{role:?}: the peer connection's events ended"),
            Step::Peer(Some(event)) => match event {
                PeerEvent::Candidate(c) => {
                    sent += 1;
                    candidates.push(c.candidate.clone());
                    let mut frame = json!({"type": "ice_candidate", "call": call, "candidate": c.candidate});
                    if let Some(mid) = c.sdp_mid.filter(|m| !m.is_empty()) {
                        frame["sdp_mid"] = json!(mid);
                    }
                    if let Some(index) = c.sdp_mline_index {
                        frame["sdp_m_line_index"] = json!(index);
                    }
                    ws.send(frame).await;
                }
                PeerEvent::GatheringComplete => {
                    // The end-of-candidates marker.
                    ws.send(json!({"type": "ice_candidate", "call": call, "candidate": ""})).await;
                }
                PeerEvent::State(RTCPeerConnectionState::Connected) if !connected => {
                    connected = true;
                    ws.send(json!({"type": "call_connected", "call": call})).await;
                }
                PeerEvent::State(s @ (RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed)) => {
                    panic!("{role:?}: the peer connection is {s}")
                }
                PeerEvent::State(_) => {}
                PeerEvent::Channel(dc) => channel = Some(dc),
                PeerEvent::Open => {
                    if role == Role::Caller {
                        channel.as_ref().unwrap().send_text("hello from the caller").await.unwrap();
                    }
                }
                PeerEvent::Message(text) => match role {
                    Role::Callee => {
                        let dc = channel.as_ref().expect("the caller's data channel");
                        dc.send_text(&format!("echo: {text}")).await.unwrap();
                        echoed = true;
                    }
                    Role::Caller => echo = Some(text),
                },
            },
        }
    }
    let sdp = pc.local_description().await.map(|d| d.sdp).unwrap_or_default();
    Outcome { sdp, candidates, candidates_sent: sent, candidates_received: received, echo, pc: PeerHandle(pc) }
}

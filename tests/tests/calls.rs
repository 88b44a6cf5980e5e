//! 1:1 call signaling over real WebSockets, on SQLite and PostgreSQL, and across two nodes over
//! Redis: the two people of an active match ring, answer, exchange descriptions and candidates,
//! and hang up, and the call is recorded; everyone else is refused and reaches no one; an offline
//! person cannot be called; an unanswered call becomes a missed call in the pair's chat.

use std::time::Duration;

use kindred_tests::{Backend, Cluster, MatchedPair as Pair, TestApp, Ws, both_backends, matched_pair as pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

both_backends!(
    a_call_between_the_two_people_of_a_match,
    refusals_reach_no_one,
    an_unanswered_call_is_missed,
    a_call_ends_when_someone_leaves_for_good,
);

fn is(kind: &'static str, call: &str) -> impl Fn(&Value) -> bool {
    let call = call.to_owned();
    move |f: &Value| f["type"] == kind && f["call"] == call.as_str()
}

fn state(call: &str, name: &'static str) -> impl Fn(&Value) -> bool {
    let call = call.to_owned();
    move |f: &Value| f["type"] == "call_state" && f["call"] == call.as_str() && f["state"] == name
}

/// No frame of a call reaches this socket for a little while.
async fn nothing_about(ws: &mut Ws, call: &str) {
    while let Some(Ok(frame)) = ws.next_timeout(Duration::from_millis(400)).await {
        assert_ne!(frame["call"], call, "unexpected {frame}");
    }
}

const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
const CANDIDATE: &str = "candidate:1 1 udp 2122260223 192.0.2.10 54400 typ host";

/// The whole call between mentee (caller) and mentor (callee), whichever nodes they are on.
async fn call_through(p: &Pair, mentee_ws: &mut Ws, mentor_ws: &mut Ws) -> String {
    let [nia, kwame, _] = &p.ids;
    let call = Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "ref": "c1", "call": call, "to": kwame})).await;
    let invited = mentor_ws.recv_matching(is("call_invite", &call)).await;
    assert_eq!(invited["from"], nia.as_str());
    let inviting = mentee_ws.recv_matching(state(&call, "inviting")).await;
    // The lower user id is the polite peer, and both agree.
    assert_eq!(inviting["polite"], json!(nia < kwame));
    mentor_ws.send(json!({"type": "call_ringing", "call": call})).await;
    mentee_ws.recv_matching(is("call_ringing", &call)).await;
    mentor_ws.send(json!({"type": "call_accept", "call": call})).await;
    mentee_ws.recv_matching(is("call_accept", &call)).await;
    mentee_ws.recv_matching(state(&call, "connecting")).await;
    mentee_ws.send(json!({"type": "sdp_offer", "call": call, "sdp": OFFER})).await;
    let offer = mentor_ws.recv_matching(is("sdp_offer", &call)).await;
    assert_eq!((offer["from"].as_str(), offer["sdp"].as_str()), (Some(nia.as_str()), Some(OFFER)));
    // A candidate may come before the answer: it is relayed, and the client queues it.
    mentor_ws.send(json!({"type": "ice_candidate", "call": call, "candidate": CANDIDATE, "sdp_mid": "0", "sdp_m_line_index": 0})).await;
    let candidate = mentee_ws.recv_matching(is("ice_candidate", &call)).await;
    assert_eq!((candidate["candidate"].as_str(), candidate["from"].as_str()), (Some(CANDIDATE), Some(kwame.as_str())));
    mentor_ws.send(json!({"type": "sdp_answer", "call": call, "sdp": OFFER})).await;
    mentee_ws.recv_matching(is("sdp_answer", &call)).await;
    mentee_ws.send(json!({"type": "call_connected", "call": call})).await;
    mentor_ws.send(json!({"type": "call_connected", "call": call})).await;
    mentor_ws.recv_matching(state(&call, "in_call")).await;
    // Frames of one connection are handled in order: the pong says the mentor's joining counted.
    mentor_ws.send(json!({"type": "ping", "ref": "joined"})).await;
    mentor_ws.recv_matching(|f| f["type"] == "pong" && f["ref"] == "joined").await;
    call
}

async fn a_call_between_the_two_people_of_a_match(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        c.stun_urls = vec!["stun:stun.example.org:3478".into()];
        c.turn_urls = vec!["turn:turn.example.org:3478?transport=udp".into()];
        c.turn_secret = Some(kindred::config::Secret::new("north".to_owned()));
    })
    .await;
    let p = pair(&[&app]).await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;

    // ICE servers with TURN credentials that expire.
    let ice = p.mentee.get("/api/calls/ice-servers").await;
    assert_eq!(ice.status, StatusCode::OK, "{}", ice.text);
    assert_eq!(ice.body["ice_servers"][0]["urls"][0], "stun:stun.example.org:3478");
    let turn = &ice.body["ice_servers"][1];
    let username = turn["username"].as_str().unwrap();
    let (expires, user) = username.split_once(':').unwrap();
    assert_eq!(user, p.ids[0]);
    let expires: i64 = expires.parse().unwrap();
    let now = app.state.clock.now().unix_timestamp();
    assert!((now + 3590..=now + 3610).contains(&expires), "{username}");
    let (_, expected) = kindred::domain::calls::turn_credentials("north", p.ids[0].parse().unwrap(), expires);
    assert_eq!(turn["credential"], expected.as_str());
    app.client().get("/api/calls/ice-servers").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    let call = call_through(&p, &mut mentee_ws, &mut mentor_ws).await;
    app.state.clock.advance(Duration::from_secs(90));
    mentee_ws.send(json!({"type": "call_hangup", "call": call})).await;
    mentor_ws.recv_matching(is("call_hangup", &call)).await;
    let ended = mentor_ws.recv_matching(state(&call, "ended")).await;
    assert_eq!(ended["reason"], "hung_up");
    // Frames after the end are refused.
    mentor_ws.send(json!({"type": "sdp_offer", "ref": "late", "call": call, "sdp": OFFER})).await;
    let late = mentor_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "late").await;
    assert_eq!(late["code"], "wrong_state");

    // The record: both joined, about 90 s; only coordinators read it.
    let calls = p.coordinator.get(&format!("/api/programs/{}/calls", p.program)).await;
    assert_eq!(calls.status, StatusCode::OK, "{}", calls.text);
    let record = &calls.body["items"][0];
    assert_eq!(record["id"], call.as_str());
    assert_eq!((record["caller_joined"].as_bool(), record["callee_joined"].as_bool()), (Some(true), Some(true)));
    assert_eq!(record["end_reason"], "hung_up");
    let duration = record["duration_ms"].as_i64().unwrap();
    assert!((90_000..95_000).contains(&duration), "{duration}");
    p.mentee.get(&format!("/api/programs/{}/calls", p.program)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
}

async fn refusals_reach_no_one(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        c.presence_grace_ms = 300;
    })
    .await;
    let p = pair(&[&app]).await;
    let kwame = &p.ids[1];
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let (mut outsider_ws, _) = p.outsider.ws(json!({})).await;

    // Someone who is not matched with the mentor cannot call them.
    let stray = Uuid::new_v4().to_string();
    outsider_ws.send(json!({"type": "call_invite", "ref": "x", "call": stray, "to": kwame})).await;
    let refused = outsider_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "x").await;
    assert_eq!(refused["code"], "forbidden");
    nothing_about(&mut mentor_ws, &stray).await;

    // A real call; the outsider cannot act in it, and nothing they send reaches the two.
    let call = Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "call": call, "to": kwame})).await;
    mentor_ws.recv_matching(is("call_invite", &call)).await;
    mentor_ws.recv_matching(state(&call, "inviting")).await;
    mentee_ws.recv_matching(state(&call, "inviting")).await;
    for (n, frame) in [
        json!({"type": "sdp_offer", "call": call, "sdp": OFFER}),
        json!({"type": "ice_candidate", "call": call, "candidate": CANDIDATE}),
        json!({"type": "call_accept", "call": call}),
        json!({"type": "call_hangup", "call": call}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut frame = frame;
        frame["ref"] = json!(format!("o{n}"));
        outsider_ws.send(frame).await;
        let e = outsider_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == format!("o{n}").as_str()).await;
        assert_eq!(e["code"], "not_participant", "{e}");
    }
    nothing_about(&mut mentor_ws, &call).await;
    nothing_about(&mut mentee_ws, &call).await;

    // Out of order, malformed, and the caller acting for the callee.
    mentee_ws.send(json!({"type": "sdp_offer", "ref": "early", "call": call, "sdp": OFFER})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "early").await;
    assert_eq!(e["code"], "wrong_state");
    mentee_ws.send(json!({"type": "call_accept", "ref": "mine", "call": call})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "mine").await;
    assert_eq!(e["code"], "forbidden");
    mentor_ws.send(json!({"type": "call_accept", "call": call})).await;
    mentee_ws.recv_matching(is("call_accept", &call)).await;
    mentor_ws.recv_matching(state(&call, "connecting")).await;
    mentee_ws.send(json!({"type": "sdp_offer", "ref": "empty", "call": call, "sdp": ""})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "empty").await;
    assert_eq!(e["code"], "invalid");
    mentee_ws.send(json!({"type": "ice_candidate", "ref": "bad", "call": call, "candidate": "not a candidate"})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "bad").await;
    assert_eq!(e["code"], "invalid");
    mentee_ws.send(json!({"type": "sdp_offer", "ref": "extra", "call": call, "sdp": OFFER, "evil": true})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "error" && f["ref"] == "extra").await;
    assert_eq!(e["code"], "bad_frame");
    nothing_about(&mut mentor_ws, &call).await;

    // A flood of candidates is cut off at the limit.
    for i in 0..kindred_signaling::MAX_CANDIDATES_PER_SIDE {
        mentee_ws.send(json!({"type": "ice_candidate", "call": call, "candidate": format!("{CANDIDATE} {i}")})).await;
    }
    mentee_ws.send(json!({"type": "ice_candidate", "ref": "flood", "call": call, "candidate": CANDIDATE})).await;
    let e = mentee_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "flood").await;
    assert_eq!(e["code"], "too_many_candidates");
    mentee_ws.send(json!({"type": "call_hangup", "call": call})).await;
    mentor_ws.recv_matching(state(&call, "ended")).await;

    // Someone offline cannot be called.
    drop(mentor_ws);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let next = Uuid::new_v4().to_string();
        mentee_ws.send(json!({"type": "call_invite", "ref": next, "call": next, "to": kwame})).await;
        let reply = mentee_ws
            .recv_matching(|f| (f["type"] == "call_error" && f["ref"] == next.as_str()) || state(&next, "inviting")(f))
            .await;
        if reply["code"] == "offline" {
            break;
        }
        // Still within the presence grace period: end that call and try again.
        mentee_ws.send(json!({"type": "call_hangup", "call": next})).await;
        assert!(tokio::time::Instant::now() < deadline, "the mentor never showed as offline: {reply}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn an_unanswered_call_is_missed(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let kwame = &p.ids[1];
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let call = Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "call": call, "to": kwame})).await;
    mentor_ws.recv_matching(is("call_invite", &call)).await;
    app.state.clock.advance(Duration::from_millis(kindred_signaling::RING_TIMEOUT_MS + 1000));
    let ended = mentee_ws.recv_matching(state(&call, "ended")).await;
    assert_eq!(ended["reason"], "missed");
    let missed = mentor_ws
        .recv_matching(|f| f["type"] == "event" && f["body"].as_str().is_some_and(|b| b.contains("Missed call")))
        .await;
    assert_eq!(missed["sender_id"], Uuid::nil().to_string());
    assert_eq!(missed["body"], "Missed call from Nia.");
}

async fn a_call_ends_when_someone_leaves_for_good(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        c.presence_grace_ms = 300;
    })
    .await;
    let p = pair(&[&app]).await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let call = call_through(&p, &mut mentee_ws, &mut mentor_ws).await;
    // The mentee's tab dies without hanging up: once she is offline, the call ends for her.
    drop(mentee_ws);
    mentor_ws.recv_matching(is("call_hangup", &call)).await;
    let ended = mentor_ws.recv_matching(state(&call, "ended")).await;
    assert_eq!((ended["reason"].as_str(), ended["by"].as_str()), (Some("hung_up"), Some(p.ids[0].as_str())));
    // The pair is not left blocked: back online, they call again.
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let again = Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "call": again, "to": p.ids[1]})).await;
    mentor_ws.recv_matching(is("call_invite", &again)).await;
}

/// The two people on different nodes: every frame crosses Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_across_two_nodes() {
    let cluster = Cluster::spawn(2, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&cluster.nodes[0], &cluster.nodes[1]]).await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let call = call_through(&p, &mut mentee_ws, &mut mentor_ws).await;
    mentor_ws.send(json!({"type": "call_hangup", "call": call})).await;
    let ended = mentee_ws.recv_matching(state(&call, "ended")).await;
    assert_eq!(ended["reason"], "hung_up");
}

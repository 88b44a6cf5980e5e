//! Blocking, through the real interfaces on SQLite and PostgreSQL, and across two nodes over
//! Redis: a block stops every direct path between two people at once (their conversation, calls,
//! meetings, typing, receipts, presence), ends their match quietly, keeps group channels usable,
//! refuses bad input, and lifting it restores contact but not the match.

use kindred_tests::{Backend, Cluster, MatchedPair as Pair, TestApp, Ws, both_backends, matched_pair as pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

both_backends!(blocking_stops_every_direct_path, bad_blocks_change_nothing);

/// The pair's channel, and a group channel the coordinator opens for the pair and the outsider.
async fn channels(p: &Pair) -> (String, String) {
    let mine = p.mentee.get("/api/me/matches").await;
    let pair_channel = mine.body["items"][0]["channel_id"].as_str().unwrap().to_owned();
    let group = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "group", "name": "Circle", "members": p.ids}),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.text);
    (pair_channel, group.body["id"].as_str().unwrap().to_owned())
}

/// Reads `ws` until a message with `body` arrives; fails if a frame `forbidden` matches first.
async fn until_message(ws: &mut Ws, body: &str, forbidden: impl Fn(&Value) -> bool) {
    loop {
        let frame = ws.recv().await;
        assert!(!forbidden(&frame), "withheld frame delivered: {frame}");
        if frame["type"] == "event" && frame["body"] == body {
            return;
        }
    }
}

fn about<'a>(kind: &'a str, user: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f: &Value| f["type"] == kind && f["user_id"] == user
}

/// Sends in `channel` and returns the error frame (or the ack).
async fn send(ws: &mut Ws, channel: &str, id: &str) -> Value {
    ws.send_message(channel, id, &format!("message {id}")).await
}

async fn blocking_stops_every_direct_path(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    checks(&p, &app).await;
}

/// Everything a block does, with the mentee blocking the mentor (each on the node their client
/// talks to).
async fn checks(p: &Pair, a: &TestApp) {
    let [nia, kwame, otto] = &p.ids;
    let (pair_channel, group) = channels(p).await;
    // A meeting the mentor proposed before the block.
    let starts_at =
        (a.state.clock.now() + time::Duration::days(2)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let meeting = p
        .mentor
        .post(
            "/api/meetings",
            json!({"match_id": p.match_id, "title": "Catch-up", "starts_at": starts_at, "duration_min": 30, "client_id": "m1"}),
        )
        .await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.text);
    let meeting_id = meeting.body["id"].as_str().unwrap().to_owned();

    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    let (mut otto_ws, _) = p.outsider.ws(json!({})).await;
    // Before: the two see each other's typing (in their conversation: a connection forwards
    // one typing indicator per channel every two seconds, and the group's comes later).
    kwame_ws.send(json!({"type": "typing", "channel": pair_channel})).await;
    nia_ws.recv_matching(about("typing", kwame)).await;

    let blocked = p.mentee.post("/api/me/blocks", json!({"user_id": kwame})).await;
    assert_eq!(blocked.status, StatusCode::CREATED, "{}", blocked.text);
    assert_eq!(
        (blocked.body["user_id"].as_str(), blocked.body["name"].as_str()),
        (Some(kwame.as_str()), Some("Kwame"))
    );
    // The blocker's connections are told; each of the two now sees the other offline.
    let told = nia_ws.recv_matching(|f| f["type"] == "block").await;
    assert_eq!((told["user_id"].as_str(), told["blocked"].as_bool()), (Some(kwame.as_str()), Some(true)));
    kwame_ws.recv_matching(|f| about("presence", nia)(f) && f["state"] == "offline").await;

    // The match ended quietly: the mentor sees that it ended, not why; the mentee and the
    // coordinators see that a block ended it.
    let ended = kwame_ws.recv_matching(|f| f["type"] == "match" && f["match"]["status"] == "ended").await;
    assert!(ended["match"]["reason"].is_null(), "{ended}");
    let theirs = p.mentor.get("/api/me/matches").await;
    assert_eq!(theirs.body["items"][0]["status"], "ended");
    assert!(theirs.body["items"][0]["reason"].is_null(), "{}", theirs.text);
    assert_eq!(p.mentee.get("/api/me/matches").await.body["items"][0]["reason"], "ended by a block");
    let all = p.coordinator.get(&format!("/api/programs/{}/matching/matches", p.program)).await;
    let m = all.body["items"].as_array().unwrap().iter().find(|m| m["id"] == p.match_id.as_str()).unwrap();
    assert_eq!((m["status"].as_str(), m["reason"].as_str()), (Some("ended"), Some("ended by a block")));
    // Their upcoming meeting is cancelled, and cannot be accepted.
    kwame_ws.recv_matching(|f| f["type"] == "meeting" && f["meeting"]["status"] == "cancelled").await;
    p.mentee
        .post(&format!("/api/meetings/{meeting_id}/accept"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    // Nor can another be proposed.
    let again = p
        .mentor
        .post(
            "/api/meetings",
            json!({"match_id": p.match_id, "title": "Again", "starts_at": starts_at, "duration_min": 30, "client_id": "m2"}),
        )
        .await;
    assert!(again.status.is_client_error(), "{}", again.text);

    // Their conversation is closed to both, in the same words.
    for ws in [&mut kwame_ws, &mut nia_ws] {
        let refused = send(ws, &pair_channel, &Uuid::new_v4().to_string()).await;
        assert_eq!(
            (refused["type"].as_str(), refused["code"].as_str()),
            (Some("error"), Some("read_only")),
            "{refused}"
        );
        assert_eq!(refused["message"], "this conversation is closed to new messages");
    }
    // No call either way, with a neutral refusal.
    for (ws, to) in [(&mut kwame_ws, nia), (&mut nia_ws, kwame)] {
        let call = Uuid::new_v4().to_string();
        ws.send(json!({"type": "call_invite", "ref": "c", "call": call, "to": to})).await;
        let refused = ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "c").await;
        assert_eq!(
            (refused["code"].as_str(), refused["message"].as_str()),
            (Some("forbidden"), Some("you cannot reach this person"))
        );
    }

    // The group stays usable for both; what one does there that is about them (typing, read
    // receipts, presence) reaches the outsider but not the other. The outsider's receiving it
    // shows the frame went out; a later message shows the other's connection was passed over.
    kwame_ws.send(json!({"type": "typing", "channel": group})).await;
    otto_ws.recv_matching(about("typing", kwame)).await;
    let ack = send(&mut kwame_ws, &group, "g1").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    until_message(&mut nia_ws, "message g1", about("typing", kwame)).await;
    kwame_ws.send(json!({"type": "read", "channel": group, "seq": ack["seq"]})).await;
    otto_ws.recv_matching(about("read", kwame)).await;
    kwame_ws.send(json!({"type": "presence", "state": "away"})).await;
    otto_ws.recv_matching(|f| about("presence", kwame)(f) && f["state"] == "away").await;
    let ack = send(&mut otto_ws, &group, "g2").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    until_message(&mut nia_ws, "message g2", |f| about("read", kwame)(f) || about("presence", kwame)(f)).await;
    // And the other way round.
    nia_ws.send(json!({"type": "typing", "channel": group})).await;
    otto_ws.recv_matching(about("typing", nia)).await;
    assert_eq!(send(&mut nia_ws, &group, "g3").await["type"], "ack");
    until_message(&mut kwame_ws, "message g3", about("typing", nia)).await;

    // A new connection of the mentor's: the mentee (online) is not among the presence it is
    // given, and the conversation reads as closed.
    let (mut second, welcome) = p.mentor.ws(json!({})).await;
    assert!(welcome["presence"].get(nia.as_str()).is_none(), "{welcome}");
    assert!(welcome["presence"].get(otto.as_str()).is_some(), "{welcome}");
    let closed = welcome["channels"].as_array().unwrap().iter().find(|c| c["id"] == pair_channel.as_str()).unwrap();
    assert_eq!(closed["can_post"], false);
    let refused = send(&mut second, &pair_channel, "late").await;
    assert_eq!(refused["code"], "read_only", "{refused}");
    // A coordinator cannot open a conversation of just the two.
    p.coordinator
        .post(&format!("/api/programs/{}/channels", p.program), json!({"kind": "pair", "members": [nia, kwame]}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Lists and the data download show the blocker's block, never the blocked person's.
    let mine = p.mentee.get("/api/me/blocks").await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{}", mine.text);
    assert_eq!(mine.body["items"][0]["user_id"], kwame.as_str());
    assert_eq!(p.mentor.get("/api/me/blocks").await.body["items"], json!([]));
    let export: Value = serde_json::from_str(&p.mentee.get("/api/me/export").await.text).unwrap();
    assert_eq!(export["blocked"][0]["user_id"], kwame.as_str(), "{}", export["blocked"]);
    let theirs: Value = serde_json::from_str(&p.mentor.get("/api/me/export").await.text).unwrap();
    assert_eq!(theirs["blocked"], json!([]), "the blocked person's download shows no block");

    // Lifting it restores contact (on every connection), not the match.
    let lifted = p.mentee.delete(&format!("/api/me/blocks/{kwame}")).await;
    assert_eq!(lifted.status, StatusCode::NO_CONTENT, "{}", lifted.text);
    nia_ws.recv_matching(|f| f["type"] == "block" && f["blocked"] == false).await;
    kwame_ws.recv_matching(|f| about("presence", nia)(f) && f["state"] == "online").await;
    let ack = send(&mut kwame_ws, &pair_channel, "after").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    nia_ws.recv_matching(|f| f["type"] == "event" && f["body"] == "message after").await;
    // (The mentor's second connection has sent no typing in the group yet.)
    second.send(json!({"type": "typing", "channel": group})).await;
    nia_ws.recv_matching(about("typing", kwame)).await;
    assert_eq!(p.mentee.get("/api/me/matches").await.body["items"][0]["status"], "ended");
    p.mentee.delete(&format!("/api/me/blocks/{kwame}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

async fn bad_blocks_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = pair(&[&app]).await;
    let [nia, kwame, _] = &p.ids;
    let stranger = app.user("sam@example.org", "Sam", false, false).await;

    let me = p.mentee.post("/api/me/blocks", json!({"user_id": nia})).await;
    me.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(me.body["error"]["fields"]["user_id"].is_string(), "{}", me.text);
    // Someone who shares no program, and someone who does not exist, look the same.
    for id in [stranger.id, Uuid::new_v4()] {
        p.mentee.post("/api/me/blocks", json!({"user_id": id})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    let malformed = p.mentee.post("/api/me/blocks", json!({"user_id": "someone"})).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", malformed.text);
    assert!(malformed.body["error"]["fields"]["user_id"].is_string(), "{}", malformed.text);
    p.mentee.post("/api/me/blocks", json!({})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentee.delete(&format!("/api/me/blocks/{kwame}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(p.mentee.get("/api/me/blocks").await.body["items"], json!([]));
    // None of that ended the match.
    assert_eq!(p.mentee.get("/api/me/matches").await.body["items"][0]["status"], "active");

    assert_eq!(p.mentee.post("/api/me/blocks", json!({"user_id": kwame})).await.status, StatusCode::CREATED);
    p.mentee.post("/api/me/blocks", json!({"user_id": kwame})).await.assert_error(StatusCode::CONFLICT, "conflict");
    // Blocked back: lifting one block leaves the other standing.
    assert_eq!(p.mentor.post("/api/me/blocks", json!({"user_id": nia})).await.status, StatusCode::CREATED);
    assert_eq!(p.mentee.delete(&format!("/api/me/blocks/{kwame}")).await.status, StatusCode::NO_CONTENT);
    let (mut ws, welcome) = p.mentee.ws(json!({})).await;
    let channel = p.mentee.get("/api/me/matches").await.body["items"][0]["channel_id"].as_str().unwrap().to_owned();
    let view = welcome["channels"].as_array().unwrap().iter().find(|c| c["id"] == channel.as_str()).unwrap().clone();
    assert_eq!(view["can_post"], false);
    assert_eq!(send(&mut ws, &channel, "x").await["code"], "read_only");
    let page = kindred_tests::all_pages(&p.mentor, "/api/me/blocks", 1).await;
    assert_eq!(page.0.len(), 1);
}

/// The mentee on one node blocks the mentor on another: every node applies it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_reaches_every_node() {
    let cluster = Cluster::spawn(2, |c| c.worker_poll_ms = 50).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    let p = pair(&[a, b]).await;
    checks(&p, a).await;
}

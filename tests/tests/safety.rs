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

    // An announcement channel of a coordinator and one person keeps its own posting rights
    // through a block and its lifting.
    let news = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "announcement", "name": "News", "members": [nia]}),
        )
        .await;
    assert_eq!(news.status, StatusCode::CREATED, "{}", news.text);
    let news = news.body["id"].as_str().unwrap().to_owned();
    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(p.mentee.post("/api/me/blocks", json!({"user_id": cora})).await.status, StatusCode::CREATED);
    assert_eq!(p.mentee.delete(&format!("/api/me/blocks/{cora}")).await.status, StatusCode::NO_CONTENT);
    let (mut ws, _) = p.mentee.ws(json!({})).await;
    let refused = send(&mut ws, &news, "n").await;
    assert_eq!(
        (refused["code"].as_str(), refused["message"].as_str()),
        (Some("read_only"), Some("only coordinators post in this channel"))
    );
    let (mut cora_ws, _) = p.coordinator.ws(json!({})).await;
    assert_eq!(send(&mut cora_ws, &news, "c").await["type"], "ack");
}

/// The mentee on one node blocks the mentor on another: every node applies it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_reaches_every_node() {
    let cluster = Cluster::spawn(2, |c| c.worker_poll_ms = 50).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    let p = pair(&[a, b]).await;
    checks(&p, a).await;
}

/// The walk of every path, with the two people on different nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_is_walked_across_two_nodes() {
    let cluster = Cluster::spawn(2, |c| c.worker_poll_ms = 50).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    let p = pair(&[a, b]).await;
    walk(&p, a).await;
}

both_backends!(
    every_path_between_two_people_is_walked,
    reports_reach_coordinators_and_nothing_else,
    a_code_of_conduct_comes_before_chat_calls_and_events,
    coordinators_moderate_group_channels,
    a_suspension_closes_the_program_until_lifted,
    taking_someone_out_of_an_event,
    meetings_and_event_moments_are_reported,
);

/// Operations that do not let one person reach another, each with why. Together with
/// [`REACHES`] and [`REACHES_ELSEWHERE`] they must name every write of the OpenAPI document and
/// every client frame of `docs/protocol.md`: a new path fails the walk until it is placed here.
const NOT_REACHING: &[(&str, &str)] = &[
    ("POST /api/admin/users", "an administrator creates an account"),
    ("POST /api/auth/login", "one's own session"),
    ("POST /api/auth/logout", "one's own session"),
    ("POST /api/auth/logout-all", "one's own sessions"),
    ("POST /api/auth/password/forgot", "one's own account"),
    ("POST /api/auth/password/reset", "one's own account"),
    ("POST /api/calls/{id}/checkin", "one's private answer; the other person is not told"),
    ("POST /api/events/{id}/cancel", "group events stay usable across a block"),
    ("POST /api/events/{id}/rsvp", "group events stay usable across a block"),
    ("POST /api/invitations/{token}/accept", "joining a program"),
    ("POST /api/matches/{id}/rematch", "ends a match; reaches no one"),
    ("POST /api/matches/{id}/support", "asks the coordinators; the other person is not told"),
    ("PATCH /api/me", "one's own profile"),
    ("POST /api/me/blocks", "the block itself"),
    ("DELETE /api/me/blocks/{user_id}", "lifting it"),
    ("POST /api/me/calendar-feed", "one's own calendar"),
    ("POST /api/me/delete", "one's own account"),
    ("PUT /api/me/notifications", "one's own settings"),
    ("POST /api/me/surveys/{id}/response", "one's own answers"),
    ("POST /api/me/tokens", "one's own tokens"),
    ("DELETE /api/me/tokens/{id}", "one's own tokens"),
    ("POST /api/meetings/{id}/cancel", "cancelling reaches no one new"),
    ("POST /api/programs", "a new program"),
    ("PATCH /api/programs/{id}", "program settings"),
    ("POST /api/programs/{id}/alerts/{alert_id}/rematch", "ends a match"),
    ("POST /api/programs/{id}/alerts/{alert_id}/resolve", "closes an alert"),
    ("POST /api/programs/{id}/events", "group events stay usable across a block"),
    ("PUT /api/programs/{id}/help", "program settings"),
    ("POST /api/programs/{id}/interests", "program setup"),
    ("DELETE /api/programs/{id}/interests/{interest_id}", "program setup"),
    ("POST /api/programs/{id}/invitations", "recruitment by email, before anyone joins"),
    ("POST /api/programs/{id}/invitations/import", "recruitment by email, before anyone joins"),
    ("POST /api/programs/{id}/invitations/{invitation_id}/resend", "recruitment by email"),
    ("POST /api/programs/{id}/invitations/{invitation_id}/revoke", "recruitment by email"),
    ("POST /api/programs/{id}/matching/exclusions", "program setup"),
    ("DELETE /api/programs/{id}/matching/exclusions/{exclusion_id}", "program setup"),
    ("PUT /api/programs/{id}/matching/settings", "program setup"),
    ("PATCH /api/programs/{id}/members/{user_id}", "a coordinator sets a member's cohort or role"),
    ("PUT /api/programs/{id}/questionnaire", "one's own answers"),
    ("POST /api/programs/{id}/questions", "program setup"),
    ("DELETE /api/programs/{id}/questions/{question_id}", "program setup"),
    ("PUT /api/programs/{id}/risk-settings", "program setup"),
    ("POST /api/programs/{id}/surveys", "a coordinator's survey to the program"),
    ("POST /api/unsubscribe", "one's own email settings"),
    ("POST /api/reports", "to the coordinators; the reported person is never told who reported"),
    ("PUT /api/programs/{id}/conduct", "program setup"),
    ("POST /api/channels/{id}/lock", "a coordinator's moderation of a group channel"),
    ("POST /api/channels/{id}/slow-mode", "a coordinator's moderation of a group channel"),
    ("POST /api/programs/{id}/members/{user_id}/mute", "a coordinator's moderation"),
    ("POST /api/programs/{id}/members/{user_id}/unmute", "a coordinator's moderation"),
    ("POST /api/channels/{id}/members/{user_id}/remove", "a coordinator's moderation"),
    ("POST /api/programs/{id}/members/{user_id}/suspend", "a coordinator's moderation"),
    ("POST /api/programs/{id}/members/{user_id}/reinstate", "a coordinator's moderation"),
    ("POST /api/events/{id}/people/{user_id}/remove", "a coordinator's moderation"),
    ("POST /api/events/{id}/people/{user_id}/restore", "a coordinator's moderation"),
    ("POST /api/programs/{id}/conduct/accept", "one's own acceptance"),
    ("POST /api/programs/{id}/reports/{report_id}/close", "a coordinator's action; a warning asks may_converse"),
    ("hello", "one's own connection"),
    ("delete", "deleting one's own message stays possible"),
    ("sync", "reading what one may read"),
    ("ping", "one's own connection"),
    ("room_join", "an event's room is a group space and stays usable"),
    ("room_leave", "an event's room is a group space"),
    ("room_open", "the host (a coordinator) runs the room"),
    ("room_admit", "the host (a coordinator) runs the room"),
    ("room_lock", "the host (a coordinator) runs the room"),
    ("room_end", "the host (a coordinator) runs the room"),
    ("room_hand", "to the host"),
    ("room_stage", "the host (a coordinator) runs the room"),
    ("room_mute", "the host (a coordinator) runs the room"),
    ("room_remove", "the host (a coordinator) runs the room"),
    ("room_publish", "media to the room's SFU"),
    ("room_answer", "media from the room's SFU"),
];

/// Paths that let one person reach another: the walk below tries each for a blocked pair.
const REACHES: &[&str] = &[
    "POST /api/meetings",
    "POST /api/meetings/{id}/accept",
    "POST /api/meetings/{id}/propose",
    "POST /api/matches/{id}/respond",
    "POST /api/programs/{id}/channels",
    "POST /api/programs/{id}/alerts/{alert_id}/message",
    "send",
    "edit",
    "read",
    "typing",
    "presence",
    "call_invite",
    "call_ringing",
    "call_accept",
    "call_decline",
    "call_hangup",
    "sdp_offer",
    "sdp_answer",
    "ice_candidate",
    "call_connected",
];

/// Paths that reach someone and are walked by another test (they need completed questionnaires).
const REACHES_ELSEWHERE: &[(&str, &str)] = &[
    ("POST /api/programs/{id}/matching/preview", "matching.rs: a_block_keeps_two_people_from_being_proposed"),
    ("POST /api/programs/{id}/matching/rounds", "matching.rs: a_block_keeps_two_people_from_being_proposed"),
    (
        "POST /api/programs/{id}/matching/rounds/{round_id}/approve",
        "matching.rs: a_block_keeps_two_people_from_being_proposed",
    ),
    ("POST /api/programs/{id}/matching/rounds/{round_id}/discard", "discarding proposes no one"),
    ("POST /api/programs/{id}/matching/matches", "matching.rs: a_block_keeps_two_people_from_being_proposed"),
];

fn tried(walked: &mut std::collections::BTreeSet<String>, op: &str) {
    assert!(walked.insert(op.to_owned()), "{op} tried twice");
}

/// Every write of the API and every client frame of the protocol document.
async fn every_path(app: &TestApp) -> std::collections::BTreeSet<String> {
    let doc = app.client().get("/api/openapi.json").await.body;
    let mut all = std::collections::BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in
            ops.as_object().unwrap().keys().filter(|m| ["post", "put", "patch", "delete"].contains(&m.as_str()))
        {
            all.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let protocol = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md")).unwrap();
    let mut collecting = false;
    for line in protocol.lines() {
        if line.starts_with("## Client → server frames") || line.starts_with("Client → server") {
            collecting = true;
        } else if line.starts_with("## ") || line.starts_with("Server → client") {
            collecting = false;
        } else if collecting && line.starts_with("| `") {
            let first = line.split('|').nth(1).unwrap();
            all.extend(first.split('`').skip(1).step_by(2).map(str::to_owned));
        }
    }
    all
}

async fn every_path_between_two_people_is_walked(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    walk(&p, &app).await;
}

/// The mentee blocks the mentor (and the coordinator) and every path in [`REACHES`] is tried.
async fn walk(p: &Pair, app: &TestApp) {
    use std::collections::BTreeSet;
    let all = every_path(app).await;
    let named: BTreeSet<String> = NOT_REACHING
        .iter()
        .map(|(op, _)| *op)
        .chain(REACHES.iter().copied())
        .chain(REACHES_ELSEWHERE.iter().map(|(op, _)| *op))
        .map(str::to_owned)
        .collect();
    assert!(all.contains("send") && all.contains("call_invite") && all.contains("room_join"), "{all:?}");
    assert_eq!(
        all,
        named,
        "every path is placed: missing {:?}, stale {:?}",
        all.difference(&named),
        named.difference(&all)
    );

    let [nia, kwame, _] = &p.ids;
    let mut walked = BTreeSet::new();
    let (pair_channel, group) = channels(p).await;
    let starts_at = (app.state.clock.now() + time::Duration::days(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let meeting = p
        .mentor
        .post(
            "/api/meetings",
            json!({"match_id": p.match_id, "title": "Catch-up", "starts_at": starts_at, "duration_min": 30, "client_id": "w1"}),
        )
        .await;
    let meeting = meeting.body["id"].as_str().unwrap().to_owned();
    // The mentee asks the coordinators for support (an alert raised by her), and a call between
    // the two is ringing, when she blocks.
    let res = p.mentee.post(&format!("/api/matches/{}/support", p.match_id), json!({})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    let alerts = p.coordinator.get(&format!("/api/programs/{}/alerts", p.program)).await;
    let alert = alerts.body["items"][0]["id"].as_str().unwrap().to_owned();
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    let ack = send(&mut kwame_ws, &pair_channel, "before").await;
    let seq = ack["seq"].clone();
    let call = Uuid::new_v4().to_string();
    nia_ws.send(json!({"type": "call_invite", "call": call, "to": kwame})).await;
    kwame_ws.recv_matching(|f| f["type"] == "call_invite" && f["call"] == call.as_str()).await;

    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();
    for whom in [kwame, &cora] {
        let res = p.mentee.post("/api/me/blocks", json!({"user_id": whom})).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let ended = |f: &Value| f["type"] == "call_state" && f["state"] == "ended";
    kwame_ws.recv_matching(ended).await;
    // What the mentee heard before the second block (the mentor coming online, say) is behind us.
    nia_ws.recv_matching(|f| f["type"] == "block" && f["user_id"] == cora.as_str()).await;

    // HTTP.
    let res = p
        .mentor
        .post(
            "/api/meetings",
            json!({"match_id": p.match_id, "title": "Again", "starts_at": starts_at, "duration_min": 30, "client_id": "w2"}),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text);
    tried(&mut walked, "POST /api/meetings");
    let res = p.mentee.post(&format!("/api/meetings/{meeting}/accept"), json!({})).await;
    assert!(res.status.is_client_error(), "{}", res.text);
    tried(&mut walked, "POST /api/meetings/{id}/accept");
    let res = p.mentee.post(&format!("/api/meetings/{meeting}/propose"), json!({"starts_at": starts_at})).await;
    assert!(res.status.is_client_error(), "{}", res.text);
    tried(&mut walked, "POST /api/meetings/{id}/propose");
    let res = p.mentor.post(&format!("/api/matches/{}/respond", p.match_id), json!({"accept": true})).await;
    assert!(res.status.is_client_error(), "{}", res.text);
    tried(&mut walked, "POST /api/matches/{id}/respond");
    p.coordinator
        .post(&format!("/api/programs/{}/channels", p.program), json!({"kind": "pair", "members": [nia, kwame]}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    tried(&mut walked, "POST /api/programs/{id}/channels");
    p.coordinator
        .post(&format!("/api/programs/{}/alerts/{alert}/message", p.program), json!({"text": "Are you all right?"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    tried(&mut walked, "POST /api/programs/{id}/alerts/{alert_id}/message");

    // WebSocket: writes to their conversation are refused; frames about one never reach the
    // other (the later message proves the connection was passed over).
    for frame in [
        json!({"type": "send", "ref": "s", "channel": pair_channel, "client_id": "s1", "body": "hi"}),
        json!({"type": "edit", "ref": "s", "channel": pair_channel, "client_id": "e1", "target": seq, "body": "hi"}),
    ] {
        kwame_ws.send(frame.clone()).await;
        let refused = kwame_ws.recv_matching(|f| f["type"] == "error" && f["ref"] == "s").await;
        assert_eq!(refused["code"], "read_only", "{frame}: {refused}");
        tried(&mut walked, frame["type"].as_str().unwrap());
    }
    kwame_ws.send(json!({"type": "typing", "channel": pair_channel})).await;
    tried(&mut walked, "typing");
    kwame_ws.send(json!({"type": "read", "channel": pair_channel, "seq": seq})).await;
    tried(&mut walked, "read");
    kwame_ws.send(json!({"type": "presence", "state": "away"})).await;
    tried(&mut walked, "presence");
    // A call invitation, and every frame of the call that was ringing (it ended).
    let refused_call = Uuid::new_v4().to_string();
    kwame_ws.send(json!({"type": "call_invite", "ref": "ci", "call": refused_call, "to": nia})).await;
    let refused = kwame_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "ci").await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    tried(&mut walked, "call_invite");
    let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    for (n, frame) in [
        json!({"type": "call_ringing", "call": call}),
        json!({"type": "call_accept", "call": call}),
        json!({"type": "call_decline", "call": call}),
        json!({"type": "call_hangup", "call": call}),
        json!({"type": "sdp_offer", "call": call, "sdp": sdp}),
        json!({"type": "sdp_answer", "call": call, "sdp": sdp}),
        json!({"type": "ice_candidate", "call": call, "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}),
        json!({"type": "call_connected", "call": call}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut frame = frame;
        frame["ref"] = json!(format!("f{n}"));
        kwame_ws.send(frame.clone()).await;
        let refused =
            kwame_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == format!("f{n}").as_str()).await;
        assert!(["not_participant", "wrong_state"].contains(&refused["code"].as_str().unwrap()), "{frame}: {refused}");
        tried(&mut walked, frame["type"].as_str().unwrap());
    }
    // The mentee saw none of it: the next thing she hears from the mentor's side is the ended
    // call and the group message he sends now.
    assert_eq!(send(&mut kwame_ws, &group, "marker").await["type"], "ack");
    until_message(&mut nia_ws, "message marker", |f| {
        (f["type"] == "call_invite" && f["call"] == refused_call.as_str())
            || ["typing", "read", "presence"].contains(&f["type"].as_str().unwrap_or(""))
                && f["user_id"] == kwame.as_str()
            || f["type"] == "event" && f["channel_id"] == pair_channel.as_str() && f["seq"] != seq
    })
    .await;

    let expected: BTreeSet<String> = REACHES.iter().map(|s| s.to_string()).collect();
    assert_eq!(walked, expected, "every reaching path was tried");
}

async fn reports_reach_coordinators_and_nothing_else(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let [nia, kwame, otto] = &p.ids;
    let (pair_channel, _) = channels(&p).await;
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    let (mut cora_ws, _) = p.coordinator.ws(json!({})).await;
    let mut seqs = Vec::new();
    for (hers, body) in [(false, "k1 hello"), (false, "k2 rude"), (false, "k3 ruder"), (true, "n1 mine")] {
        let ws = if hers { &mut nia_ws } else { &mut kwame_ws };
        let ack = ws.send_message(&pair_channel, &Uuid::new_v4().to_string(), body).await;
        seqs.push(ack["seq"].as_i64().unwrap());
    }
    let [k1, k2, k3, n1] = seqs[..] else { unreachable!() };
    let message = |seq: i64, share: Value| {
        json!({"kind": "message", "category": "harassment", "channel_id": pair_channel, "seq": seq, "share": share,
               "note": "He keeps writing like this"})
    };

    // Bad input is refused with every failing field named, and stores nothing.
    let res = p.mentee.post("/api/reports", json!({})).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(
        res.body["error"]["fields"]["kind"].is_string() && res.body["error"]["fields"]["category"].is_string(),
        "{}",
        res.text
    );
    let res = p.mentee.post("/api/reports", json!({"kind": "message", "category": "harassment"})).await;
    assert!(
        res.body["error"]["fields"]["channel_id"].is_string() && res.body["error"]["fields"]["seq"].is_string(),
        "{}",
        res.text
    );
    let res = p.mentee.post("/api/reports", json!({"kind": "message", "category": "rudeness"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    // A message one cannot read, one's own, one that does not exist, sharing one that does not.
    p.outsider.post("/api/reports", message(k2, json!([]))).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let own = p.mentee.post("/api/reports", message(n1, json!([]))).await;
    own.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(own.body["error"]["fields"]["seq"].is_string(), "{}", own.text);
    p.mentee
        .post("/api/reports", message(99, json!([])))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let bad_share = p.mentee.post("/api/reports", message(k2, json!([k2, 99]))).await;
    assert!(bad_share.body["error"]["fields"]["share"].is_string(), "{}", bad_share.text);
    let person = |user: &str, category: &str| json!({"kind": "person", "category": category, "user_id": user, "program_id": p.program});
    let myself = p.mentee.post("/api/reports", person(nia, "spam")).await;
    assert!(myself.body["error"]["fields"]["user_id"].is_string(), "{}", myself.text);
    let elsewhere = json!({"kind": "person", "category": "spam", "user_id": kwame, "program_id": Uuid::new_v4()});
    p.mentee.post("/api/reports", elsewhere).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let mut shared_person = person(kwame, "spam");
    shared_person["share"] = json!([k1]);
    p.mentee.post("/api/reports", shared_person).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let queue = format!("/api/programs/{}/reports", p.program);
    assert_eq!(p.coordinator.get(&queue).await.body["items"], json!([]));

    // The mentee reports k2 and shares k2 and k3: the coordinators get exactly those copies.
    let made = p.mentee.post("/api/reports", message(k2, json!([k3, k2]))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(
        (made.body["status"].as_str(), made.body["subject"]["user_id"].as_str()),
        (Some("open"), Some(kwame.as_str()))
    );
    let report = made.body["id"].as_str().unwrap().to_owned();
    let frame = cora_ws.recv_matching(|f| f["type"] == "report").await;
    assert_eq!(
        (frame["report_id"].as_str(), frame["status"].as_str(), frame["repeat"].as_bool()),
        (Some(report.as_str()), Some("open"), Some(false))
    );
    p.mentee.post("/api/reports", message(k2, json!([]))).await.assert_error(StatusCode::CONFLICT, "conflict");
    let listed = p.coordinator.get(&queue).await;
    let item = &listed.body["items"][0];
    assert_eq!(
        (item["reporter"]["user_id"].as_str(), item["subject"]["name"].as_str()),
        (Some(nia.as_str()), Some("Kwame"))
    );
    assert_eq!((item["category"].as_str(), item["severity"].as_i64()), (Some("harassment"), Some(4)));
    let bodies: Vec<&str> = item["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["k2 rude", "k3 ruder"], "{}", listed.text);
    assert!(!listed.text.contains("k1 hello") && !listed.text.contains("n1 mine"), "{}", listed.text);
    // Nobody else reads the queue; the reported person never sees the report.
    p.outsider.get(&queue).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.mentor.get(&queue).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(p.mentor.get("/api/me/reports").await.body["items"], json!([]));
    let mine = p.mentee.get("/api/me/reports").await;
    assert_eq!(mine.body["items"][0]["status"], "open", "{}", mine.text);

    // A second person reports him: a repeat, and the more severe report comes first.
    let second = p.outsider.post("/api/reports", person(kwame, "safety_concern")).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    let frame = cora_ws.recv_matching(|f| f["type"] == "report" && f["report_id"] == second.body["id"]).await;
    assert_eq!(frame["repeat"], true);
    let listed = p.coordinator.get(&queue).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(
        items.iter().map(|i| i["reporter"]["user_id"].as_str().unwrap()).collect::<Vec<_>>(),
        [otto.as_str(), nia.as_str()]
    );
    assert_eq!(items[0]["earlier"][0]["id"], report.as_str());
    assert_eq!(items[0]["repeat"], true);

    // Closing: bad input and another program's coordinators change nothing.
    let close = |id: &str| format!("/api/programs/{}/reports/{id}/close", p.program);
    let res = p.coordinator.post(&close(&report), json!({"outcome": "warned", "reason": ""})).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(
        res.body["error"]["fields"]["reason"].is_string() && res.body["error"]["fields"]["warning"].is_string(),
        "{}",
        res.text
    );
    let res = p.coordinator.post(&close(&report), json!({"outcome": "dismissed", "reason": "x", "warning": "y"})).await;
    assert!(res.body["error"]["fields"]["warning"].is_string(), "{}", res.text);
    p.mentee
        .post(&close(&report), json!({"outcome": "dismissed", "reason": "mine"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let other = p.coordinator.post("/api/programs", json!({"name": "Another program"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    p.coordinator
        .post(&format!("/api/programs/{other}/reports/{report}/close"), json!({"outcome": "dismissed", "reason": "x"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(p.coordinator.get(&format!("{queue}/{report}")).await.body["closed_at"].is_null());

    // A warning: to him alone, from the coordinator; she learns only that it was reviewed.
    let warned = p
        .coordinator
        .post(
            &close(&report),
            json!({"outcome": "warned", "reason": "Shared messages are hostile", "warning": "Keep it respectful."}),
        )
        .await;
    assert_eq!(warned.status, StatusCode::OK, "{}", warned.text);
    assert_eq!(warned.body["outcome"], "warned");
    kwame_ws
        .recv_matching(|f| {
            f["type"] == "event" && f["body"] == "A warning from the program's coordinators: Keep it respectful."
        })
        .await;
    let reviewed = nia_ws.recv_matching(|f| f["type"] == "report").await;
    assert_eq!(
        (reviewed["report_id"].as_str(), reviewed["status"].as_str()),
        (Some(report.as_str()), Some("reviewed"))
    );
    let mine = p.mentee.get("/api/me/reports").await;
    assert_eq!(mine.body["items"][0]["status"], "reviewed");
    assert!(!mine.text.contains("warned") && !mine.text.contains("respectful"), "{}", mine.text);
    p.coordinator
        .post(&close(&report), json!({"outcome": "dismissed", "reason": "again"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // Ending a match needs one between the two; the outsider has none with him.
    let second = second.body["id"].as_str().unwrap().to_owned();
    p.coordinator
        .post(&close(&second), json!({"outcome": "match_ended", "reason": "x"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let res =
        p.coordinator.post(&close(&second), json!({"outcome": "dismissed", "reason": "Not enough to act on"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // The mentee reports him again, as a person: the coordinator ends their match.
    let third = p.mentee.post("/api/reports", person(kwame, "harassment")).await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.text);
    let third = third.body["id"].as_str().unwrap().to_owned();
    let res = p.coordinator.post(&close(&third), json!({"outcome": "match_ended", "reason": "Second report"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    kwame_ws.recv_matching(|f| f["type"] == "match" && f["match"]["status"] == "ended").await;
    assert_eq!(p.mentee.get("/api/me/matches").await.body["items"][0]["status"], "ended");

    // Each close is in the audit log, with who and why.
    app.user("ada@example.org", "Ada", true, false).await;
    let audit = app.signed_in("ada@example.org").await.get("/api/admin/audit").await;
    let closes = audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "report_closed").count();
    assert_eq!(closes, 3, "{}", audit.text);
    assert!(audit.text.contains("Shared messages are hostile"), "{}", audit.text);
    // Data downloads: hers holds her reports; his holds what was done, never who reported.
    let hers: Value = serde_json::from_str(&p.mentee.get("/api/me/export").await.text).unwrap();
    assert_eq!(hers["reports_made"].as_array().unwrap().len(), 2, "{}", hers["reports_made"]);
    let his_text = p.mentor.get("/api/me/export").await.text;
    let his: Value = serde_json::from_str(&his_text).unwrap();
    let actions: Vec<&str> =
        his["actions_about_me"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["warned", "match_ended"]);
    assert_eq!(his["reports_made"], json!([]));
    assert!(!his_text.contains(nia.as_str()) || his["matches"].to_string().contains(nia.as_str()));
    assert!(
        !his["actions_about_me"].to_string().contains(nia.as_str())
            && !his["actions_about_me"].to_string().contains("Nia")
    );
}

async fn a_code_of_conduct_comes_before_chat_calls_and_events(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let [nia, kwame, _] = &p.ids;
    let (pair_channel, _) = channels(&p).await;
    let conduct = format!("/api/programs/{}/conduct", p.program);
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    // No code yet: nothing is asked (and this connection remembers the answer).
    assert_eq!(send(&mut nia_ws, &pair_channel, "before").await["type"], "ack");
    let none = p.mentee.get(&conduct).await;
    assert_eq!(
        (none.body["version"].clone(), none.body["required"].clone()),
        (Value::Null, json!(false)),
        "{}",
        none.text
    );

    // Bad input and people who may not set it change nothing.
    let empty = p.coordinator.put(&conduct, json!({"text": "  "})).await;
    empty.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(empty.body["error"]["fields"]["text"].is_string(), "{}", empty.text);
    p.coordinator
        .put(&conduct, json!({"text": "x".repeat(20_001)}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentee.put(&conduct, json!({"text": "Mine"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let stranger = app.user("sam@example.org", "Sam", false, false).await;
    let _ = stranger;
    app.signed_in("sam@example.org").await.get(&conduct).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    let set = p.coordinator.put(&conduct, json!({"text": "# Be kind\n\nTreat everyone with respect."})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(
        (set.body["version"].as_i64(), set.body["required"].as_bool()),
        (Some(1), Some(false)),
        "coordinators need not accept"
    );
    let mine = p.mentee.get(&conduct).await;
    assert_eq!(
        (mine.body["version"].as_i64(), mine.body["required"].as_bool()),
        (Some(1), Some(true)),
        "{}",
        mine.text
    );
    let pending = p.mentee.get("/api/me/conduct").await;
    assert_eq!(pending.body["items"][0]["version"], 1, "{}", pending.text);
    assert_eq!(pending.body["items"][0]["text"], "# Be kind\n\nTreat everyone with respect.");

    // Until she accepts, she cannot post (even on a connection that posted before), call, or go
    // to an event or into its room.
    let refused = send(&mut nia_ws, &pair_channel, "blocked").await;
    assert_eq!(
        (refused["code"].as_str(), refused["message"].as_str()),
        (Some("conduct_required"), Some("accept the program's code of conduct first"))
    );
    let call = Uuid::new_v4().to_string();
    nia_ws.send(json!({"type": "call_invite", "ref": "c", "call": call, "to": kwame})).await;
    let refused = nia_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "c").await;
    assert_eq!(refused["message"], "accept the program's code of conduct first", "{refused}");
    let starts_at = (app.state.clock.now() + time::Duration::minutes(10))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let event = p
        .coordinator
        .post(
            &format!("/api/programs/{}/events", p.program),
            json!({"title": "Panel", "starts_at": starts_at, "duration_min": 60, "capacity": 50, "audience": "people", "invitees": [nia]}),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text);
    let event = event.body["id"].as_str().unwrap().to_owned();
    let rsvp = format!("/api/events/{event}/rsvp");
    p.mentee.post(&rsvp, json!({"going": true})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    nia_ws.send(json!({"type": "room_join", "event": event})).await;
    let refused = nia_ws.recv_matching(|f| f["type"] == "room_error").await;
    assert_eq!(
        (refused["code"].as_str(), refused["message"].as_str()),
        (Some("forbidden"), Some("accept the program's code of conduct first")),
        "{refused}"
    );

    // Accepting an old or unknown version is refused; the current one opens everything.
    let accept = format!("{conduct}/accept");
    p.mentee.post(&accept, json!({"version": 2})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.mentee.post(&accept, json!({})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let res = p.mentee.post(&accept, json!({"version": 1})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(p.mentee.get("/api/me/conduct").await.body["items"], json!([]));
    assert_eq!(send(&mut nia_ws, &pair_channel, "after").await["type"], "ack");
    assert_eq!(p.mentee.post(&rsvp, json!({"going": true})).await.status, StatusCode::OK);
    // He has not accepted.
    assert_eq!(send(&mut kwame_ws, &pair_channel, "his").await["code"], "conduct_required");

    // The same text again is no new version; a new text asks again, on every connection.
    assert_eq!(
        p.coordinator.put(&conduct, json!({"text": "# Be kind\n\nTreat everyone with respect."})).await.body["version"],
        1
    );
    let v2 = p.coordinator.put(&conduct, json!({"text": "# Be kind\n\nAnd report what is not."})).await;
    assert_eq!(v2.body["version"], 2, "{}", v2.text);
    let told = nia_ws.recv_matching(|f| f["type"] == "conduct").await;
    assert_eq!((told["program_id"].as_str(), told["version"].as_i64()), (Some(p.program.as_str()), Some(2)));
    assert_eq!(send(&mut nia_ws, &pair_channel, "again").await["code"], "conduct_required");
    let mine = p.mentee.get(&conduct).await;
    assert_eq!((mine.body["accepted_version"].as_i64(), mine.body["required"].as_bool()), (Some(1), Some(true)));
    p.mentee.post(&accept, json!({"version": 1})).await.assert_error(StatusCode::CONFLICT, "conflict");

    // Acceptances are exported (each member's latest) and in her data download; each new
    // version is in the audit log.
    let csv = p.coordinator.get(&format!("/api/programs/{}/exports/conduct-acceptances", p.program)).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    let mut lines = csv.text.lines();
    assert_eq!(lines.next(), Some("person,name,role,current_version,accepted_version,accepted_at"));
    let hers = csv.text.lines().find(|l| l.starts_with(nia.as_str())).unwrap();
    assert!(hers.starts_with(&format!("{nia},Nia,mentee,2,1,")), "{hers}");
    let his = csv.text.lines().find(|l| l.starts_with(kwame.as_str())).unwrap();
    assert_eq!(his, format!("{kwame},Kwame,mentor,2,,"));
    let export: Value = serde_json::from_str(&p.mentee.get("/api/me/export").await.text).unwrap();
    assert_eq!(export["conduct_accepted"][0]["version"], 1, "{}", export["conduct_accepted"]);
    app.user("ada@example.org", "Ada", true, false).await;
    let audit = app.signed_in("ada@example.org").await.get("/api/admin/audit").await;
    let versions = audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "conduct").count();
    assert_eq!(versions, 2, "{}", audit.text);
}

async fn coordinators_moderate_group_channels(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    moderation(&p).await;
}

/// A coordinator removes a message, locks a group, mutes someone and takes someone out of a
/// group; whichever node each person is on.
async fn moderation(p: &Pair) {
    let [_, kwame, otto] = &p.ids;
    let (pair_channel, group) = channels(p).await;
    let two = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "group", "name": "Cora & Kwame", "members": [kwame]}),
        )
        .await;
    let two = two.body["id"].as_str().unwrap().to_owned();
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    let (mut cora_ws, _) = p.coordinator.ws(json!({})).await;
    let g1 = send(&mut kwame_ws, &group, "g1").await["seq"].clone();
    let g2 = send(&mut kwame_ws, &group, "g2").await["seq"].clone();
    let t1 = send(&mut kwame_ws, &two, "t1").await["seq"].clone();
    let delete = |channel: &str, target: &Value, id: &str| json!({"type": "delete", "ref": id, "channel": channel, "client_id": id, "target": target});
    let reply = |id: &'static str| move |f: &Value| f["ref"] == id && (f["type"] == "ack" || f["type"] == "error");

    // Members cannot remove others' messages; a coordinator can, in a group, and the tombstone
    // says so; never in a conversation of two.
    nia_ws.send(delete(&group, &g1, "d1")).await;
    assert_eq!(nia_ws.recv_matching(reply("d1")).await["code"], "forbidden");
    cora_ws.send(delete(&group, &g1, "d2")).await;
    assert_eq!(cora_ws.recv_matching(reply("d2")).await["type"], "ack");
    let removed =
        nia_ws.recv_matching(|f| f["type"] == "event" && f["kind"] == "delete" && f["target_seq"] == g1).await;
    assert_eq!(removed["message"]["removed_by_coordinator"], true, "{removed}");
    kwame_ws.send(delete(&group, &g2, "d3")).await;
    assert_eq!(kwame_ws.recv_matching(reply("d3")).await["type"], "ack");
    let history = p.mentee.get(&format!("/api/channels/{group}/messages")).await;
    let tombstone =
        |seq: &Value| history.body["items"].as_array().unwrap().iter().find(|m| m["seq"] == *seq).unwrap().clone();
    assert_eq!(
        (tombstone(&g1)["removed_by_coordinator"].as_bool(), tombstone(&g1)["body"].as_str()),
        (Some(true), Some(""))
    );
    assert_eq!(tombstone(&g2)["removed_by_coordinator"], false, "deleted by its author");
    cora_ws.send(delete(&two, &t1, "d4")).await;
    assert_eq!(cora_ws.recv_matching(reply("d4")).await["code"], "forbidden");

    // Locking: coordinators only, group channels of more than two only.
    let lock = |channel: &str| format!("/api/channels/{channel}/lock");
    p.mentee.post(&lock(&group), json!({"locked": true})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.coordinator.post(&lock(&two), json!({"locked": true})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator
        .post(&lock(&pair_channel), json!({"locked": true}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator
        .post(&lock(&group), json!({"locked": "yes"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let locked = p.coordinator.post(&lock(&group), json!({"locked": true})).await;
    assert_eq!((locked.status, locked.body["locked"].as_bool()), (StatusCode::OK, Some(true)), "{}", locked.text);
    kwame_ws.recv_matching(|f| f["type"] == "channel_changed" && f["channel"] == group.as_str()).await;
    let refused = send(&mut kwame_ws, &group, "g3").await;
    assert_eq!(
        (refused["code"].as_str(), refused["message"].as_str()),
        (Some("read_only"), Some("only coordinators post in this channel"))
    );
    assert_eq!(send(&mut cora_ws, &group, "c1").await["type"], "ack");
    let view = p.mentor.get(&format!("/api/channels/{group}")).await;
    assert_eq!(
        (view.body["locked"].as_bool(), view.body["can_post"].as_bool()),
        (Some(true), Some(false)),
        "{}",
        view.text
    );
    let (mut later, welcome) = p.mentor.ws(json!({})).await;
    let listed = welcome["channels"].as_array().unwrap().iter().find(|c| c["id"] == group.as_str()).unwrap().clone();
    assert_eq!(listed["can_post"], false);
    assert_eq!(send(&mut later, &group, "g4").await["code"], "read_only");
    // Their own conversation is untouched.
    assert_eq!(send(&mut kwame_ws, &pair_channel, "p1").await["type"], "ack");

    let unlocked = p.coordinator.post(&lock(&group), json!({"locked": false})).await;
    assert_eq!(unlocked.body["locked"], false, "{}", unlocked.text);
    nia_ws.recv_matching(|f| f["type"] == "channel_changed").await;
    assert_eq!(send(&mut kwame_ws, &group, "g5").await["type"], "ack");
    assert_eq!(send(&mut later, &group, "g6").await["type"], "ack");

    // Slow mode: members wait between messages, coordinators do not; 0 turns it off.
    let slow = |channel: &str| format!("/api/channels/{channel}/slow-mode");
    p.mentee.post(&slow(&group), json!({"seconds": 60})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let bad = p.coordinator.post(&slow(&group), json!({"seconds": 3601})).await;
    assert!(bad.body["error"]["fields"]["seconds"].is_string(), "{}", bad.text);
    p.coordinator.post(&slow(&two), json!({"seconds": 60})).await.assert_error(StatusCode::CONFLICT, "conflict");
    let set = p.coordinator.post(&slow(&group), json!({"seconds": 60})).await;
    assert_eq!((set.status, set.body["slow_mode_s"].as_i64()), (StatusCode::OK, Some(60)), "{}", set.text);
    kwame_ws.recv_matching(|f| f["type"] == "channel_changed" && f["channel"] == group.as_str()).await;
    assert_eq!(send(&mut kwame_ws, &group, "s1").await["type"], "ack");
    let refused = send(&mut kwame_ws, &group, "s2").await;
    assert_eq!(refused["code"], "slow_mode", "{refused}");
    assert_eq!(send(&mut cora_ws, &group, "c2").await["type"], "ack");
    assert_eq!(send(&mut cora_ws, &group, "c3").await["type"], "ack");
    assert_eq!(
        send(&mut kwame_ws, &pair_channel, "p3").await["type"],
        "ack",
        "their conversation of two has no slow mode"
    );
    let off = p.coordinator.post(&slow(&group), json!({"seconds": 0})).await;
    assert_eq!(off.body["slow_mode_s"], 0, "{}", off.text);
    kwame_ws.recv_matching(|f| f["type"] == "channel_changed" && f["channel"] == group.as_str()).await;
    assert_eq!(send(&mut kwame_ws, &group, "s3").await["type"], "ack");

    // Muting: refusals first, with every failing field named.
    let mute = |who: &str| format!("/api/programs/{}/members/{who}/mute", p.program);
    let unmute = |who: &str| format!("/api/programs/{}/members/{who}/unmute", p.program);
    p.mentee
        .post(&mute(kwame), json!({"minutes": 30, "reason": "x"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let bad = p.coordinator.post(&mute(kwame), json!({"minutes": 0, "reason": " "})).await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(
        bad.body["error"]["fields"]["minutes"].is_string() && bad.body["error"]["fields"]["reason"].is_string(),
        "{}",
        bad.text
    );
    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();
    p.coordinator
        .post(&mute(&cora), json!({"minutes": 5, "reason": "x"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator
        .post(&mute(&Uuid::new_v4().to_string()), json!({"minutes": 5, "reason": "x"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let muted = p.coordinator.post(&mute(kwame), json!({"minutes": 30, "reason": "Cooling off"})).await;
    assert_eq!(muted.status, StatusCode::OK, "{}", muted.text);
    let members = p.coordinator.get(&format!("/api/programs/{}/members?limit=200", p.program)).await;
    let him =
        members.body["items"].as_array().unwrap().iter().find(|m| m["user_id"] == kwame.as_str()).unwrap().clone();
    assert_eq!(him["muted_until"], muted.body["until"], "{him}");
    let refused = send(&mut kwame_ws, &group, "g7").await;
    assert_eq!(refused["code"], "muted", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("until"), "{refused}");
    assert_eq!(send(&mut kwame_ws, &pair_channel, "p2").await["type"], "ack", "their conversation of two stays theirs");
    let (mut fresh, _) = p.mentor.ws(json!({})).await;
    assert_eq!(send(&mut fresh, &group, "g8").await["code"], "muted");
    assert_eq!(
        p.coordinator.post(&unmute(kwame), json!({"reason": "Talked it through"})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(send(&mut kwame_ws, &group, "g9").await["type"], "ack");
    assert_eq!(send(&mut fresh, &group, "g10").await["type"], "ack");
    p.coordinator
        .post(&unmute(kwame), json!({"reason": "again"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Taking someone out of a group: their screens drop it at once.
    let (mut otto_ws, _) = p.outsider.ws(json!({})).await;
    let remove = |channel: &str, who: &str| format!("/api/channels/{channel}/members/{who}/remove");
    p.mentee.post(&remove(&group, otto), json!({"reason": "x"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.coordinator
        .post(&remove(&two, kwame), json!({"reason": "x"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let removed = p.coordinator.post(&remove(&group, otto), json!({"reason": "Spam links"})).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    otto_ws.recv_matching(|f| f["type"] == "channel_removed" && f["channel"] == group.as_str()).await;
    assert_eq!(send(&mut otto_ws, &group, "o1").await["code"], "not_member");
    p.outsider.get(&format!("/api/channels/{group}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.coordinator
        .post(&remove(&group, otto), json!({"reason": "again"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // The same actions close a report: muting the reported person, or taking them out of the
    // channel of the reported message.
    let g11 = send(&mut kwame_ws, &group, "g11").await["seq"].clone();
    let report = json!({"kind": "message", "category": "spam", "channel_id": group, "seq": g11, "share": [g11]});
    let report = p.mentee.post("/api/reports", report).await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
    let close = format!("/api/programs/{}/reports/{}/close", p.program, report.body["id"].as_str().unwrap());
    let res = p.coordinator.post(&close, json!({"outcome": "muted", "reason": "x"})).await;
    assert!(res.body["error"]["fields"]["minutes"].is_string(), "{}", res.text);
    let res = p.coordinator.post(&close, json!({"outcome": "removed", "reason": "Repeated spam"})).await;
    assert_eq!((res.status, res.body["outcome"].as_str()), (StatusCode::OK, Some("removed")), "{}", res.text);
    kwame_ws.recv_matching(|f| f["type"] == "channel_removed" && f["channel"] == group.as_str()).await;
}

/// Moderation with the coordinator, the mentee and the mentor on different nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderation_reaches_every_node() {
    let cluster = Cluster::spawn(2, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&cluster.nodes[0], &cluster.nodes[1]]).await;
    moderation(&p).await;
}

async fn a_suspension_closes_the_program_until_lifted(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let [nia, kwame, _] = &p.ids;
    let (pair_channel, group) = channels(&p).await;
    let suspend = format!("/api/programs/{}/members/{kwame}/suspend", p.program);
    let reinstate = format!("/api/programs/{}/members/{kwame}/reinstate", p.program);
    let program = format!("/api/programs/{}", p.program);
    let listed =
        |ws_welcome: &Value, id: &str| ws_welcome["channels"].as_array().unwrap().iter().any(|c| c["id"] == id);

    p.mentee.post(&suspend, json!({"reason": "x"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let bad = p.coordinator.post(&suspend, json!({"reason": ""})).await;
    assert!(bad.body["error"]["fields"]["reason"].is_string(), "{}", bad.text);
    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();
    p.coordinator
        .post(&format!("/api/programs/{}/members/{cora}/suspend", p.program), json!({"reason": "x"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator
        .post(&format!("/api/programs/{}/members/{}/suspend", p.program, Uuid::new_v4()), json!({"reason": "x"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    p.coordinator.post(&reinstate, json!({"reason": "x"})).await.assert_error(StatusCode::CONFLICT, "conflict");

    let (mut kwame_ws, _) = p.mentor.ws(json!({})).await;
    let res = p.coordinator.post(&suspend, json!({"reason": "While we look into a report"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    // His devices reconnect (not signed out) and come back without the program.
    assert_eq!(kwame_ws.close_code().await, Some(4012), "the reconnect code (restarting), not signed out");
    let members = p.coordinator.get(&format!("/api/programs/{}/members?limit=200", p.program)).await;
    let him =
        members.body["items"].as_array().unwrap().iter().find(|m| m["user_id"] == kwame.as_str()).unwrap().clone();
    assert!(him["suspended_at"].is_string(), "{him}");
    let (mut kwame_ws, welcome) = p.mentor.ws(json!({})).await;
    assert!(!listed(&welcome, &pair_channel) && !listed(&welcome, &group), "{welcome}");
    assert_eq!(send(&mut kwame_ws, &group, "g").await["code"], "not_member");
    p.mentor.get(&program).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentor.get(&format!("/api/channels/{group}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let mine = p.mentor.get("/api/programs").await;
    assert!(!mine.text.contains(&p.program), "{}", mine.text);
    let session = p.mentor.get("/api/auth/session").await;
    assert!(!session.text.contains(&p.program), "his session lists no suspended program: {}", session.text);
    let export: Value = serde_json::from_str(&p.mentor.get("/api/me/export").await.text).unwrap();
    assert_eq!(export["suspended_from"][0]["program_id"], p.program.as_str(), "{}", export["suspended_from"]);
    // Nobody reaches him through the program: no call.
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    nia_ws.send(json!({"type": "call_invite", "ref": "c", "call": Uuid::new_v4(), "to": kwame})).await;
    assert_eq!(nia_ws.recv_matching(|f| f["type"] == "call_error" && f["ref"] == "c").await["code"], "forbidden");
    // His data is kept: the coordinators still see the match.
    let matches = p.coordinator.get(&format!("/api/programs/{}/matching/matches", p.program)).await;
    assert_eq!(matches.body["items"][0]["status"], "active", "{}", matches.text);
    p.coordinator.post(&suspend, json!({"reason": "again"})).await.assert_error(StatusCode::CONFLICT, "conflict");

    let res = p.coordinator.post(&reinstate, json!({"reason": "Resolved"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(kwame_ws.close_code().await, Some(4012));
    let (mut kwame_ws, welcome) = p.mentor.ws(json!({})).await;
    assert!(listed(&welcome, &pair_channel) && listed(&welcome, &group), "{welcome}");
    assert_eq!(send(&mut kwame_ws, &group, "back").await["type"], "ack");
    assert_eq!(p.mentor.get(&program).await.status, StatusCode::OK);
    let _ = nia;
}

async fn taking_someone_out_of_an_event(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let [nia, _, _] = &p.ids;
    let starts_at = (app.state.clock.now() + time::Duration::minutes(10))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let event = p
        .coordinator
        .post(
            &format!("/api/programs/{}/events", p.program),
            json!({"title": "Town hall", "starts_at": starts_at, "duration_min": 60, "capacity": 50, "audience": "program"}),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text);
    let (event, chat) = (event.body["id"].as_str().unwrap().to_owned(), event.body["chat_channel_id"].clone());
    let rsvp = format!("/api/events/{event}/rsvp");
    assert_eq!(p.mentee.post(&rsvp, json!({"going": true})).await.status, StatusCode::OK);
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    let remove = |who: &str| format!("/api/events/{event}/people/{who}/remove");
    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();

    p.mentee.post(&remove(&p.ids[1]), json!({"reason": "x"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.coordinator.post(&remove(&cora), json!({"reason": "x"})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator.post(&remove(nia), json!({})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let res = p.coordinator.post(&remove(nia), json!({"reason": "Disrupted the last panel"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    // Out of the event, whatever its audience: no page, no RSVP, no room, no chat.
    if let Some(chat) = chat.as_str() {
        nia_ws.recv_matching(|f| f["type"] == "channel_removed" && f["channel"] == chat).await;
    }
    p.mentee.get(&format!("/api/events/{event}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee.post(&rsvp, json!({"going": true})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    nia_ws.send(json!({"type": "room_join", "event": event})).await;
    assert_eq!(nia_ws.recv_matching(|f| f["type"] == "room_error").await["code"], "forbidden");
    let seen = p.coordinator.get(&format!("/api/events/{event}")).await;
    assert_eq!(seen.body["going"], 0, "her RSVP went: {}", seen.text);
    p.coordinator.post(&remove(nia), json!({"reason": "again"})).await.assert_error(StatusCode::CONFLICT, "conflict");
    // The mentor, also invited by the audience, is not affected.
    assert_eq!(p.mentor.get(&format!("/api/events/{event}")).await.status, StatusCode::OK);
    // Lifting the removal invites her again, as the audience says.
    let restore = format!("/api/events/{event}/people/{nia}/restore");
    p.mentee.post(&restore, json!({"reason": "x"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(p.coordinator.post(&restore, json!({"reason": "Apologised"})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(p.mentee.get(&format!("/api/events/{event}")).await.status, StatusCode::OK);
    assert_eq!(p.mentee.post(&rsvp, json!({"going": true})).await.status, StatusCode::OK);
    p.coordinator.post(&restore, json!({"reason": "again"})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

async fn meetings_and_event_moments_are_reported(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = pair(&[&app]).await;
    let [_, kwame, _] = &p.ids;
    let cora = p.coordinator.get("/api/me").await.body["id"].as_str().unwrap().to_owned();
    let at =
        |d: time::Duration| (app.state.clock.now() + d).format(&time::format_description::well_known::Rfc3339).unwrap();
    let meeting = p
        .mentor
        .post(
            "/api/meetings",
            json!({"match_id": p.match_id, "title": "Catch-up", "starts_at": at(time::Duration::days(2)), "duration_min": 30, "client_id": "m1"}),
        )
        .await;
    let meeting = meeting.body["id"].as_str().unwrap().to_owned();
    let about_meeting = json!({"kind": "meeting", "category": "inappropriate_content", "meeting_id": meeting});
    p.outsider.post("/api/reports", about_meeting.clone()).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let made = p.mentee.post("/api/reports", about_meeting).await;
    assert_eq!(
        (made.status, made.body["subject"]["user_id"].as_str()),
        (StatusCode::CREATED, Some(kwame.as_str())),
        "{}",
        made.text
    );
    let report = made.body["id"].as_str().unwrap().to_owned();

    let event = p
        .coordinator
        .post(
            &format!("/api/programs/{}/events", p.program),
            json!({"title": "Town hall", "starts_at": at(time::Duration::days(1)), "duration_min": 60, "capacity": 50, "audience": "program"}),
        )
        .await;
    let event = event.body["id"].as_str().unwrap().to_owned();
    let moment = |user: &str| json!({"kind": "event", "category": "harassment", "event_id": event, "user_id": user});
    let stranger = p.mentee.post("/api/reports", moment(&Uuid::new_v4().to_string())).await;
    stranger.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(stranger.body["error"]["fields"]["user_id"].is_string(), "{}", stranger.text);
    let made = p.outsider.post("/api/reports", moment(&cora)).await;
    assert_eq!((made.status, made.body["kind"].as_str()), (StatusCode::CREATED, Some("event")), "{}", made.text);
    p.outsider.post("/api/reports", moment(&cora)).await.assert_error(StatusCode::CONFLICT, "conflict");

    // Closing the meeting report with a suspension suspends the mentor.
    let close = format!("/api/programs/{}/reports/{report}/close", p.program);
    let res = p.coordinator.post(&close, json!({"outcome": "suspended", "reason": "Pending a review"})).await;
    assert_eq!((res.status, res.body["outcome"].as_str()), (StatusCode::OK, Some("suspended")), "{}", res.text);
    p.mentor.get(&format!("/api/programs/{}", p.program)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

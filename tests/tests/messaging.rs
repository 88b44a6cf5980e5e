//! The chat protocol over real WebSockets against servers on port 0, on SQLite and PostgreSQL:
//! send/ack/deliver, idempotent retries, resume without gaps, edits and deletes, receipts and
//! unread counts across devices, presence across tabs, typing, and every refusal.

use std::time::{Duration, Instant};

use kindred::store::{NewUser, Role, SessionKind, SessionRecord};
use kindred_tests::{Backend, Client, TestApp, Ws, all_pages, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

both_backends!(
    send_ack_and_deliver_in_order,
    retries_with_the_same_client_id_never_duplicate,
    resume_after_a_thousand_missed_messages,
    edits_and_deletes_live_and_on_resume,
    receipts_and_unread_counts_across_devices,
    presence_across_tabs_without_flapping,
    typing_reaches_the_others_only,
    refusals_for_non_members_and_bad_frames,
    announcement_channels_are_read_only_for_members,
    history_pages_backwards,
    a_slow_consumer_is_closed_and_resumes,
    shutdown_closes_sockets_with_the_restart_code,
    signing_out_closes_sockets,
    a_large_channel_carries_its_count_not_its_members,
    the_channel_list_pages_by_activity_and_welcome_carries_the_first_page,
);

/// A program with a coordinator, a mentor and a mentee, and the pair's channel.
struct Pair {
    app: TestApp,
    coordinator: Client,
    mentor: Client,
    mentee: Client,
    program: String,
    channel: String,
    ids: [String; 3],
}

async fn pair(backend: Backend) -> Pair {
    pair_with(backend, |_| {}).await
}

async fn pair_with(backend: Backend, tweak: impl FnOnce(&mut kindred::Config)) -> Pair {
    let app = TestApp::spawn_with(backend, |c| {
        c.presence_grace_ms = 300;
        tweak(c)
    })
    .await;
    let cora = app.user("cora@example.org", "Cora", false, true).await;
    let kwame = app.user("kwame@example.org", "Kwame", false, false).await;
    let nia = app.user("nia@example.org", "Nia", false, false).await;
    let coordinator = app.signed_in("cora@example.org").await;
    let program = coordinator.post("/api/programs", json!({"name": "P"})).await.body["id"].as_str().unwrap().to_owned();
    let pid = program.parse().unwrap();
    let now = app.state.clock.now();
    app.state.store.add_member(pid, kwame.id, Role::Mentor, now).await.unwrap();
    app.state.store.add_member(pid, nia.id, Role::Mentee, now).await.unwrap();
    let res = coordinator
        .post(&format!("/api/programs/{program}/channels"), json!({"kind": "pair", "members": [kwame.id, nia.id]}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["name"], "Kwame & Nia");
    let channel = res.body["id"].as_str().unwrap().to_owned();
    let mentor = app.signed_in("kwame@example.org").await;
    let mentee = app.signed_in("nia@example.org").await;
    Pair {
        coordinator,
        mentor,
        mentee,
        program,
        channel,
        ids: [cora.id.to_string(), kwame.id.to_string(), nia.id.to_string()],
        app,
    }
}

/// Collects `event` frames of a channel until `n` distinct sequence numbers have arrived.
async fn events(ws: &mut Ws, channel: &str, n: usize) -> Vec<Value> {
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < n {
        let f = ws.recv_type("event").await;
        if f["channel_id"] == channel {
            seen.insert(f["seq"].as_i64().unwrap(), f);
        }
    }
    seen.into_values().collect()
}

async fn send_ack_and_deliver_in_order(backend: Backend) {
    let p = pair(backend).await;
    let (mut kwame, welcome) = p.mentor.ws(json!({})).await;
    assert_eq!(welcome["v"], 1);
    assert_eq!(welcome["channels"][0]["id"], p.channel.as_str());
    assert_eq!(welcome["channels"][0]["kind"], "pair");
    let (mut nia, _) = p.mentee.ws(json!({})).await;

    for i in 1..=5 {
        let ack = kwame.send_message(&p.channel, &format!("k{i}"), &format!("hello {i}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        assert_eq!(ack["seq"], i);
        assert_eq!(ack["created"], true);
    }
    let got = events(&mut nia, &p.channel, 5).await;
    let bodies: Vec<&str> = got.iter().map(|e| e["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["hello 1", "hello 2", "hello 3", "hello 4", "hello 5"]);
    assert_eq!(got[0]["sender_id"], p.ids[1].as_str());
    assert_eq!(got[0]["kind"], "message");
    // Both directions; the sender's own other connections hear it too.
    let ack = nia.send_message(&p.channel, "n1", "<b>not html</b>").await;
    assert_eq!(ack["seq"], 6);
    let back = kwame.recv_matching(|f| f["type"] == "event" && f["seq"] == 6).await;
    assert_eq!(back["body"], "<b>not html</b>");

    let list = p.mentee.get("/api/channels").await;
    assert_eq!(list.body["items"][0]["last_seq"], 6);
    assert_eq!(list.body["items"][0]["unread"], 5);
}

async fn retries_with_the_same_client_id_never_duplicate(backend: Backend) {
    let p = pair(backend).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let first = kwame.send_message(&p.channel, "same-id", "once").await;
    // The ack was "lost": the client reconnects and retries with the same client id.
    drop(kwame);
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let again = kwame.send_message(&p.channel, "same-id", "once").await;
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["created"], false);
    // Someone else using the same client id makes their own message, not a duplicate of Kwame's.
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let hers = nia.send_message(&p.channel, "same-id", "mine").await;
    assert_eq!(hers["created"], true);
    assert_ne!(hers["seq"], first["seq"]);
    let history = p.mentee.get(&format!("/api/channels/{}/messages", p.channel)).await;
    let bodies: Vec<&str> =
        history.body["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["mine", "once"]);
}

async fn resume_after_a_thousand_missed_messages(backend: Backend) {
    let p = pair_with(backend, |c| {
        c.ws_send_rate_per_sec = 100_000.0;
        c.ws_send_burst = 100_000.0;
    })
    .await;
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let ack = nia.send_message(&p.channel, "before", "seen").await;
    let seen = ack["seq"].as_i64().unwrap();
    drop(nia);

    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    for i in 0..1000 {
        kwame
            .send(json!({"type": "send", "ref": format!("r{i}"), "channel": p.channel, "client_id": format!("m{i}"), "body": format!("missed {i}")}))
            .await;
    }
    let mut acks = 0;
    while acks < 1000 {
        let f = kwame.recv().await;
        assert_ne!(f["type"], "error", "{f}");
        if f["type"] == "ack" {
            acks += 1;
        }
    }

    let started = Instant::now();
    let (mut nia, _) = p.mentee.ws(json!({ p.channel.clone(): seen })).await;
    let mut seqs = Vec::new();
    loop {
        let f = nia.recv().await;
        match f["type"].as_str().unwrap() {
            "event" => seqs.push(f["seq"].as_i64().unwrap()),
            "caught_up" => {
                assert_eq!(f["last_seq"][&p.channel], seen + 1000);
                break;
            }
            _ => {}
        }
    }
    let took = started.elapsed();
    eprintln!("resume of 1000 missed messages took {took:?} ({backend:?})");
    assert_eq!(seqs, ((seen + 1)..=(seen + 1000)).collect::<Vec<_>>(), "every missed message once, in order");
}

async fn edits_and_deletes_live_and_on_resume(backend: Backend) {
    let p = pair(backend).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    kwame.send_message(&p.channel, "a", "first draft").await;
    kwame.send_message(&p.channel, "b", "to be deleted").await;
    events(&mut nia, &p.channel, 2).await;
    // Nia stops listening after seq 2.
    drop(nia);

    kwame.send(json!({"type": "edit", "ref": "e", "channel": p.channel, "client_id": "e1", "target": 1, "body": "final text"})).await;
    let ack = kwame.recv_matching(|f| f["ref"] == "e").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["seq"], 3);
    kwame.send(json!({"type": "delete", "ref": "d", "channel": p.channel, "client_id": "d1", "target": 2})).await;
    assert_eq!(kwame.recv_matching(|f| f["ref"] == "d").await["seq"], 4);

    // On resume Nia learns of both changes.
    let (mut nia, _) = p.mentee.ws(json!({ p.channel.clone(): 2 })).await;
    let changes = events(&mut nia, &p.channel, 2).await;
    assert_eq!(changes[0]["kind"], "edit");
    assert_eq!(changes[0]["target_seq"], 1);
    assert_eq!(changes[0]["body"], "final text");
    assert_eq!(changes[1]["kind"], "delete");
    assert_eq!(changes[1]["target_seq"], 2);

    // Live: the edit frame carries the message's new state.
    kwame.send(json!({"type": "edit", "ref": "e2", "channel": p.channel, "client_id": "e2", "target": 1, "body": "final final"})).await;
    let live = nia.recv_matching(|f| f["type"] == "event" && f["kind"] == "edit").await;
    assert_eq!(live["message"]["body"], "final final");
    assert!(live["message"]["edited_at"].is_string());

    // Only the author may change a message; a deleted one cannot be edited.
    nia.send(
        json!({"type": "edit", "ref": "x", "channel": p.channel, "client_id": "x1", "target": 1, "body": "hijack"}),
    )
    .await;
    let refused = nia.recv_matching(|f| f["ref"] == "x").await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    nia.send(json!({"type": "delete", "ref": "y", "channel": p.channel, "client_id": "y1", "target": 1})).await;
    assert_eq!(nia.recv_matching(|f| f["ref"] == "y").await["code"], "forbidden");
    kwame
        .send(
            json!({"type": "edit", "ref": "z", "channel": p.channel, "client_id": "z1", "target": 2, "body": "revive"}),
        )
        .await;
    assert_eq!(kwame.recv_matching(|f| f["ref"] == "z").await["code"], "conflict");
    kwame
        .send(json!({"type": "edit", "ref": "w", "channel": p.channel, "client_id": "w1", "target": 99, "body": "x"}))
        .await;
    assert_eq!(kwame.recv_matching(|f| f["ref"] == "w").await["code"], "not_found");

    // History shows the current state: edited text and a tombstone.
    let history = p.mentee.get(&format!("/api/channels/{}/messages", p.channel)).await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["seq"], 2);
    assert_eq!(items[0]["body"], "");
    assert!(items[0]["deleted_at"].is_string());
    assert_eq!(items[1]["body"], "final final");
}

async fn receipts_and_unread_counts_across_devices(backend: Backend) {
    let p = pair(backend).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let (mut phone, _) = p.mentee.ws(json!({})).await;
    let (mut laptop, _) = p.mentee.ws(json!({})).await;
    for i in 1..=3 {
        kwame.send_message(&p.channel, &format!("c{i}"), "x").await;
    }
    events(&mut phone, &p.channel, 3).await;
    phone.send(json!({"type": "read", "channel": p.channel, "seq": 2})).await;
    // The other device's unread count follows; the sender sees the receipt.
    let unread = laptop.recv_type("unread").await;
    assert_eq!(unread["unread"], 1);
    assert_eq!(unread["last_read_seq"], 2);
    let receipt = kwame.recv_type("read").await;
    assert_eq!(receipt["user_id"], p.ids[2].as_str());
    assert_eq!(receipt["seq"], 2);
    // Read positions never move back.
    phone.send(json!({"type": "read", "channel": p.channel, "seq": 1})).await;
    assert_eq!(laptop.recv_type("unread").await["last_read_seq"], 2);
    // And survive reconnects: REST and a new connection agree.
    let list = p.mentee.get("/api/channels").await;
    assert_eq!(list.body["items"][0]["unread"], 1);
    assert_eq!(list.body["items"][0]["last_read_seq"], 2);
    let (_tablet, welcome) = p.mentee.ws(json!({})).await;
    assert_eq!(welcome["channels"][0]["unread"], 1);
    let members = welcome["channels"][0]["members"].as_array().unwrap();
    assert!(members.iter().any(|m| m["user_id"] == p.ids[2].as_str() && m["last_read_seq"] == 2));
    // The sender's own messages never count as unread for them.
    assert_eq!(p.mentor.get("/api/channels").await.body["items"][0]["unread"], 0);
    phone.send(json!({"type": "read", "ref": "f", "channel": p.channel, "seq": 99})).await;
    assert_eq!(phone.recv_matching(|f| f["ref"] == "f").await["code"], "seq_from_future");
}

async fn presence_across_tabs_without_flapping(backend: Backend) {
    // A grace long enough that a reconnect on a busy CI machine fits inside it.
    let p = pair_with(backend, |c| c.presence_grace_ms = 2_000).await;
    let (mut kwame, welcome) = p.mentor.ws(json!({})).await;
    assert!(welcome["presence"].get(&p.ids[2]).is_none(), "Nia is offline");
    let (mut tab1, welcome) = p.mentee.ws(json!({})).await;
    assert_eq!(welcome["presence"][&p.ids[1]], "online", "Nia sees Kwame online");
    let online = kwame.recv_type("presence").await;
    assert_eq!(online["user_id"], p.ids[2].as_str());
    assert_eq!(online["state"], "online");
    let (mut tab2, _) = p.mentee.ws(json!({})).await;
    assert_eq!(kwame.recv_type("presence").await["state"], "online", "a second tab announces online again");

    // Away in one tab: still online, since the other tab is active.
    tab1.send(json!({"type": "presence", "state": "away"})).await;
    let f = kwame.recv_type("presence").await;
    assert_eq!(f["state"], "online");
    tab2.send(json!({"type": "presence", "state": "away"})).await;
    assert_eq!(kwame.recv_type("presence").await["state"], "away");
    tab2.send(json!({"type": "presence", "state": "online"})).await;
    assert_eq!(kwame.recv_type("presence").await["state"], "online");

    // A reload (close and reconnect within the grace period) shows no offline.
    drop(tab1);
    drop(tab2);
    let (_tab3, _) = p.mentee.ws(json!({})).await;
    let deadline = Instant::now() + Duration::from_millis(2_500);
    while Instant::now() < deadline {
        if let Ok(Some(Ok(f))) = tokio::time::timeout(Duration::from_millis(100), kwame.next()).await
            && f["type"] == "presence"
        {
            assert_ne!(f["state"], "offline", "reload flapped presence: {f}");
        }
    }
    drop(_tab3);
    assert_eq!(kwame.recv_type("presence").await["state"], "offline");

    // People sharing no channel see nothing of each other.
    p.app.user("stranger@example.org", "Stranger", false, false).await;
    let stranger = p.app.signed_in("stranger@example.org").await;
    let (_s, welcome) = stranger.ws(json!({})).await;
    assert!(welcome["presence"].as_object().unwrap().is_empty());
    assert!(welcome["channels"].as_array().unwrap().is_empty());
}

async fn typing_reaches_the_others_only(backend: Backend) {
    let p = pair(backend).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    kwame.send(json!({"type": "typing", "channel": p.channel})).await;
    let typing = nia.recv_type("typing").await;
    assert_eq!(typing["user_id"], p.ids[1].as_str());
    // Typing is never stored.
    assert_eq!(p.mentor.get("/api/channels").await.body["items"][0]["last_seq"], 0);
    kwame.send(json!({"type": "ping", "ref": "p"})).await;
    let pong = kwame.recv_matching(|f| f["type"] != "presence" && f["type"] != "caught_up").await;
    assert_eq!(pong["type"], "pong", "no typing echo to the typer: {pong}");
}

async fn refusals_for_non_members_and_bad_frames(backend: Backend) {
    let p = pair(backend).await;
    p.app.user("eve@example.org", "Eve", false, false).await;
    let eve = p.app.signed_in("eve@example.org").await;
    let (mut ws, _) = eve.ws(json!({})).await;
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let ch = p.channel.clone();
    let refusals = [
        (json!({"type": "send", "ref": "1", "channel": ch, "client_id": "a", "body": "hi"}), "not_member"),
        (json!({"type": "read", "ref": "2", "channel": ch, "seq": 0}), "not_member"),
        (json!({"type": "sync", "ref": "3", "channel": ch, "after": 0}), "not_member"),
        (json!({"type": "edit", "ref": "4", "channel": ch, "client_id": "b", "target": 1, "body": "x"}), "not_member"),
        (json!({"type": "delete", "ref": "5", "channel": ch, "client_id": "c", "target": 1}), "not_member"),
        (json!({"type": "send", "ref": "6", "channel": "not-a-uuid", "client_id": "a", "body": "hi"}), "bad_frame"),
        (json!({"type": "send", "ref": "7", "channel": ch, "client_id": "a", "body": 5}), "bad_frame"),
        (json!({"type": "send", "ref": "8", "channel": ch, "client_id": "bad id!", "body": "x"}), "invalid"),
        (json!({"type": "send", "ref": "9", "channel": ch, "client_id": "a", "body": "x".repeat(4001)}), "invalid"),
        (json!({"type": "explode", "ref": "10"}), "unknown_type"),
        (json!({"type": "hello", "v": 1}), "out_of_order"),
    ];
    for (frame, code) in refusals {
        let reference = frame["ref"].clone();
        ws.send(frame).await;
        let reply = ws.recv_type("error").await;
        assert_eq!(reply["code"], code, "{reply}");
        if reference != "11" {
            assert!(reply.get("ref").is_none() || reply["ref"] == reference || code == "out_of_order", "{reply}");
        }
    }
    ws.send_raw(Message::text("{not json")).await;
    assert_eq!(ws.recv_type("error").await["code"], "bad_frame");
    ws.send_raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(ws.recv_type("error").await["code"], "binary_not_supported");
    ws.send(json!({"type": "typing", "channel": ch})).await;
    assert_eq!(ws.recv_type("error").await["code"], "not_member");
    // A hello naming someone else's channel reveals nothing of it.
    let (mut ws2, _) = {
        let mut raw = eve.ws_raw(Some(&p.app.url)).await.unwrap();
        raw.send(json!({"type": "hello", "v": 1, "last_seq": { ch.clone(): 0 }})).await;
        let welcome = raw.recv_type("welcome").await;
        (raw, welcome)
    };
    assert_eq!(ws2.recv_type("error").await["code"], "not_member");
    assert!(ws2.recv_type("caught_up").await["last_seq"].as_object().unwrap().is_empty());
    // REST refuses too.
    eve.get(&format!("/api/channels/{ch}/messages")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    eve.post(
        &format!("/api/programs/{}/channels", p.program),
        json!({"kind": "group", "name": "x", "program_wide": true}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "group", "name": "x", "program_wide": true}),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // An oversized frame closes that connection only; others carry on.
    ws.send_raw(Message::text("x".repeat(70 * 1024))).await;
    assert_eq!(ws.close_code().await, Some(1009));
    let ack = nia.send_message(&ch, "ok", "still here").await;
    assert_eq!(ack["type"], "ack");
    // Sequence numbers from the future.
    nia.send(json!({"type": "sync", "ref": "s", "channel": ch, "after": 50})).await;
    assert_eq!(nia.recv_matching(|f| f["ref"] == "s").await["code"], "seq_from_future");
    // No hello: closed with the documented code. Wrong protocol version too.
    let mut raw = p.mentee.ws_raw(Some(&p.app.url)).await.unwrap();
    raw.send(json!({"type": "ping"})).await;
    assert_eq!(raw.close_code().await, Some(4000));
    let mut raw = p.mentee.ws_raw(Some(&p.app.url)).await.unwrap();
    raw.send(json!({"type": "hello", "v": 2})).await;
    assert_eq!(raw.close_code().await, Some(4000));
    // Foreign origins and strangers cannot open a socket at all.
    assert!(p.mentee.ws_raw(Some("https://evil.example")).await.is_err());
    assert!(p.app.client().ws_raw(Some(&p.app.url)).await.is_err());
    // Nothing of Eve's attempts reached the channel.
    let history = p.mentee.get(&format!("/api/channels/{ch}/messages")).await;
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1);
}

async fn announcement_channels_are_read_only_for_members(backend: Backend) {
    let p = pair(backend).await;
    let res = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "announcement", "name": "News", "program_wide": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let news = res.body["id"].as_str().unwrap().to_owned();
    let (mut nia, welcome) = p.mentee.ws(json!({})).await;
    let mine = welcome["channels"].as_array().unwrap().iter().find(|c| c["id"] == news.as_str()).unwrap().clone();
    assert_eq!(mine["can_post"], false);
    let (mut cora, _) = p.coordinator.ws(json!({})).await;
    let ack = cora.send_message(&news, "a1", "Welcome to the program!").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let got = events(&mut nia, &news, 1).await;
    assert_eq!(got[0]["body"], "Welcome to the program!");
    let refused = nia.send_message(&news, "n1", "can I post?").await;
    assert_eq!(refused["code"], "read_only");

    // A group channel opened while people are connected shows up live.
    let res = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "group", "name": "Cohort 1", "members": [p.ids[1], p.ids[2]]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let added = nia.recv_type("channel_added").await;
    assert_eq!(added["channel"]["name"], "Cohort 1");
    let group = added["channel"]["id"].as_str().unwrap().to_owned();
    // New channel-mates learn each other's presence (Cora, who opened it, is connected).
    let cora_id = p.ids[0].clone();
    nia.recv_matching(|f| f["type"] == "presence" && f["user_id"] == cora_id.as_str() && f["state"] == "online").await;
    assert_eq!(nia.send_message(&group, "g1", "hi all").await["type"], "ack");

    // Opening the same pair again returns the existing channel.
    let again = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "pair", "members": [p.ids[2], p.ids[1]]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["id"], p.channel.as_str());
    // Bad requests: strangers as members, a pair of one, duplicates.
    let stranger = uuid::Uuid::new_v4();
    for bad in [
        json!({"kind": "group", "name": "x", "members": [stranger]}),
        json!({"kind": "pair", "members": [p.ids[1]]}),
        json!({"kind": "group", "name": "x", "members": [p.ids[1], p.ids[1]]}),
        json!({"kind": "group", "name": "", "members": [p.ids[1]]}),
        json!({"kind": "secret", "name": "x"}),
    ] {
        p.coordinator
            .post(&format!("/api/programs/{}/channels", p.program), bad)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
}

async fn history_pages_backwards(backend: Backend) {
    let p = pair_with(backend, |c| c.ws_send_burst = 100.0).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    for i in 1..=25 {
        kwame.send_message(&p.channel, &format!("h{i}"), &format!("m{i}")).await;
    }
    let mut before = String::new();
    let mut all = Vec::new();
    loop {
        let page = p.mentee.get(&format!("/api/channels/{}/messages?limit=10{before}", p.channel)).await;
        assert_eq!(page.status, StatusCode::OK);
        all.extend(page.body["items"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()));
        match page.body["next_before"].as_i64() {
            Some(b) => before = format!("&before={b}"),
            None => break,
        }
    }
    assert_eq!(all, (1..=25).rev().collect::<Vec<_>>());
    p.mentee
        .get(&format!("/api/channels/{}/messages?limit=500", p.channel))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

async fn a_slow_consumer_is_closed_and_resumes(backend: Backend) {
    let p = pair_with(backend, |c| {
        c.ws_queue_frames = 8;
        c.ws_send_rate_per_sec = 100_000.0;
        c.ws_send_burst = 100_000.0;
    })
    .await;
    // Nia's socket is open but she reads nothing; Kwame sends large messages until her queue
    // overflows behind the full TCP buffers.
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let body = "y".repeat(4000);
    let mut last = 0;
    for i in 0..4000 {
        // Kwame reads his own frames as he goes; only Nia falls behind.
        let ack = kwame.send_message(&p.channel, &format!("s{i}"), &body).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        last = ack["seq"].as_i64().unwrap();
        if p.app.state.gateway.hub.connection_count() < 2 {
            break;
        }
    }
    assert_eq!(p.app.state.gateway.hub.connection_count(), 1, "the slow consumer was disconnected");
    assert_eq!(nia.close_code().await, Some(4010));
    // She resumes from the store and gets everything.
    let (mut nia, _) = p.mentee.ws(json!({ p.channel.clone(): 0 })).await;
    let caught = nia.recv_type("caught_up").await;
    assert!(caught["last_seq"][&p.channel].as_i64().unwrap() >= last);
}

async fn shutdown_closes_sockets_with_the_restart_code(backend: Backend) {
    let p = pair(backend).await;
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let ack = nia.send_message(&p.channel, "last", "before restart").await;
    assert_eq!(ack["type"], "ack");
    let Pair { app, .. } = p;
    let stopping = tokio::spawn(app.stop());
    assert_eq!(nia.close_code().await, Some(4012));
    tokio::time::timeout(Duration::from_secs(20), stopping).await.expect("shutdown finishes").unwrap();
}

async fn signing_out_closes_sockets(backend: Backend) {
    let p = pair(backend).await;
    let other_browser = p.app.signed_in("nia@example.org").await;
    let (mut here, _) = p.mentee.ws(json!({})).await;
    let (mut there, _) = other_browser.ws(json!({})).await;
    // Signing out of one browser closes that browser's sockets only.
    assert_eq!(p.mentee.post("/api/auth/logout", json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(here.close_code().await, Some(4001));
    there.send(json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(there.recv_matching(|f| f["type"] == "pong").await["ref"], "p");
    // Signing out everywhere closes the rest.
    assert_eq!(other_browser.post("/api/auth/logout-all", json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(there.close_code().await, Some(4001));
    assert!(other_browser.ws_raw(Some(&p.app.url)).await.is_err(), "and no new socket opens");
}

/// A program-wide channel of more members than a channel shows (50): the channel list, `welcome`
/// and `channel_added` carry its count and no member list, its members are read a page at a time
/// or by id, and read receipts stay out of it; a pair's channel keeps its members and receipts.
async fn a_large_channel_carries_its_count_not_its_members(backend: Backend) {
    let p = pair(backend).await;
    let program: uuid::Uuid = p.program.parse().unwrap();
    let now = p.app.state.clock.now();
    let mut members = Vec::new();
    for i in 0..60 {
        let person = NewUser {
            email: format!("member{i}@example.org"),
            name: format!("Member {i}"),
            password_hash: None,
            is_admin: false,
            can_create_programs: false,
        };
        let person = p.app.state.store.create_user(person, now).await.unwrap();
        p.app.state.store.add_member(program, person.id, Role::Mentee, now).await.unwrap();
        members.push(person.id);
    }
    let (mut nia, _) = p.mentee.ws(json!({})).await;
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let res = p
        .coordinator
        .post(
            &format!("/api/programs/{}/channels", p.program),
            json!({"kind": "group", "name": "Everyone", "program_wide": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["member_count"], 63);
    let everyone = res.body["id"].as_str().unwrap().to_owned();
    let added = nia.recv_matching(|f| f["type"] == "channel_added" && f["channel"]["id"] == everyone.as_str()).await;
    assert_eq!(added["channel"]["member_count"], 63);
    assert_eq!(added["channel"]["members"], json!([]));

    // The channel list and a new connection's welcome: the count for the large channel, the
    // members for the pair's.
    let check = |channels: &Value| {
        let find = |id: &str| channels.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
        let (big, pair) = (find(&everyone), find(&p.channel));
        assert_eq!((big["member_count"].as_i64(), big["members"].as_array().unwrap().len()), (Some(63), 0));
        assert_eq!((pair["member_count"].as_i64(), pair["members"].as_array().unwrap().len()), (Some(2), 2));
    };
    check(&p.mentee.get("/api/channels").await.body["items"]);
    let (_, welcome) = p.mentee.ws(json!({})).await;
    check(&welcome["channels"]);

    // Its members a page at a time, in order, each once.
    let path = format!("/api/channels/{everyone}/members");
    let first = p.mentee.get(&format!("{path}?limit=50")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = p.mentee.get(&format!("{path}?limit=50&cursor={cursor}")).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 13);
    assert_eq!(second.body["next_cursor"], Value::Null);
    let ids: std::collections::BTreeSet<String> = [&first, &second]
        .iter()
        .flat_map(|r| r.body["items"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ids.len(), 63);
    // Or by id: the senders on screen; someone who is not a member is left out.
    let stranger = uuid::Uuid::now_v7();
    let named = p.mentee.get(&format!("{path}?ids={},{},{stranger}", p.ids[1], p.ids[2])).await;
    let names: Vec<&str> =
        named.body["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{}", named.text);
    assert!(names.contains(&"Kwame") && names.contains(&"Nia"));
    // Refusals: bad ids, ids with paging, too many ids, a bad limit, someone outside the channel.
    p.mentee.get(&format!("{path}?ids=nope")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    p.mentee
        .get(&format!("{path}?ids={}&limit=5", p.ids[1]))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let res = p.mentee.get(&format!("{path}?ids={}", many.join(","))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("ids"), "{}", res.text);
    p.mentee.get(&format!("{path}?limit=0")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    p.app.user("eve@example.org", "Eve", false, false).await;
    let eve = p.app.signed_in("eve@example.org").await;
    eve.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    eve.get(&format!("/api/channels/{}/members", p.channel)).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // Read receipts stay out of the large channel: Kwame reads there, then in the pair's channel;
    // the first receipt Nia gets is the pair's.
    let (mut cora, _) = p.coordinator.ws(json!({})).await;
    assert_eq!(cora.send_message(&everyone, "e1", "Welcome, everyone").await["type"], "ack");
    events(&mut kwame, &everyone, 1).await;
    assert_eq!(kwame.send_message(&p.channel, "k1", "See you Tuesday").await["type"], "ack");
    kwame.send(json!({"type": "read", "channel": everyone, "seq": 1})).await;
    kwame.send(json!({"type": "read", "channel": p.channel, "seq": 1})).await;
    let receipt = nia.recv_type("read").await;
    assert_eq!(receipt["channel"], p.channel.as_str(), "{receipt}");

    // Typing stays out of the large channel too: Kwame types there, then in the pair's channel;
    // the first typing Nia hears of is the pair's.
    kwame.send(json!({"type": "typing", "channel": everyone})).await;
    kwame.send(json!({"type": "typing", "channel": p.channel})).await;
    let typing = nia.recv_type("typing").await;
    assert_eq!(typing["channel"], p.channel.as_str(), "{typing}");

    // Presence is not shared through the large channel: a member who shares only it with Nia
    // comes online without Nia hearing of it, and does not see Nia. The marker: Kwame, her
    // pair, going away afterwards reaches her, and nothing about the member came first.
    let secret = format!("kt_test_{}", uuid::Uuid::new_v4().simple());
    let record = SessionRecord {
        id: uuid::Uuid::now_v7(),
        user_id: members[0],
        kind: SessionKind::ApiToken,
        name: "test".into(),
        csrf_token: String::new(),
        created_at: now,
        last_used_at: now,
        expires_at: None,
    };
    let hash = kindred::domain::accounts::secret_hash(&secret);
    p.app.state.store.create_session(&record, &hash).await.unwrap();
    let (_member_ws, member_welcome) = p.app.bearer(&secret).ws(json!({})).await;
    assert_eq!(member_welcome["presence"], json!({}), "{member_welcome}");
    kwame.send(json!({"type": "presence", "state": "away"})).await;
    let member = members[0].to_string();
    let kwame_id = p.ids[1].clone();
    let first = nia.recv_matching(|f| f["type"] == "presence").await;
    assert_eq!(first["user_id"], kwame_id.as_str(), "{first} (the member is {member})");
}

async fn the_channel_list_pages_by_activity_and_welcome_carries_the_first_page(backend: Backend) {
    let p = pair(backend).await;
    // 55 groups after the pair's channel: Nia is in 56 channels.
    let mut groups = Vec::new();
    for i in 0..55 {
        let res = p
            .coordinator
            .post(
                &format!("/api/programs/{}/channels", p.program),
                json!({"kind": "group", "name": format!("Group {i}"), "members": [p.ids[2]]}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        groups.push(res.body["id"].as_str().unwrap().to_owned());
    }
    let ids = |items: &[Value]| items.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let mut newest_first: Vec<String> = groups.iter().rev().cloned().collect();
    newest_first.push(p.channel.clone());

    // The welcome carries the 50 most recently active, her pair channel besides (it is older
    // than all of them), and the cursor of the rest.
    let (mut nia, welcome) = p.mentee.ws(json!({})).await;
    let first = welcome["channels"].as_array().unwrap();
    assert_eq!(ids(&first[..50]), newest_first[..50], "the newest 50, newest first");
    assert_eq!(ids(&first[50..]), vec![p.channel.clone()], "and every pair channel");
    let cursor = welcome["channels_next"].as_str().expect("a cursor for the rest").to_owned();
    let rest = p.mentee.get(&format!("/api/channels?cursor={cursor}")).await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.text);
    assert_eq!(ids(rest.body["items"].as_array().unwrap()), newest_first[50..]);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let (all, pages) = all_pages(&p.mentee, "/api/channels", 20).await;
    assert_eq!((ids(&all), pages), (newest_first.clone(), 3));
    // Someone in few channels gets them all and no cursor.
    let (_kwame, kwame_welcome) = p.mentor.ws(json!({})).await;
    assert_eq!(ids(kwame_welcome["channels"].as_array().unwrap()), vec![p.channel.clone()]);
    assert_eq!(kwame_welcome["channels_next"], Value::Null);

    // A message in the pair's channel, on the second page: it still arrives live, and the channel
    // is now the most recently active, with its unread count.
    let (mut kwame, _) = p.mentor.ws(json!({})).await;
    let ack = kwame.send_message(&p.channel, "late-1", "Still there?").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let live = nia.recv_matching(|f| f["type"] == "event" && f["channel_id"] == p.channel.as_str()).await;
    assert_eq!(live["body"], "Still there?");
    let list = p.mentee.get("/api/channels?limit=2").await;
    let top = &list.body["items"][0];
    assert_eq!((top["id"].as_str(), top["unread"].as_i64()), (Some(p.channel.as_str()), Some(1)));
    assert_eq!(top["last_activity_at"], live["created_at"]);
    let (_, again) = p.mentee.ws(json!({})).await;
    assert_eq!(again["channels"][0]["id"], p.channel.as_str());

    // One channel by id, for its members only.
    let one = p.mentee.get(&format!("/api/channels/{}", groups[0])).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!((one.body["id"].as_str(), one.body["member_count"].as_i64()), (Some(groups[0].as_str()), Some(2)));
    assert_eq!(one.body["members"].as_array().unwrap().len(), 2);
    p.mentor.get(&format!("/api/channels/{}", groups[0])).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee
        .get(&format!("/api/channels/{}", uuid::Uuid::now_v7()))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee.get("/api/channels/not-a-uuid").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.app
        .client()
        .get(&format!("/api/channels/{}", groups[0]))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

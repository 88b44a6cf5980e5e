//! Live rooms of group events through the WebSocket, on SQLite and PostgreSQL, and across two
//! nodes: the lobby until the host opens or admits, hands, the stage, muting, locking, removal,
//! the end, attendance and the event's chat channel; every refusal (not invited, too early, not
//! host, not on stage, locked, removed, malformed SDP) changes nothing for anyone else.

use std::time::Duration;

use kindred_tests::rooms::{an_event, error_code, person, room, state_where};
use kindred_tests::{Backend, Cluster, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(the_room_from_lobby_to_end);

/// An offer the SFU can read but that publishes nothing usable by the audience.
const TINY_OFFER: &str =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\n";

async fn the_room_from_lobby_to_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    the_room(&[&app]).await;
}

/// The host and half the audience on one node, the speaker and the rest on another: the room
/// lives on one of them and every frame of the others crosses Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_room_across_two_nodes() {
    let cluster = Cluster::spawn(2, |_| {}).await;
    the_room(&[&cluster.nodes[0], &cluster.nodes[1]]).await;
}

async fn the_room(nodes: &[&TestApp]) {
    let e = an_event(nodes, Duration::from_secs(10 * 60)).await;
    let ev = e.id.as_str();
    let (mut cora, _) = e.cora.ws(json!({})).await;
    let (mut kwame, _) = e.kwame.ws(json!({})).await;
    let (mut nia, _) = e.nia.ws(json!({})).await;
    let (mut otto, _) = e.otto.ws(json!({})).await;
    let (mut ines, _) = e.ines.ws(json!({})).await;
    let (mut xavier, _) = e.xavier.ws(json!({})).await;
    let join = json!({"type": "room_join", "event": ev, "ref": "j"});

    // Not invited; an unknown event; a malformed frame.
    xavier.send(join.clone()).await;
    let refused = xavier.recv_matching(room("room_error", ev)).await;
    assert_eq!((refused["code"].as_str(), refused["ref"].as_str()), (Some("forbidden"), Some("j")));
    xavier.send(json!({"type": "room_join", "event": uuid::Uuid::new_v4()})).await;
    assert_eq!(xavier.recv_type("room_error").await["code"], "forbidden");
    xavier.send(json!({"type": "room_join", "event": ev, "extra": true})).await;
    assert_eq!(xavier.recv_type("error").await["code"], "bad_frame");

    // Nia comes before the host: she waits in the lobby and may do nothing yet.
    nia.send(join.clone()).await;
    let lobby = state_where(&mut nia, ev, |_| true).await;
    assert_eq!((lobby["status"].as_str(), lobby["you"]["admitted"].as_bool()), (Some("lobby"), Some(false)));
    assert_eq!(lobby["you"]["role"], "audience");
    assert_eq!(lobby["people"].as_array().unwrap().len(), 0, "the audience does not see the lobby");
    nia.send(json!({"type": "room_open", "event": ev})).await;
    assert_eq!(error_code(&mut nia, ev).await, "forbidden");
    nia.send(json!({"type": "room_hand", "event": ev, "raised": true})).await;
    assert_eq!(error_code(&mut nia, ev).await, "not_in_room");
    nia.send(json!({"type": "room_publish", "event": ev, "sdp": TINY_OFFER})).await;
    assert_eq!(error_code(&mut nia, ev).await, "not_in_room");

    // The host enters at once and sees Nia waiting; she admits her.
    cora.send(join.clone()).await;
    let host_view = state_where(&mut cora, ev, |s| person(s, &e.ids["nia"]).is_some()).await;
    assert_eq!((host_view["you"]["role"].as_str(), host_view["you"]["admitted"].as_bool()), (Some("host"), Some(true)));
    assert_eq!(person(&host_view, &e.ids["nia"]).unwrap()["admitted"], false);
    cora.send(json!({"type": "room_admit", "event": ev, "user": e.ids["nia"]})).await;
    state_where(&mut nia, ev, |s| s["you"]["admitted"] == true).await;

    // Kwame, a speaker, waits too until the host opens the room; then everyone is let in.
    kwame.send(join.clone()).await;
    let waiting = state_where(&mut kwame, ev, |_| true).await;
    assert_eq!((waiting["you"]["role"].as_str(), waiting["you"]["admitted"].as_bool()), (Some("speaker"), Some(false)));
    cora.send(json!({"type": "room_open", "event": ev})).await;
    let open = state_where(&mut kwame, ev, |s| s["status"] == "live" && s["you"]["admitted"] == true).await;
    assert!(person(&open, &e.ids["cora"]).is_some() && person(&open, &e.ids["nia"]).is_some());
    otto.send(join.clone()).await;
    state_where(&mut otto, ev, |s| s["status"] == "live" && s["you"]["admitted"] == true).await;

    // Hands: the audience raises, the host sees it; the audience cannot moderate or publish.
    otto.send(json!({"type": "room_hand", "event": ev, "raised": true})).await;
    state_where(&mut cora, ev, |s| person(s, &e.ids["otto"]).is_some_and(|p| p["hand"] == true)).await;
    kwame.send(json!({"type": "room_hand", "event": ev, "raised": true})).await;
    assert_eq!(error_code(&mut kwame, ev).await, "forbidden", "a speaker is on stage already");
    otto.send(json!({"type": "room_stage", "event": ev, "user": e.ids["nia"], "on_stage": true})).await;
    assert_eq!(error_code(&mut otto, ev).await, "forbidden");
    otto.send(json!({"type": "room_mute", "event": ev, "user": e.ids["kwame"], "muted": true})).await;
    assert_eq!(error_code(&mut otto, ev).await, "forbidden");
    otto.send(json!({"type": "room_publish", "event": ev, "sdp": TINY_OFFER, "ref": "p"})).await;
    let refused = otto.recv_matching(room("room_error", ev)).await;
    assert_eq!((refused["code"].as_str(), refused["ref"].as_str()), (Some("not_on_stage"), Some("p")));
    // Malformed SDP and a `sources` entry for a mid the offer lacks: refused, nothing changes.
    kwame.send(json!({"type": "room_publish", "event": ev, "sdp": "hello"})).await;
    assert_eq!(kwame.recv_type("error").await["code"], "invalid");
    kwame.send(json!({"type": "room_publish", "event": ev, "sdp": TINY_OFFER, "sources": {"7": "camera"}})).await;
    assert_eq!(error_code(&mut kwame, ev).await, "invalid");
    kwame
        .send(json!({"type": "room_publish", "event": ev, "sdp": "v=0\r\nm=audio 9 RTP/AVP 0\r\na=sendonly\r\n"}))
        .await;
    assert_eq!(error_code(&mut kwame, ev).await, "invalid");
    kwame.send(json!({"type": "room_answer", "event": ev, "sdp": "v=0\r\n"})).await;
    assert_eq!(error_code(&mut kwame, ev).await, "invalid", "there was no offer to answer");

    // The host brings Otto on stage (his hand goes down), mutes and unmutes Kwame, sends Otto back.
    cora.send(json!({"type": "room_stage", "event": ev, "user": e.ids["otto"], "on_stage": true})).await;
    let staged = state_where(&mut otto, ev, |s| s["you"]["role"] == "speaker").await;
    assert_eq!(staged["you"]["hand"], false);
    cora.send(json!({"type": "room_mute", "event": ev, "user": e.ids["kwame"], "muted": true})).await;
    state_where(&mut kwame, ev, |s| s["you"]["muted"] == true).await;
    cora.send(json!({"type": "room_mute", "event": ev, "user": e.ids["kwame"], "muted": false})).await;
    state_where(&mut kwame, ev, |s| s["you"]["muted"] == false).await;
    cora.send(json!({"type": "room_stage", "event": ev, "user": e.ids["otto"], "on_stage": false})).await;
    state_where(&mut otto, ev, |s| s["you"]["role"] == "audience").await;
    cora.send(json!({"type": "room_stage", "event": ev, "user": e.ids["cora"], "on_stage": false})).await;
    assert_eq!(error_code(&mut cora, ev).await, "forbidden", "hosts stay on stage");

    // Locked: Ines cannot come in. Unlocked: she can.
    cora.send(json!({"type": "room_lock", "event": ev, "locked": true})).await;
    state_where(&mut nia, ev, |s| s["locked"] == true).await;
    ines.send(join.clone()).await;
    assert_eq!(error_code(&mut ines, ev).await, "locked");
    cora.send(json!({"type": "room_lock", "event": ev, "locked": false})).await;
    state_where(&mut nia, ev, |s| s["locked"] == false).await;
    ines.send(join.clone()).await;
    state_where(&mut ines, ev, |s| s["you"]["admitted"] == true).await;

    // Removed: Nia is out and cannot come back; the others see her gone.
    cora.send(json!({"type": "room_remove", "event": ev, "user": e.ids["cora"]})).await;
    assert_eq!(error_code(&mut cora, ev).await, "forbidden", "hosts cannot be removed");
    cora.send(json!({"type": "room_remove", "event": ev, "user": e.ids["nia"]})).await;
    assert_eq!(nia.recv_matching(room("room_left", ev)).await["reason"], "removed");
    state_where(&mut otto, ev, |s| person(s, &e.ids["nia"]).is_none()).await;
    nia.send(join.clone()).await;
    assert_eq!(error_code(&mut nia, ev).await, "removed");

    // Joining from a second tab moves Ines there.
    let (mut ines_tab, _) = e.ines.ws(json!({})).await;
    ines_tab.send(join.clone()).await;
    state_where(&mut ines_tab, ev, |s| s["you"]["admitted"] == true).await;
    assert_eq!(ines.recv_matching(room("room_left", ev)).await["reason"], "elsewhere");

    // Otto leaves by closing his connection; Kwame leaves with the frame.
    drop(otto);
    state_where(&mut cora, ev, |s| person(s, &e.ids["otto"]).is_none()).await;
    kwame.send(json!({"type": "room_leave", "event": ev})).await;
    assert_eq!(kwame.recv_matching(room("room_left", ev)).await["reason"], "left");

    // The event's chat channel: those invited are members, others are not.
    let event = e.nia.get(&format!("/api/events/{ev}")).await;
    let chat = event.body["chat_channel"].as_str().expect("an event has a chat channel").to_owned();
    ines_tab.send_message(&chat, "c1", "Hello panel").await;
    let history = e.nia.get(&format!("/api/channels/{chat}/messages")).await;
    assert!(history.text.contains("Hello panel"), "{}", history.text);
    assert!(!e.xavier.get(&format!("/api/channels/{chat}/messages")).await.status.is_success());

    // The end: everyone still in is told, nobody can enter again, attendance is kept.
    ines.send(json!({"type": "room_end", "event": ev})).await;
    assert_eq!(error_code(&mut ines, ev).await, "not_in_room", "the old tab is out of the room");
    ines_tab.send(json!({"type": "room_end", "event": ev})).await;
    assert_eq!(error_code(&mut ines_tab, ev).await, "forbidden");
    cora.send(json!({"type": "room_end", "event": ev})).await;
    assert_eq!(cora.recv_matching(room("room_left", ev)).await["reason"], "ended");
    assert_eq!(ines_tab.recv_matching(room("room_left", ev)).await["reason"], "ended");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let attendance = loop {
        let a = e.cora.get(&format!("/api/events/{ev}/attendance")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let items = a.body["items"].as_array().unwrap().clone();
        if items.len() >= 5 && items.iter().all(|i| !i["left_at"].is_null()) {
            break items;
        }
        assert!(tokio::time::Instant::now() < deadline, "attendance was not recorded: {items:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let names: std::collections::BTreeSet<&str> =
        attendance.iter().map(|a| a["user"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Cora", "Ines", "Kwame", "Nia", "Otto"].into_iter().collect());
    assert!(!names.contains("Xavier"));
    e.nia.get(&format!("/api/events/{ev}/attendance")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    // In the program's data: the attendance export, named and de-identified.
    let csv = e.cora.get(&format!("/api/programs/{}/exports/event-attendance", e.program)).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(
        csv.text.starts_with("event,event_title,event_starts_at,person,name,joined_at,left_at,minutes"),
        "{}",
        csv.text
    );
    assert_eq!(csv.text.lines().count(), 6, "{}", csv.text);
    assert!(csv.text.contains("Residency panel") && csv.text.contains("Kwame"), "{}", csv.text);
    let anonymous =
        e.cora.get(&format!("/api/programs/{}/exports/event-attendance?deidentified=true", e.program)).await;
    assert!(!anonymous.text.contains("Kwame") && !anonymous.text.contains(&e.ids["kwame"]), "{}", anonymous.text);
    e.nia
        .get(&format!("/api/programs/{}/exports/event-attendance", e.program))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // The end is recorded after the last stay (both by the node hosting the room).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ended = e.cora.get(&format!("/api/events/{ev}")).await;
        if ended.body["ended_at"].is_string() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", ended.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (mut again, _) = e.otto.ws(json!({})).await;
    again.send(join.clone()).await;
    assert_eq!(error_code(&mut again, ev).await, "not_open");
}

#[tokio::test]
async fn a_room_opens_half_an_hour_before_the_start() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let e = an_event(&[&app], Duration::from_secs(2 * 3600)).await;
    let (mut cora, _) = e.cora.ws(json!({})).await;
    cora.send(json!({"type": "room_join", "event": e.id})).await;
    assert_eq!(error_code(&mut cora, &e.id).await, "not_open");
    app.state.clock.advance(Duration::from_secs(90 * 60 + 5));
    cora.send(json!({"type": "room_join", "event": e.id})).await;
    state_where(&mut cora, &e.id, |s| s["you"]["role"] == "host").await;
    // A cancelled event's room is closed.
    e.cora.post(&format!("/api/events/{}/cancel", e.id), json!({})).await;
    let (mut nia, _) = e.nia.ws(json!({})).await;
    nia.send(json!({"type": "room_join", "event": e.id})).await;
    assert_eq!(error_code(&mut nia, &e.id).await, "not_open");
}

/// `kindred serve` without an SFU (`sfu = false`) and `kindred sfu` in a process of its own: rooms
/// are placed on the SFU through Redis, and the whole room works from the web node. Before the
/// SFU starts, joining says the room is unavailable; `kindred sfu` without Redis refuses to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_on_a_separate_sfu_process() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let db = kindred_tests::TestDatabase::new(Backend::Postgres).await;
    let prefix = format!("kt{}:", uuid::Uuid::new_v4().simple());
    let app = TestApp::spawn_on(db.url.clone(), |c| {
        c.redis_url = Some(kindred::config::Secret::new(kindred_tests::redis_url()));
        c.redis_prefix = prefix.clone();
        c.sfu = false;
    })
    .await;
    let e = an_event(&[&app], Duration::from_secs(10 * 60)).await;
    let (mut cora, _) = e.cora.ws(json!({})).await;
    cora.send(json!({"type": "room_join", "event": e.id})).await;
    assert_eq!(error_code(&mut cora, &e.id).await, "unavailable", "no SFU anywhere yet");

    let sfu = |redis: Option<&str>| {
        let mut cmd = Command::new(kindred_tests::kindred_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("KINDRED_") {
                cmd.env_remove(key);
            }
        }
        cmd.args(["sfu", "--database-url", &db.url]).env("KINDRED_REDIS_PREFIX", &prefix).env("KINDRED_LOG", "warn");
        if let Some(redis) = redis {
            cmd.args(["--redis-url", redis]);
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    };
    let refused = sfu(None).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("redis_url"), "{refused:?}");

    let mut child = sfu(Some(&kindred_tests::redis_url())).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("Kindred SFU started"), "{line}");
    // It registers with Redis as it starts: the host's join gets through once it has.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        cora.send(json!({"type": "room_join", "event": e.id})).await;
        let f = cora.recv_matching(|f| f["event"] == e.id.as_str()).await;
        if f["type"] == "room_state" {
            assert_eq!(f["you"]["role"], "host");
            break;
        }
        assert_eq!(f["code"], "unavailable", "{f}");
        assert!(tokio::time::Instant::now() < deadline, "the SFU never took the room");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cora.send(json!({"type": "room_open", "event": e.id})).await;
    state_where(&mut cora, &e.id, |s| s["status"] == "live").await;
    let (mut nia, _) = e.nia.ws(json!({})).await;
    nia.send(json!({"type": "room_join", "event": e.id})).await;
    state_where(&mut nia, &e.id, |s| s["you"]["admitted"] == true).await;
    state_where(&mut cora, &e.id, |s| person(s, &e.ids["nia"]).is_some()).await;
    cora.send(json!({"type": "room_end", "event": e.id})).await;
    assert_eq!(nia.recv_matching(room("room_left", &e.id)).await["reason"], "ended");
    // The SFU node recorded attendance in the shared database.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let a = e.cora.get(&format!("/api/events/{}/attendance", e.id)).await;
        if a.body["items"].as_array().is_some_and(|i| i.len() == 2 && i.iter().all(|x| !x["left_at"].is_null())) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", a.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A bug that panics the SFU engine ends no one's evening: the engine restarts on the same port,
/// `/metrics` counts it, everyone who was in a room on it is told (`room_reset`), and the room
/// starts over when they join again, as when a node dies. The rest of the node (chat) carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_sfu_engine_restarts_and_its_rooms_start_over() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let e = an_event(&[&app], Duration::from_secs(10 * 60)).await;
    let ev = e.id.as_str();
    let (mut cora, _) = e.cora.ws(json!({})).await;
    let (mut nia, _) = e.nia.ws(json!({})).await;
    let (mut otto, _) = e.otto.ws(json!({})).await;
    let join = json!({"type": "room_join", "event": ev});
    cora.send(join.clone()).await;
    state_where(&mut cora, ev, |s| s["you"]["role"] == "host").await;
    cora.send(json!({"type": "room_open", "event": ev})).await;
    nia.send(join.clone()).await;
    state_where(&mut nia, ev, |s| s["status"] == "live" && s["you"]["admitted"] == true).await;
    // Otto joins and leaves again: he is not in the room when it fails.
    otto.send(join.clone()).await;
    state_where(&mut otto, ev, |s| s["you"]["admitted"] == true).await;
    otto.send(json!({"type": "room_leave", "event": ev})).await;
    otto.recv_matching(room("room_left", ev)).await;

    let live = app.state.gateway.live().expect("this node hosts rooms");
    assert!(live.inject_panic().await, "the engine took the command");
    let reset = cora.recv_matching(room("room_reset", ev)).await;
    assert_eq!(reset, json!({"type": "room_reset", "event": ev}));
    nia.recv_matching(room("room_reset", ev)).await;

    // The room starts over: Nia waits in the lobby until the host is back and opens it.
    nia.send(join.clone()).await;
    let lobby = state_where(&mut nia, ev, |_| true).await;
    assert_eq!((lobby["status"].as_str(), lobby["you"]["admitted"].as_bool()), (Some("lobby"), Some(false)));
    cora.send(join.clone()).await;
    state_where(&mut cora, ev, |s| s["you"]["role"] == "host" && person(s, &e.ids["nia"]).is_some()).await;
    cora.send(json!({"type": "room_open", "event": ev})).await;
    state_where(&mut nia, ev, |s| s["status"] == "live" && s["you"]["admitted"] == true).await;
    // Otto, who had left, was not told: the next frame he gets is the answer to his own join.
    otto.send(join).await;
    let next = otto.recv_matching(|f| f["event"] == ev).await;
    assert_eq!(next["type"], "room_state", "{next}");

    let metrics = app.client().http.get(format!("{}/metrics", app.url)).send().await.unwrap().text().await.unwrap();
    let restarts = metrics
        .lines()
        .find_map(|l| l.strip_prefix("kindred_sfu_engine_restarts_total "))
        .and_then(|v| v.trim().parse::<f64>().ok());
    assert!(restarts.is_some_and(|n| n >= 1.0), "no restart counted:\n{metrics}");
}

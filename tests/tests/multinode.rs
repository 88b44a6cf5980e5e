//! Many nodes: `kindred` servers sharing one PostgreSQL database and one Redis. People on
//! different nodes talk; a node killed with SIGKILL under steady traffic loses nothing and doubles
//! nothing; its people go offline for others; a Redis restart is survived.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kindred::store::{self, ChannelKind, NewChannel, NewUser, Role, SessionKind, SessionRecord, Store};
use kindred_tests::{Backend, Cluster, TempDir, TestApp, TestDatabase, Ws, kindred_bin, redis_url};
use serde_json::{Value, json};
use uuid::Uuid;

/// Sets up a program with a coordinator, mentor and mentee, their pair channel and a group channel
/// of all three, directly in the store; returns API tokens and channel ids.
struct World {
    tokens: HashMap<&'static str, String>,
    ids: HashMap<&'static str, Uuid>,
    pair: Uuid,
    program: Uuid,
    _group: Uuid,
}

async fn world(store: &dyn Store) -> World {
    let now = time::OffsetDateTime::now_utc();
    let mut ids = HashMap::new();
    let mut tokens = HashMap::new();
    for (who, email) in [("cora", "cora@example.org"), ("kwame", "kwame@example.org"), ("nia", "nia@example.org")] {
        let user = store
            .create_user(
                NewUser {
                    email: email.into(),
                    name: who.into(),
                    password_hash: None,
                    is_admin: false,
                    can_create_programs: who == "cora",
                },
                now,
            )
            .await
            .unwrap();
        let secret = format!("kt_test_{}", Uuid::new_v4().simple());
        let record = SessionRecord {
            id: Uuid::now_v7(),
            user_id: user.id,
            kind: SessionKind::ApiToken,
            name: "test".into(),
            csrf_token: String::new(),
            created_at: now,
            last_used_at: now,
            expires_at: None,
        };
        store.create_session(&record, &kindred::domain::accounts::secret_hash(&secret)).await.unwrap();
        ids.insert(who, user.id);
        tokens.insert(who, secret);
    }
    let fields = store::ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, ids["cora"], now).await.unwrap();
    store.add_member(program.id, ids["kwame"], Role::Mentor, now).await.unwrap();
    store.add_member(program.id, ids["nia"], Role::Mentee, now).await.unwrap();
    let (pair, _) = store.open_pair_channel(program.id, ids["kwame"], ids["nia"], "Kwame & Nia", now).await.unwrap();
    let group = store
        .create_channel(
            NewChannel {
                program_id: program.id,
                kind: ChannelKind::Group,
                name: "Everyone".into(),
                program_wide: true,
                members: vec![],
            },
            now,
        )
        .await
        .unwrap();
    World { tokens, ids, pair: pair.id, program: program.id, _group: group.id }
}

async fn connect(base: &str, token: &str, last_seq: Value) -> Ws {
    let client = TestAppless { base: base.to_owned() }.bearer(token);
    let (ws, _) = client.ws(last_seq).await;
    ws
}

/// A client for a server that is not a `TestApp` of this process.
struct TestAppless {
    base: String,
}

impl TestAppless {
    fn bearer(&self, token: &str) -> kindred_tests::Client {
        let mut client = kindred_tests::Client::detached(&self.base);
        client.set_bearer(token);
        client
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_on_different_nodes_talk() {
    let cluster = Cluster::spawn(2, |c| c.presence_grace_ms = 200).await;
    let (a, b) = (&cluster.nodes[0], &cluster.nodes[1]);
    let w = world(a.state.store.as_ref()).await;
    let mut kwame = connect(&a.url, &w.tokens["kwame"], json!({})).await;
    let mut nia = connect(&b.url, &w.tokens["nia"], json!({})).await;
    let pair = w.pair.to_string();

    // Kwame (node A) sees Nia (node B) come online.
    let p = kwame.recv_matching(|f| f["type"] == "presence" && f["user_id"] == w.ids["nia"].to_string()).await;
    assert_eq!(p["state"], "online");
    let ack = kwame.send_message(&pair, "x1", "across nodes").await;
    assert_eq!(ack["seq"], 1);
    let got = nia.recv_type("event").await;
    assert_eq!(got["body"], "across nodes");
    nia.send(json!({"type": "typing", "channel": pair})).await;
    assert_eq!(kwame.recv_type("typing").await["user_id"], w.ids["nia"].to_string());
    nia.send(json!({"type": "read", "channel": pair, "seq": 1})).await;
    assert_eq!(kwame.recv_type("read").await["seq"], 1);
    // Nia's second device on node A gets her unread count.
    let mut nia2 = connect(&a.url, &w.tokens["nia"], json!({})).await;
    nia.send_message(&pair, "n1", "from B").await;
    kwame.send_message(&pair, "x2", "to both devices").await;
    assert_eq!(nia2.recv_matching(|f| f["type"] == "event" && f["seq"] == 3).await["body"], "to both devices");
    nia.send(json!({"type": "read", "channel": pair, "seq": 3})).await;
    assert_eq!(nia2.recv_type("unread").await["unread"], 0);
    // A channel opened on node B reaches connections on node A, each with its right to post,
    // and what is posted there on B arrives on A.
    let mut cora = connect(&b.url, &w.tokens["cora"], json!({})).await;
    let cora_http = TestAppless { base: b.url.clone() }.bearer(&w.tokens["cora"]);
    let res = cora_http
        .post(
            &format!("/api/programs/{}/channels", w.program),
            json!({"kind": "announcement", "name": "News", "program_wide": true}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201, "{}", res.text);
    let news = res.body["id"].as_str().unwrap().to_owned();
    let added = |f: &Value| f["type"] == "channel_added" && f["channel"]["id"] == news.as_str();
    assert_eq!(kwame.recv_matching(added).await["channel"]["can_post"], false);
    assert_eq!(nia2.recv_matching(added).await["channel"]["can_post"], false);
    assert_eq!(cora.recv_matching(added).await["channel"]["can_post"], true);
    assert_eq!(cora.send_message(&news, "c1", "Welcome, everyone").await["type"], "ack");
    let got = kwame.recv_matching(|f| f["type"] == "event" && f["channel_id"] == news.as_str()).await;
    assert_eq!(got["body"], "Welcome, everyone");
    assert_eq!(kwame.send_message(&news, "k1", "may I?").await["code"], "read_only");
    drop(nia2);
    drop(nia);
    let off = kwame
        .recv_matching(|f| {
            f["type"] == "presence" && f["user_id"] == w.ids["nia"].to_string() && f["state"] == "offline"
        })
        .await;
    assert_eq!(off["state"], "offline");
}

/// A `kindred serve` process.
struct Node {
    child: Child,
    url: String,
    _data: TempDir,
}

impl Node {
    fn start(database_url: &str, redis: &str, prefix: &str) -> Node {
        let data = TempDir::new();
        let mut cmd = Command::new(kindred_bin());
        for (key, _) in std::env::vars() {
            if key.starts_with("KINDRED_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                database_url,
                "--redis-url",
                redis,
                "--data-dir",
            ])
            .arg(&data.path)
            .env("KINDRED_REDIS_PREFIX", prefix)
            .env("KINDRED_PRESENCE_GRACE_MS", "300")
            .env("KINDRED_WS_SEND_RATE_PER_SEC", "1000")
            .env("KINDRED_WS_SEND_BURST", "1000")
            .env("KINDRED_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("listening line").to_owned();
        Node { child, url, _data: data }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Sends `n` messages through whatever node is up, resending unacknowledged ones with the same
/// client id after a reconnect; returns client id → acknowledged seq.
async fn steady_sender(
    mut ws: Ws,
    nodes: Vec<String>,
    token: String,
    channel: String,
    n: usize,
    kill_after: usize,
    killer: tokio::sync::oneshot::Sender<()>,
) -> BTreeMap<String, i64> {
    let mut acked = BTreeMap::new();
    let mut killer = Some(killer);
    let mut i = 0;
    let mut node = 0;
    while acked.len() < n {
        let id = format!("m{i:05}");
        if i == kill_after
            && let Some(k) = killer.take()
        {
            let _ = k.send(());
        }
        ws.send_try(
            json!({"type": "send", "ref": id, "channel": channel, "client_id": id, "body": format!("steady {i}")}),
        )
        .await;
        match ws.recv_ack(&id).await {
            Some(seq) => {
                acked.insert(id, seq);
                i += 1;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            None => {
                // The node went away: reconnect elsewhere and resend the same client id.
                node = (node + 1) % nodes.len();
                loop {
                    let client = TestAppless { base: nodes[node].clone() }.bearer(&token);
                    match client.ws_raw(None).await {
                        Ok(mut fresh) => {
                            fresh.send(json!({"type": "hello", "v": 1})).await;
                            fresh.recv_type("welcome").await;
                            ws = fresh;
                            break;
                        }
                        Err(_) => node = (node + 1) % nodes.len(),
                    }
                }
            }
        }
    }
    acked
}

/// A receiving device that reconnects and resumes whenever its node goes away, until it holds
/// `until` distinct sequence numbers; returns seq → body, and how many duplicate deliveries it
/// ignored (the protocol allows them; the view never shows them).
async fn steady_receiver(
    mut ws: Ws,
    nodes: Vec<String>,
    token: String,
    channel: String,
    until: i64,
) -> BTreeMap<i64, String> {
    let mut have: BTreeMap<i64, String> = BTreeMap::new();
    let mut node = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while have.keys().next_back().copied().unwrap_or(0) < until || have.len() < until as usize {
        assert!(Instant::now() < deadline, "receiver stuck at {} of {until}", have.len());
        match ws.next_timeout(Duration::from_secs(2)).await {
            Some(Ok(f)) if f["type"] == "event" && f["channel_id"] == channel => {
                have.insert(f["seq"].as_i64().unwrap(), f["body"].as_str().unwrap().to_owned());
            }
            Some(Ok(_)) => {}
            Some(Err(())) => {
                // Closed: resume elsewhere from the last contiguous position.
                let contiguous = (1..).take_while(|s| have.contains_key(s)).last().unwrap_or(0);
                loop {
                    node = (node + 1) % nodes.len();
                    let client = TestAppless { base: nodes[node].clone() }.bearer(&token);
                    if let Ok(mut fresh) = client.ws_raw(None).await {
                        fresh.send(json!({"type": "hello", "v": 1, "last_seq": { channel.clone(): contiguous }})).await;
                        ws = fresh;
                        break;
                    }
                }
            }
            None => {
                // Quiet for a while: ask for anything missed (a gap that live delivery left).
                let contiguous = (1..).take_while(|s| have.contains_key(s)).last().unwrap_or(0);
                ws.send_try(json!({"type": "sync", "channel": channel, "after": contiguous})).await;
            }
        }
    }
    have
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_steady_traffic_loses_and_doubles_nothing() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let prefix = format!("kt{}:", Uuid::new_v4().simple());
    let store = store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let w = world(store.as_ref()).await;
    let mut doomed = Node::start(&db.url, &redis_url(), &prefix);
    let n1 = Node::start(&db.url, &redis_url(), &prefix);
    let n2 = Node::start(&db.url, &redis_url(), &prefix);
    let survivors = vec![n1.url.clone(), n2.url.clone()];
    let pair = w.pair.to_string();

    // Kwame sends through the doomed node; Nia listens on the doomed node (laptop) and on n1
    // (phone); Cora is only on the doomed node.
    let kwame = connect(&doomed.url, &w.tokens["kwame"], json!({})).await;
    let laptop = connect(&doomed.url, &w.tokens["nia"], json!({})).await;
    let phone = connect(&n1.url, &w.tokens["nia"], json!({})).await;
    let _cora = connect(&doomed.url, &w.tokens["cora"], json!({})).await;
    let mut watcher = connect(&n2.url, &w.tokens["nia"], json!({})).await;
    let cora_id = w.ids["cora"].to_string();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        watcher.recv_matching(|f| f["type"] == "presence" && f["user_id"] == cora_id && f["state"] == "online"),
    )
    .await;

    const N: usize = 300;
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel();
    let sender = tokio::spawn(steady_sender(
        kwame,
        survivors.clone(),
        w.tokens["kwame"].clone(),
        pair.clone(),
        N,
        N / 2,
        kill_tx,
    ));
    let laptop_rx =
        tokio::spawn(steady_receiver(laptop, survivors.clone(), w.tokens["nia"].clone(), pair.clone(), N as i64));
    let phone_rx =
        tokio::spawn(steady_receiver(phone, survivors.clone(), w.tokens["nia"].clone(), pair.clone(), N as i64));
    kill_rx.await.unwrap();
    doomed.kill();
    let killed_at = Instant::now();

    let acked = sender.await.unwrap();
    let laptop_view = laptop_rx.await.unwrap();
    let phone_view = phone_rx.await.unwrap();

    // Every acknowledged message exists exactly once, with the sequence number it was acked with.
    let history = store.events_after(w.pair, 0, 10_000).await.unwrap();
    assert_eq!(history.len(), N, "one stored message per client id");
    let stored: BTreeMap<String, i64> = history.iter().map(|e| (e.client_id.clone(), e.seq)).collect();
    assert_eq!(stored, acked);
    let seqs: BTreeSet<i64> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=N as i64).collect());
    // Both of Nia's devices ended with exactly that log.
    let expected: BTreeMap<i64, String> = history.iter().map(|e| (e.seq, e.body.clone())).collect();
    assert_eq!(laptop_view, expected, "the laptop, whose node was killed, resumed without gaps");
    assert_eq!(phone_view, expected);

    // Cora, who was only on the killed node, goes offline for others within 30 seconds.
    // The dead node's heartbeat lapses after 15 s, so the watcher may hear nothing for longer
    // than a frame usually takes: wait up to the 30 s without the per-frame limit.
    let deadline = killed_at + Duration::from_secs(30);
    let mut offline = false;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match watcher.next_timeout(left).await {
            Some(Ok(f)) if f["type"] == "presence" && f["user_id"] == cora_id && f["state"] == "offline" => {
                offline = true;
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(())) | None => break,
        }
    }
    assert!(offline, "Cora still online {:?} after the kill", killed_at.elapsed());
    drop(n1);
    drop(n2);
}

/// A private Redis on a free port, so restarting it disturbs no other test.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    fn start_on(port: u16) -> PrivateRedis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        PrivateRedis { child, port }
    }

    fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self::start_on(port)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_is_survived() {
    let mut redis = PrivateRedis::start();
    let db = TestDatabase::new(Backend::Postgres).await;
    let url = redis.url();
    let a = TestApp::spawn_on(db.url.clone(), |c| {
        c.redis_url = Some(kindred::config::Secret::new(url.clone()));
        c.presence_grace_ms = 200;
    })
    .await;
    let b = TestApp::spawn_on(db.url.clone(), |c| {
        c.redis_url = Some(kindred::config::Secret::new(url.clone()));
        c.presence_grace_ms = 200;
    })
    .await;
    let w = world(a.state.store.as_ref()).await;
    let pair = w.pair.to_string();
    let mut kwame = connect(&a.url, &w.tokens["kwame"], json!({})).await;
    let mut nia = connect(&b.url, &w.tokens["nia"], json!({})).await;
    kwame.send_message(&pair, "before", "before the restart").await;
    assert_eq!(nia.recv_type("event").await["seq"], 1);

    redis.stop();
    // While Redis is away, messages are still stored and acknowledged.
    let ack = kwame.send_message(&pair, "during", "while redis is down").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let port = redis.port;
    let _redis = PrivateRedis::start_on(port);

    // The nodes reconnect and tell clients to resync; Nia gets what live delivery lost.
    nia.recv_type("resync").await;
    nia.send(json!({"type": "sync", "channel": pair, "after": 1})).await;
    let missed = nia.recv_type("event").await;
    assert_eq!(missed["body"], "while redis is down");
    // Live delivery and presence work again.
    let ack = kwame.send_message(&pair, "after", "after the restart").await;
    let seq = ack["seq"].clone();
    assert_eq!(nia.recv_matching(|f| f["type"] == "event" && f["seq"] == seq).await["body"], "after the restart");
    let presence = b.state.gateway.bus.presence_of(&[w.ids["kwame"]]).await.unwrap();
    assert_eq!(presence.get(&w.ids["kwame"]).map(|s| s.as_str()), Some("online"), "presence was re-announced");
    let mut nia2 = connect(&b.url, &w.tokens["nia"], json!({})).await;
    nia2.send(json!({"type": "ping", "ref": "p"})).await;
    nia2.recv_type("pong").await;
}

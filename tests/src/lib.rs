//! Test harness: starts real `kindred` servers on port 0, each on its own fresh database (a new
//! PostgreSQL database per test, or an SQLite file in a temporary directory), and gives tests HTTP
//! clients that behave like a browser (cookie jar + CSRF header) or an API client (bearer token).
//!
//! PostgreSQL is found through `KINDRED_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), which must name an existing database the harness can
//! connect to in order to create and drop per-test databases.

use std::path::PathBuf;
use std::sync::Arc;

use kindred::config::{Config, Secret};
use kindred::state::AppState;
use kindred::store::{NewUser, User};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub mod rooms;

/// Where the `kindred` binary is: `KINDRED_BIN`, or next to this test's own `deps` folder.
pub fn kindred_bin() -> std::path::PathBuf {
    if let Ok(bin) = std::env::var("KINDRED_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("kindred");
    assert!(bin.exists(), "build the server first (cargo build --bin kindred), or set KINDRED_BIN");
    bin
}

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body once per backend: `both_backends!(my_test);` defines
/// `my_test::sqlite` and `my_test::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )*
    };
}

pub fn admin_database_url() -> String {
    std::env::var("KINDRED_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, empty database for one test; dropped with it.
pub struct TestDatabase {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                let url = format!("sqlite://{}?mode=rwc", dir.path.join("kindred.db").display());
                TestDatabase { url, pg_name: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let admin = admin_database_url();
                let name = format!("kt_{}", Uuid::new_v4().simple());
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL is needed for this test ({admin}): {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDatabase { url: format!("{base}/{name}"), pg_name: Some(name), _dir: None }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside async; a short-lived thread with its own runtime cleans up.
            let admin = admin_database_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A temporary directory removed on drop.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("kindred-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// One running server.
pub struct TestApp {
    pub url: String,
    pub state: AppState,
    shutdown: CancellationToken,
    server: Option<tokio::task::JoinHandle<()>>,
    _db: Option<TestDatabase>,
    _data: TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `tweak` adjusts its configuration.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::new(backend).await;
        let url = db.url.clone();
        let mut app = Self::spawn_on(url, tweak).await;
        app._db = Some(db);
        app
    }

    /// Starts a server on an existing database (several nodes of one deployment).
    pub async fn spawn_on(database_url: String, tweak: impl FnOnce(&mut Config)) -> Self {
        let data = TempDir::new();
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.path.clone(),
            database_url: Some(Secret::new(database_url)),
            ..Config::default()
        };
        tweak(&mut config);
        let app = kindred::Application::build(config).await.expect("server starts");
        let url = format!("http://{}", app.local_addr());
        let state = app.state().clone();
        let shutdown = CancellationToken::new();
        let server = tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                app.run(shutdown).await.expect("server runs");
            }
        });
        TestApp { url, state, shutdown, server: Some(server), _db: None, _data: data }
    }

    /// Creates an account directly in the store (test set-up, not under test).
    pub async fn user(&self, email: &str, name: &str, is_admin: bool, can_create_programs: bool) -> User {
        let hash = kindred::domain::accounts::hash_password_async(PASSWORD.to_owned()).await;
        self.state
            .store
            .create_user(
                NewUser {
                    email: email.to_owned(),
                    name: name.to_owned(),
                    password_hash: Some(hash),
                    is_admin,
                    can_create_programs,
                },
                self.state.clock.now(),
            )
            .await
            .unwrap()
    }

    /// A browser-like client, signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = self.client();
        let res = client.post("/api/auth/login", json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(res.status, StatusCode::OK, "sign-in of {email}: {}", res.body);
        client
    }

    /// A browser-like client with an empty cookie jar.
    pub fn client(&self) -> Client {
        Client {
            base: self.url.clone(),
            http: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            csrf: Arc::new(std::sync::Mutex::new(None)),
            bearer: None,
            session: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// An API client authenticated with a bearer token.
    pub fn bearer(&self, token: &str) -> Client {
        Client {
            base: self.url.clone(),
            http: reqwest::Client::new(),
            csrf: Arc::new(std::sync::Mutex::new(None)),
            bearer: Some(token.to_owned()),
            session: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// Returns once a whole program-data sweep has run after this call: the marker a test waits
    /// for before asserting that a sweep did nothing (a sweep already under way when called may
    /// have read the data before the test's change, so two must finish).
    pub async fn next_sweep(&self) {
        use std::sync::atomic::Ordering;
        let target = self.state.sweeps.load(Ordering::SeqCst) + 2;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.state.sweeps.load(Ordering::SeqCst) < target {
            assert!(tokio::time::Instant::now() < deadline, "no sweep ran within 30 s");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Every mail in the outbox, newest first.
    pub async fn outbox(&self) -> Vec<kindred::store::Mail> {
        self.state.store.list_mail(kindred::store::PageRequest { after: None, limit: 200 }).await.unwrap().items
    }

    /// The first link to this server found in the newest mail to `to`.
    pub async fn link_in_mail_to(&self, to: &str) -> String {
        let mail =
            self.outbox().await.into_iter().find(|m| m.to.eq_ignore_ascii_case(to)).expect("a mail to the address");
        mail.body
            .split_whitespace()
            .find(|w| w.starts_with(&self.url))
            .unwrap_or_else(|| panic!("no link in: {}", mail.body))
            .to_owned()
    }

    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    async fn read(res: Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    /// The error code of a JSON error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Asserts the status and that the body is the JSON error shape.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(self.code(), code, "body: {}", self.text);
        assert!(self.body["error"]["message"].is_string(), "error message missing: {}", self.text);
    }
}

/// An HTTP client for one person: keeps cookies and sends the CSRF token on writes, like the web
/// client does.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    csrf: Arc<std::sync::Mutex<Option<String>>>,
    bearer: Option<String>,
    /// The session cookie's value, kept to open WebSockets as this person.
    session: Arc<std::sync::Mutex<Option<String>>>,
}

impl Client {
    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method.clone(), format!("{}{}", self.base, path));
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        if method != Method::GET
            && let Some(csrf) = self.csrf.lock().unwrap().clone()
        {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = Reply::read(req.send().await.unwrap()).await;
        for cookie in reply.headers.get_all("set-cookie") {
            if let Some(value) = cookie.to_str().ok().and_then(|c| c.strip_prefix("kindred_session=")) {
                *self.session.lock().unwrap() = Some(value.split(';').next().unwrap_or("").to_owned());
            }
        }
        if let Some(csrf) = reply.body.get("csrf_token").and_then(Value::as_str) {
            *self.csrf.lock().unwrap() = Some(csrf.to_owned());
        }
        reply
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None).await
    }

    /// Sends a raw body with a content type (CSV uploads, malformed JSON).
    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        let mut req = self.http.post(format!("{}{}", self.base, path)).header("content-type", content_type).body(body);
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        if let Some(csrf) = self.csrf.lock().unwrap().clone() {
            req = req.header("x-csrf-token", csrf);
        }
        Reply::read(req.send().await.unwrap()).await
    }

    /// Opens a WebSocket as this person (cookie and same-origin `Origin`, like a browser) and
    /// says `hello` with the given positions; returns the socket and the `welcome` frame.
    pub async fn ws(&self, last_seq: Value) -> (Ws, Value) {
        let mut ws = self.ws_raw(Some(&self.base.clone())).await.expect("WebSocket opens");
        ws.send(json!({"type": "hello", "v": 1, "last_seq": last_seq})).await;
        let welcome = ws.recv_type("welcome").await;
        (ws, welcome)
    }

    /// Opens a WebSocket without saying hello, with the given `Origin` (or none).
    pub async fn ws_raw(&self, origin: Option<&str>) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}/ws", self.base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().unwrap();
        if let Some(cookie) = self.session.lock().unwrap().clone() {
            request.headers_mut().insert("cookie", format!("kindred_session={cookie}").parse().unwrap());
        }
        if let Some(token) = &self.bearer {
            request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", origin.parse().unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws { stream })
    }

    /// A client for any server URL (another process's node, say).
    pub fn detached(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            http: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            csrf: Arc::new(std::sync::Mutex::new(None)),
            bearer: None,
            session: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    pub fn set_bearer(&mut self, token: &str) {
        self.bearer = Some(token.to_owned());
    }

    /// Forgets the CSRF token (to prove writes without it are refused).
    pub fn drop_csrf(&self) {
        *self.csrf.lock().unwrap() = None;
    }
}

/// A WebSocket client speaking the chat protocol, for tests.
pub struct Ws {
    pub stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

/// How long a test waits for an expected frame.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        use futures_util::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(frame.to_string())).await.unwrap();
    }

    pub async fn send_raw(&mut self, message: tokio_tungstenite::tungstenite::Message) {
        use futures_util::SinkExt;
        self.stream.send(message).await.unwrap();
    }

    /// Sends a frame; false when the connection is gone.
    pub async fn send_try(&mut self, frame: Value) -> bool {
        use futures_util::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::text(frame.to_string())).await.is_ok()
    }

    /// Waits for the `ack` of the frame with `reference`; `None` when the connection closed or the
    /// server refused it (the caller reconnects and retries with the same client id).
    pub async fn recv_ack(&mut self, reference: &str) -> Option<i64> {
        loop {
            match self.next_timeout(WAIT).await {
                Some(Ok(f)) if f["ref"] == reference && f["type"] == "ack" => return f["seq"].as_i64(),
                Some(Ok(f)) if f["ref"] == reference && f["type"] == "error" => return None,
                Some(Ok(_)) => continue,
                Some(Err(())) | None => return None,
            }
        }
    }

    /// The next JSON frame within `wait`: `None` on timeout, `Some(Err(()))` when closed.
    pub async fn next_timeout(&mut self, wait: std::time::Duration) -> Option<Result<Value, ()>> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Text(text)))) => return Some(Ok(serde_json::from_str(text.as_str()).unwrap())),
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return Some(Err(())),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next JSON frame; panics on close or after [`WAIT`].
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Some(Ok(v)) => v,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next JSON frame, or the close frame (as `Err`), or `None` when the stream ended.
    pub async fn next(&mut self) -> Option<Result<Value, Option<(u16, String)>>> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let msg = tokio::time::timeout(WAIT, self.stream.next()).await.expect("a frame within the wait")?;
            match msg {
                Ok(Message::Text(text)) => return Some(Ok(serde_json::from_str(text.as_str()).unwrap())),
                Ok(Message::Close(frame)) => {
                    return Some(Err(frame.map(|f| (u16::from(f.code), f.reason.to_string()))));
                }
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Skips frames until one of `kind` arrives.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.recv().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn recv_matching(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.recv().await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// Sends a message and returns its `ack`.
    pub async fn send_message(&mut self, channel: &str, client_id: &str, body: &str) -> Value {
        self.send(json!({"type": "send", "ref": client_id, "channel": channel, "client_id": client_id, "body": body}))
            .await;
        self.recv_matching(|f| (f["type"] == "ack" || f["type"] == "error") && f["ref"] == client_id).await
    }

    /// Reads until the server closes; returns the close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Some(Ok(_)) => continue,
                Some(Err(frame)) => return frame.map(|f| f.0),
                None => return None,
            }
        }
    }
}

/// Several nodes sharing one database (and, with Redis, one key prefix).
pub struct Cluster {
    pub nodes: Vec<TestApp>,
    _db: TestDatabase,
}

pub fn redis_url() -> String {
    std::env::var("KINDRED_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

impl Cluster {
    /// `n` nodes on one fresh PostgreSQL database and a fresh Redis prefix.
    pub async fn spawn(n: usize, tweak: impl Fn(&mut Config)) -> Cluster {
        let db = TestDatabase::new(Backend::Postgres).await;
        let prefix = format!("kt{}:", Uuid::new_v4().simple());
        let mut nodes = Vec::new();
        for _ in 0..n {
            let url = db.url.clone();
            let prefix = prefix.clone();
            nodes.push(
                TestApp::spawn_on(url, |c| {
                    c.redis_url = Some(Secret::new(redis_url()));
                    c.redis_prefix = prefix.clone();
                    tweak(c);
                })
                .await,
            );
        }
        Cluster { nodes, _db: db }
    }
}

/// Two people in an active match (with its channel open), an outsider of the same program and its
/// coordinator.
pub struct MatchedPair {
    pub match_id: String,
    pub mentee: Client,
    pub mentor: Client,
    pub outsider: Client,
    pub coordinator: Client,
    pub program: String,
    pub ids: [String; 3],
}

/// Nia (mentee) and Kwame (mentor) in an active match, Otto another mentee of the same program.
pub async fn matched_pair(nodes: &[&TestApp]) -> MatchedPair {
    let app = nodes[0];
    let cora = app.user("cora@example.org", "Cora", false, true).await;
    let nia = app.user("nia@example.org", "Nia", false, false).await;
    let kwame = app.user("kwame@example.org", "Kwame", false, false).await;
    let otto = app.user("otto@example.org", "Otto", false, false).await;
    let store = &app.state.store;
    let now = app.state.clock.now();
    let program = store
        .create_program(
            kindred::store::ProgramFields {
                name: "P".into(),
                description: String::new(),
                starts_on: None,
                ends_on: None,
            },
            cora.id,
            now,
        )
        .await
        .unwrap();
    store.add_member(program.id, nia.id, kindred::store::Role::Mentee, now).await.unwrap();
    store.add_member(program.id, kwame.id, kindred::store::Role::Mentor, now).await.unwrap();
    store.add_member(program.id, otto.id, kindred::store::Role::Mentee, now).await.unwrap();
    let match_id = uuid::Uuid::new_v4();
    let new = kindred::store::NewMatch {
        id: match_id,
        program_id: program.id,
        mentee_id: nia.id,
        mentor_id: kwame.id,
        round_id: None,
        score: 50.0,
        explanation: "{}".into(),
        mentor_capacity: 1,
        announce: kindred::domain::jobs::Work::MatchProposed(match_id).job(now),
    };
    let m = store.create_match(new, now).await.unwrap();
    store
        .respond_match(m.id, nia.id, true, None, &kindred::domain::jobs::Work::MatchActivated(m.id).job(now), now)
        .await
        .unwrap();
    store
        .respond_match(m.id, kwame.id, true, None, &kindred::domain::jobs::Work::MatchActivated(m.id).job(now), now)
        .await
        .unwrap();
    app.state.work.notify_one();
    // The worker opens the pair's channel (where missed calls are posted).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while store.get_match(m.id).await.unwrap().channel_id.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "the pair's channel was not opened");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let last = nodes.len() - 1;
    MatchedPair {
        match_id: m.id.to_string(),
        mentee: nodes[0].signed_in("nia@example.org").await,
        mentor: nodes[last].signed_in("kwame@example.org").await,
        outsider: nodes[0].signed_in("otto@example.org").await,
        coordinator: nodes[0].signed_in("cora@example.org").await,
        program: program.id.to_string(),
        ids: [nia.id.to_string(), kwame.id.to_string(), otto.id.to_string()],
    }
}

/// Every item of a cursor-paged list, read `limit` at a time: checks that no page is longer than
/// `limit`, that only the last page has a null `next_cursor`, and that the pages together hold
/// what one page of 200 holds, in the same order, each item once. Returns the items and the number
/// of pages. Also checks that a malformed cursor and a limit out of range are refused with 400.
pub async fn all_pages(client: &Client, path: &str, limit: usize) -> (Vec<Value>, usize) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let whole = client.get(&format!("{path}{sep}limit=200")).await;
    assert_eq!(whole.status, StatusCode::OK, "{path}: {}", whole.text);
    let expected = whole.body["items"].as_array().unwrap().clone();
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let page = client.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.text);
        let got = page.body["items"].as_array().unwrap();
        assert!(got.len() <= limit, "{url}: a page of {} items", got.len());
        items.extend(got.iter().cloned());
        pages += 1;
        assert!(pages <= expected.len() + 1, "{path}: more pages than items");
        match page.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(got.len(), limit, "{url}: a short page that says there is more");
                cursor = Some(next.to_owned());
            }
            None => break,
        }
    }
    let id = |i: &Value| if i["id"].is_null() { i["match_id"].clone() } else { i["id"].clone() };
    let ids = |v: &[Value]| v.iter().map(id).collect::<Vec<_>>();
    assert_eq!(ids(&items), ids(&expected), "{path}: the pages hold the whole list, in order");
    client.get(&format!("{path}{sep}cursor=not-a-cursor")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    client.get(&format!("{path}{sep}limit=0")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    client.get(&format!("{path}{sep}limit=201")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    (items, pages)
}

/// A short call through the WebSocket in which both joined.
pub async fn a_call(mentee_ws: &mut Ws, mentor_ws: &mut Ws, mentor: &str) -> String {
    let call = uuid::Uuid::new_v4().to_string();
    mentee_ws.send(json!({"type": "call_invite", "call": call, "to": mentor})).await;
    mentor_ws.recv_matching(|f| f["type"] == "call_invite").await;
    mentor_ws.send(json!({"type": "call_accept", "call": call})).await;
    mentee_ws.recv_matching(|f| f["type"] == "call_accept").await;
    mentee_ws.send(json!({"type": "call_connected", "call": call})).await;
    mentor_ws.send(json!({"type": "call_connected", "call": call})).await;
    // Frames of one connection are handled in order: the pong says the mentor's joining counted.
    mentor_ws.send(json!({"type": "ping", "ref": "joined"})).await;
    mentor_ws.recv_matching(|f| f["type"] == "pong" && f["ref"] == "joined").await;
    mentee_ws.send(json!({"type": "call_hangup", "call": call})).await;
    mentor_ws.recv_matching(|f| f["type"] == "call_state" && f["state"] == "ended").await;
    call
}

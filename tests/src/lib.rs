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
    _db: TestDatabase,
    _data: TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `tweak` adjusts its configuration.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::new(backend).await;
        let data = TempDir::new();
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.path.clone(),
            database_url: Some(Secret::new(db.url.clone())),
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
        TestApp { url, state, shutdown, server: Some(server), _db: db, _data: data }
    }

    /// Creates an account directly in the store (test set-up, not under test).
    pub async fn user(&self, email: &str, name: &str, is_admin: bool, can_create_programs: bool) -> User {
        let hash = kindred::auth::hash_password_async(PASSWORD.to_owned()).await;
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
        }
    }

    /// An API client authenticated with a bearer token.
    pub fn bearer(&self, token: &str) -> Client {
        Client {
            base: self.url.clone(),
            http: reqwest::Client::new(),
            csrf: Arc::new(std::sync::Mutex::new(None)),
            bearer: Some(token.to_owned()),
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

    /// Forgets the CSRF token (to prove writes without it are refused).
    pub fn drop_csrf(&self) {
        *self.csrf.lock().unwrap() = None;
    }
}

//! The `kindred` binary as an operator uses it: `demo`, `user create`, `migrate`, `serve`, the
//! configuration layers, secret redaction and shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn kindred() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kindred"));
    // The tests choose every setting themselves.
    for (key, _) in std::env::vars() {
        if key.starts_with("KINDRED_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("KINDRED_LOG", "warn");
    cmd
}

struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        let path = std::env::temp_dir().join(format!("kindred-cli-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts `serve` on port 0 and returns the process and its URL.
fn serve(data: &Path) -> (Child, String) {
    let mut child = kindred()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("listening line").to_owned();
    assert!(line.contains("data: SQLite file"), "{line}");
    (child, url)
}

fn sigterm(child: &Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn demo_then_serve_then_sign_in() {
    let dir = Dir::new();
    let out = run(kindred().arg("--data-dir").arg(dir.path()).arg("demo"), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let password = stdout.split("password is: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    assert!(stdout.contains("coordinator@demo.kindred.example"), "{stdout}");
    assert!(stdout.matches("mentor").count() >= 4 && stdout.matches("mentee").count() >= 6, "{stdout}");

    // Never over existing data.
    let again = run(kindred().arg("--data-dir").arg(dir.path()).arg("demo"), None);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("only fills a fresh one"));

    let (mut server, url) = serve(dir.path());
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{url}/api/auth/login"))
        .json(&serde_json::json!({"email": "mentee.okafor@demo.kindred.example", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let session: serde_json::Value = res.json().await.unwrap();
    assert_eq!(session["user"]["career_stage"], "resident");
    assert_eq!(session["memberships"][0]["role"], "mentee");

    // SIGTERM stops the server cleanly.
    sigterm(&server);
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn user_create_with_password_or_link() {
    let dir = Dir::new();
    let out = run(
        kindred().arg("--data-dir").arg(dir.path()).args([
            "user",
            "create",
            "--email",
            "root@example.org",
            "--name",
            "Root",
            "--role",
            "admin",
            "--password-stdin",
        ]),
        Some("a-long-admin-password\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(
        kindred().arg("--data-dir").arg(dir.path()).args([
            "user",
            "create",
            "--email",
            "c@example.org",
            "--name",
            "C",
            "--role",
            "coordinator",
        ]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let link = stdout.split_whitespace().find(|w| w.contains("/reset-password/")).expect("one-time link");

    // Refusals: duplicate email, short password, unknown role.
    let dup = run(
        kindred().arg("--data-dir").arg(dir.path()).args([
            "user",
            "create",
            "--email",
            "ROOT@example.org",
            "--name",
            "R",
            "--role",
            "mentee",
        ]),
        None,
    );
    assert!(!dup.status.success());
    let short = run(
        kindred().arg("--data-dir").arg(dir.path()).args([
            "user",
            "create",
            "--email",
            "s@example.org",
            "--name",
            "S",
            "--role",
            "mentor",
            "--password-stdin",
        ]),
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least"));
    let role =
        run(kindred().args(["user", "create", "--email", "x@example.org", "--name", "X", "--role", "king"]), None);
    assert_eq!(role.status.code(), Some(2));

    let (mut server, url) = serve(dir.path());
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{url}/api/auth/login"))
        .json(&serde_json::json!({"email": "root@example.org", "password": "a-long-admin-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["user"]["is_admin"], true);
    // The printed link sets the coordinator's password (the link names the default public URL,
    // so only its token is used here).
    let token = link.rsplit('/').next().unwrap();
    let res = client
        .post(format!("{url}/api/auth/password/reset"))
        .json(&serde_json::json!({"token": token, "password": "coordinators-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    sigterm(&server);
    server.wait().unwrap();
}

#[test]
fn configuration_layers_flags_over_environment_over_file() {
    let dir = Dir::new();
    let file = dir.path().join("kindred.toml");
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    std::fs::write(&file, format!("data_dir = \"{}\"\n", a.display())).unwrap();
    let migrate = |env: bool, flag: bool| {
        let mut cmd = kindred();
        cmd.arg("--config").arg(&file);
        if env {
            cmd.env("KINDRED_DATA_DIR", &b);
        }
        if flag {
            cmd.arg("--data-dir").arg(&c);
        }
        cmd.arg("migrate");
        let out = run(&mut cmd, None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert!(migrate(true, true).contains(&c.display().to_string()));
    assert!(migrate(true, false).contains(&b.display().to_string()));
    assert!(migrate(false, false).contains(&a.display().to_string()));
    assert!(a.join("kindred.db").exists() && b.join("kindred.db").exists() && c.join("kindred.db").exists());
}

#[test]
fn secrets_never_appear_in_output() {
    let out = run(
        kindred().args(["--database-url", "postgres://kindred:hunter2-secret@127.0.0.1:1/kindred", "migrate"]),
        None,
    );
    assert!(!out.status.success());
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("127.0.0.1:1"), "says where it tried: {all}");
    assert!(!all.contains("hunter2"), "{all}");
    let bad = run(kindred().args(["--database-url", "mysql://x", "migrate"]), None);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("database_url"));
}

/// `kindred worker` alone: an active match left by a node is finished by the worker process (the
/// pair's channel opened with its welcome), and SIGTERM stops it cleanly.
#[tokio::test]
async fn the_worker_runs_alone_and_finishes_queued_work() {
    use kindred::store::{NewMatch, NewUser, Role};
    let dir = Dir::new();
    let url = kindred::Config { data_dir: dir.path().to_owned(), ..Default::default() }.database_url();
    let store = kindred::store::open(url.expose()).await.unwrap();
    store.migrate().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let person = |email: &str, name: &str| NewUser {
        email: email.into(),
        name: name.into(),
        password_hash: None,
        is_admin: false,
        can_create_programs: true,
    };
    let cora = store.create_user(person("cora@example.org", "Cora"), now).await.unwrap();
    let nia = store.create_user(person("nia@example.org", "Nia"), now).await.unwrap();
    let kwame = store.create_user(person("kwame@example.org", "Kwame"), now).await.unwrap();
    let fields =
        kindred::store::ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, cora.id, now).await.unwrap();
    store.add_member(program.id, nia.id, Role::Mentee, now).await.unwrap();
    store.add_member(program.id, kwame.id, Role::Mentor, now).await.unwrap();
    let match_id = uuid::Uuid::new_v4();
    let new = NewMatch {
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
    assert!(
        store
            .respond_match(m.id, kwame.id, true, None, &kindred::domain::jobs::Work::MatchActivated(m.id).job(now), now)
            .await
            .unwrap()
            .activated
    );
    assert!(store.pending_jobs().await.unwrap() > 0);

    let mut worker = kindred()
        .args(["worker", "--data-dir"])
        .arg(dir.path())
        .env("KINDRED_WORKER_POLL_MS", "50")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(worker.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("matching worker started"), "{line}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while store.pending_jobs().await.unwrap() > 0 {
        assert!(std::time::Instant::now() < deadline, "the worker did not finish the jobs");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let channels = store.user_channels(nia.id, kindred::store::PageRequest::ALL, 50).await.unwrap().items;
    assert_eq!(channels.len(), 1);
    let history = store.history(channels[0].channel.id, None, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].body.starts_with("Welcome, Nia and Kwame"), "{}", history[0].body);
    assert_eq!(store.get_match(m.id).await.unwrap().channel_id, Some(channels[0].channel.id));

    sigterm(&worker);
    let status = worker.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

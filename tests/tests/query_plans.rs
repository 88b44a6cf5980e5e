//! Every statement the server runs on SQLite keeps a good plan whether or not the planner has
//! statistics: Kindred runs `PRAGMA optimize` itself (at start-up and hourly), and with
//! statistics present SQLite may pick a different plan than without. The test seeds a program of
//! a few hundred people, drives the server's read paths through HTTP, the WebSocket and the sweep,
//! records every SQL statement it ran (sqlx's statement log), and then asks SQLite for the plan of
//! each, without statistics and after `ANALYZE`. It fails on a full scan of `messages` anywhere,
//! and, with statistics, on a full scan of `users` inside a loop (the inner side of a join, or a
//! correlated subquery): those are the plans that turned seconds into minutes at national scale.
//! Statistics that lie (taken when the database was nearly empty, kept by a connection opened
//! before they were refreshed) would make SQLite scan `users` per row whatever the query says;
//! Kindred prevents them instead (`store::sqlite`: readers open after the start-up refresh and
//! live half an hour, `PRAGMA optimize` runs hourly).
//!
//! Its own test binary: the statement log needs a process-wide `tracing` subscriber.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use kindred::store::{Append, ChannelKind, NewChannel, NewJob, NewMatch, NewUser, Role};
use kindred_tests::{Backend, TestApp, matched_pair};
use serde_json::json;
use sqlx::{Connection, Row, SqliteConnection};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, filter::Targets};

static STATEMENTS: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();

fn statements() -> &'static Mutex<BTreeSet<String>> {
    STATEMENTS.get_or_init(Default::default)
}

/// Keeps the text of every statement sqlx logs.
struct Capture;

#[derive(Default)]
struct Sql {
    summary: String,
    statement: String,
}

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "summary" => self.summary = format!("{value:?}").trim_matches('"').to_owned(),
            "db.statement" => self.statement = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut sql = Sql::default();
        event.record(&mut sql);
        // A short statement is logged whole as its summary; a longer one in `db.statement`.
        let text = if sql.statement.trim().is_empty() { sql.summary } else { sql.statement };
        let text = text.trim().to_owned();
        if !text.is_empty() {
            statements().lock().unwrap().insert(text);
        }
    }
}

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// A program of `people` besides the matched pair: pairs with old messages (so the sweep flags
/// them), program-wide channels, all written straight through the store.
async fn seed(app: &TestApp, program: uuid::Uuid, coordinator: uuid::Uuid, people: usize) -> Vec<uuid::Uuid> {
    let store = &app.state.store;
    let now = app.state.clock.now();
    let long_ago = now - 20 * DAY;
    let mut ids = Vec::new();
    for i in 0..people {
        let user = NewUser {
            email: format!("p{i}@plans.example"),
            name: format!("Person {i}"),
            password_hash: Some("x".into()),
            is_admin: false,
            can_create_programs: false,
        };
        let id = store.create_user(user, now).await.unwrap().id;
        store.add_member(program, id, if i % 2 == 0 { Role::Mentor } else { Role::Mentee }, now).await.unwrap();
        ids.push(id);
    }
    let later = |kind: &'static str, id: uuid::Uuid| NewJob {
        kind,
        payload: id.to_string(),
        dedupe_key: None,
        run_at: now + 3650 * DAY,
    };
    let post = |channel, sender, n: usize, at| async move {
        for k in 0..n {
            let append = Append {
                channel_id: channel,
                sender_id: sender,
                client_id: format!("seed-{k}"),
                body: format!("Message {k}"),
            };
            app.state.store.append_message(append, at).await.unwrap();
        }
    };
    for pair in ids.chunks(2) {
        let [mentor, mentee] = [pair[0], pair[1]];
        let channel = store.open_pair_channel(program, mentor, mentee, "Pair", now).await.unwrap().0;
        post(channel.id, mentor, 8, long_ago).await;
        let id = uuid::Uuid::now_v7();
        let new = NewMatch {
            id,
            program_id: program,
            mentee_id: mentee,
            mentor_id: mentor,
            round_id: None,
            score: 0.5,
            explanation: "{}".into(),
            mentor_capacity: 1,
            announce: later("match_proposed", id),
        };
        store.create_match(new, now).await.unwrap();
        for person in [mentee, mentor] {
            store.respond_match(id, person, true, None, &later("match_activated", id), now).await.unwrap();
        }
        store.set_match_channel(id, channel.id).await.unwrap();
    }
    for c in 0..8 {
        let new = NewChannel {
            program_id: program,
            kind: if c % 4 == 0 { ChannelKind::Announcement } else { ChannelKind::Group },
            name: format!("Program-wide {c}"),
            program_wide: true,
            members: vec![(coordinator, true)],
        };
        let channel = store.create_channel(new, now).await.unwrap();
        post(channel.id, coordinator, 30, now).await;
    }
    ids
}

/// The names `users` and `messages` go by in a statement: themselves and their aliases.
fn watched_names(sql: &str) -> HashMap<String, &'static str> {
    const NOT_ALIASES: &[&str] = &[
        "where",
        "join",
        "on",
        "left",
        "inner",
        "cross",
        "order",
        "group",
        "set",
        "values",
        "limit",
        "using",
        "as",
        "natural",
        "union",
        "except",
        "intersect",
        "returning",
        "default",
        "select",
        "from",
        "and",
        "or",
    ];
    let tokens: Vec<String> = sql
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut names = HashMap::from([("users".to_owned(), "users"), ("messages".to_owned(), "messages")]);
    for (i, token) in tokens.iter().enumerate() {
        let table = match token.as_str() {
            "users" => "users",
            "messages" => "messages",
            _ => continue,
        };
        let mut next = tokens.get(i + 1);
        if next.is_some_and(|t| t == "as") {
            next = tokens.get(i + 2);
        }
        if let Some(alias) =
            next.filter(|t| !NOT_ALIASES.contains(&t.as_str()) && t.chars().next().is_some_and(char::is_alphabetic))
        {
            names.insert(alias.clone(), table);
        }
    }
    names
}

/// What is wrong with a plan: full scans of `messages`, and scans of `users` done once per row.
fn problems(sql: &str, plan: &[(i64, i64, String)]) -> Vec<String> {
    let names = watched_names(sql);
    let by_id: HashMap<i64, &(i64, i64, String)> = plan.iter().map(|row| (row.0, row)).collect();
    let correlated = |mut parent: i64| {
        while let Some(row) = by_id.get(&parent) {
            if row.2.contains("CORRELATED") {
                return true;
            }
            parent = row.1;
        }
        false
    };
    let mut loops_seen: HashSet<i64> = HashSet::new();
    let mut found = Vec::new();
    for (_, parent, detail) in plan {
        let is_loop = detail.starts_with("SCAN ") || detail.starts_with("SEARCH ");
        let first_loop = is_loop && loops_seen.insert(*parent);
        let Some(rest) = detail.strip_prefix("SCAN ") else { continue };
        let name = rest.split_whitespace().next().unwrap_or("").to_lowercase();
        match names.get(&name) {
            Some(&"messages") => found.push(format!("full scan of messages: {detail}")),
            Some(&"users") if !first_loop || correlated(*parent) => {
                found.push(format!("scan of users per row: {detail}"))
            }
            _ => {}
        }
    }
    found
}

async fn plans(database: &str, statements: &[String]) -> Vec<String> {
    let mut conn = SqliteConnection::connect(database).await.unwrap();
    let mut failures = Vec::new();
    for sql in statements {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let rows = match sqlx::query(sqlx::AssertSqlSafe(explain)).fetch_all(&mut conn).await {
            Ok(rows) => rows,
            Err(e) => panic!("could not explain {sql}: {e}"),
        };
        let plan: Vec<(i64, i64, String)> =
            rows.iter().map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1), r.get::<String, _>(3))).collect();
        for problem in problems(sql, &plan) {
            let shown: Vec<&str> = plan.iter().map(|p| p.2.as_str()).collect();
            failures.push(format!("{problem}\n  in: {sql}\n  plan: {shown:?}"));
        }
    }
    failures
}

fn iso(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_keeps_a_good_plan_with_and_without_statistics() {
    let filter = Targets::new().with_target("sqlx::query", tracing::Level::TRACE);
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture.with_filter(filter)))
        .expect("the only subscriber of this test binary");

    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.worker_poll_ms = 50;
        c.sweep_ms = 100;
        c.presence_grace_ms = 200;
    })
    .await;
    let p = matched_pair(&[&app]).await;
    let database = app.state.config.database_url().expose().to_owned();
    let analyzed: i64 = {
        let mut conn = SqliteConnection::connect(&database).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1").fetch_one(&mut conn).await.unwrap()
    };
    assert!(analyzed > 0, "Kindred refreshed the planner's statistics when it started");
    let program: uuid::Uuid = p.program.parse().unwrap();
    let coordinator = app.state.store.find_user_by_email("cora@example.org").await.unwrap().unwrap().0.id;
    let admin = app.user("ada@example.org", "Ada", true, true).await;
    let admin_client = app.signed_in("ada@example.org").await;
    let _ = admin;
    seed(&app, program, coordinator, 240).await;

    // An event with its chat, a survey, a message to read: data on every read path.
    let event = json!({"title": "Residency panel", "description": "Applying", "starts_at": iso(app.state.clock.now() + 48 * HOUR),
                       "duration_min": 60, "capacity": 50, "audience": "program", "speakers": []});
    let res = p.coordinator.post(&format!("/api/programs/{program}/events"), event).await;
    assert!(res.status.is_success(), "{}", res.text);
    let event_id = res.body["id"].as_str().unwrap().to_owned();
    let (mut mentee_ws, welcome) = p.mentee.ws(json!({})).await;
    let channels: Vec<String> =
        welcome["channels"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert!(channels.len() >= 9, "the pair's channel and the program-wide ones: {}", channels.len());
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    mentor_ws.send_message(&channels[0], "plan-1", "Are you free on Thursday?").await;
    mentee_ws.send(json!({"type": "read", "channel": channels[0], "seq": 1})).await;

    // Every read a person, a coordinator and an administrator make.
    let everyone = [&p.mentee, &p.mentor, &p.coordinator, &admin_client];
    let mut paths: Vec<String> = [
        "/api/me",
        "/api/me/matches",
        "/api/me/events",
        "/api/me/meetings",
        "/api/me/surveys",
        "/api/me/checkins",
        "/api/me/notifications",
        "/api/me/export",
        "/api/channels",
        "/api/programs",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for channel in &channels {
        paths.push(format!("/api/channels/{channel}"));
        paths.push(format!("/api/channels?limit=2&cursor={channel}"));
        paths.push(format!("/api/channels/{channel}/messages"));
        paths.push(format!("/api/channels/{channel}/members"));
        paths.push(format!("/api/channels/{channel}/members?limit=20"));
    }
    for tail in [
        "",
        "/members",
        "/alerts",
        "/calls",
        "/checkins",
        "/dashboard",
        "/engagement",
        "/events",
        "/surveys",
        "/matching/matches",
        "/matching/rounds",
        "/invitations",
        "/interests",
        "/questions",
    ] {
        paths.push(format!("/api/programs/{program}{tail}"));
    }
    for kind in ["participants", "matches", "engagement", "survey-responses", "event-attendance"] {
        paths.push(format!("/api/programs/{program}/exports/{kind}"));
    }
    paths.extend([
        format!("/api/events/{event_id}"),
        format!("/api/events/{event_id}/attendance"),
        "/api/admin/users".into(),
        "/api/admin/audit".into(),
    ]);
    for client in everyone {
        for path in &paths {
            let res = client.get(path).await;
            assert!(res.status.as_u16() < 500, "{path}: {} {}", res.status, res.text);
        }
    }
    // The sweep: digests due (the mentee goes offline), pairs quiet for weeks flagged.
    drop(mentee_ws);
    app.state.clock.advance(Duration::from_secs(31 * 60));
    app.next_sweep().await;
    app.state.clock.advance(15 * DAY);
    app.next_sweep().await;
    assert!(
        app.outbox().await.iter().any(|m| m.subject == "Unread messages on Kindred"),
        "the sweep ran its digest step"
    );
    let refreshed = app.state.store.sweep_mark("statistics").await.unwrap();
    assert!(refreshed.is_some(), "the sweep's statistics step ran");
    let alerts = p.coordinator.get(&format!("/api/programs/{program}/alerts")).await;
    assert!(!alerts.body["items"].as_array().unwrap().is_empty(), "the sweep flagged quiet pairs");

    let ran: Vec<String> = statements()
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| {
            let head = sql.split_whitespace().next().unwrap_or("").to_uppercase();
            matches!(head.as_str(), "SELECT" | "WITH" | "UPDATE" | "DELETE" | "INSERT")
        })
        .cloned()
        .collect();
    assert!(ran.len() > 100, "the statement log saw the server's statements: {}", ran.len());
    assert!(ran.iter().any(|s| s.contains("digest_waiting")), "the digest's statements were seen");

    // Without statistics, then with fresh ones. Each check opens a new connection, which loads
    // the statistics there are. Without them SQLite estimates a table's rows from its pages, so
    // in a database this small it rightly scans a table of a few pages: only a full scan of
    // `messages` counts there. With statistics every rule applies.
    let mut conn = SqliteConnection::connect(&database).await.unwrap();
    sqlx::query("DELETE FROM sqlite_stat1").execute(&mut conn).await.unwrap();
    let without: Vec<String> =
        plans(&database, &ran).await.into_iter().filter(|p| p.starts_with("full scan of messages")).collect();
    sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
    drop(conn);
    let fresh = plans(&database, &ran).await;
    assert!(
        without.is_empty() && fresh.is_empty(),
        "{} statements; without statistics:\n{}\n\nwith statistics:\n{}",
        ran.len(),
        without.join("\n"),
        fresh.join("\n")
    );
}

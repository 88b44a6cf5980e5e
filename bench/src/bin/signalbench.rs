//! Signaling relay latency: how long a call frame sent by one person of a call takes to reach the
//! other, through one `kindred` node or across two (over Redis).
//!
//! Workload: one mentee and one mentor in an active match, each on one WebSocket (API tokens).
//! Calls are set up one after another (invite, ringing, accept); in each, the two send
//! `ice_candidate` frames in turn, closed loop (the next one leaves when the previous one arrived),
//! up to the server's 200 candidates per side per call, then the caller hangs up. The latency of
//! a frame is from just before its send to its arrival at the other person's socket, on this
//! process's monotonic clock. Every candidate is a separate frame through the server's call
//! handling (its state is loaded and saved in the database) and the bus.
//!
//! Subcommands:
//! - `setup --database-url URL --out pair.json`: the two people, their API tokens, a program and
//!   the active match.
//! - `run --url A[,B] --pair pair.json --frames N [--warmup W] [--label L]`: the mentee on A, the
//!   mentor on B (or A); prints one JSON line.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The server's cap on candidates from one side of one call.
const PER_SIDE: usize = 200;
const WAIT: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct Pair {
    mentee: (String, String),
    mentor: (String, String),
}

#[path = "../args.rs"]
mod args;
use args::{arg, need};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("setup") => setup(&need(&args, "--database-url")?, &need(&args, "--out")?).await,
        Some("run") => {
            let pair: Pair = serde_json::from_str(&std::fs::read_to_string(need(&args, "--pair")?)?)?;
            let frames: usize = arg(&args, "--frames").unwrap_or_else(|| "1000".into()).parse()?;
            let warmup: usize = arg(&args, "--warmup").unwrap_or_else(|| "50".into()).parse()?;
            let label = arg(&args, "--label").unwrap_or_else(|| "kindred".into());
            let report = run(&need(&args, "--url")?, &pair, frames, warmup, label).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        _ => bail!("usage: signalbench setup|run … (see the module documentation)"),
    }
}

async fn setup(database_url: &str, out: &str) -> anyhow::Result<()> {
    use kindred::store::{NewMatch, NewUser, ProgramFields, Role, SessionKind, SessionRecord};
    let store = kindred::store::open(database_url).await?;
    store.migrate().await?;
    let now = time::OffsetDateTime::now_utc();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut people = Vec::new();
    for (i, name) in ["Mentee", "Mentor"].into_iter().enumerate() {
        let user = store
            .create_user(
                NewUser {
                    email: format!("signal-{i}-{run}@bench.example"),
                    name: format!("Signal {name}"),
                    password_hash: None,
                    is_admin: false,
                    can_create_programs: false,
                },
                now,
            )
            .await?;
        let secret = format!("kt_bench_{}", uuid::Uuid::new_v4().simple());
        let record = SessionRecord {
            id: uuid::Uuid::new_v4(),
            user_id: user.id,
            kind: SessionKind::ApiToken,
            name: "signalbench".into(),
            csrf_token: String::new(),
            created_at: now,
            last_used_at: now,
            expires_at: None,
        };
        store.create_session(&record, &kindred::domain::accounts::secret_hash(&secret)).await?;
        people.push((user.id, secret));
    }
    let (mentee, mentor) = (people[0].0, people[1].0);
    let coordinator = store
        .create_user(
            NewUser {
                email: format!("signal-coordinator-{run}@bench.example"),
                name: "Signal Coordinator".into(),
                password_hash: None,
                is_admin: false,
                can_create_programs: true,
            },
            now,
        )
        .await?;
    let program = store
        .create_program(
            ProgramFields { name: "Signal bench".into(), description: String::new(), starts_on: None, ends_on: None },
            coordinator.id,
            now,
        )
        .await?;
    store.add_member(program.id, mentee, Role::Mentee, now).await?;
    store.add_member(program.id, mentor, Role::Mentor, now).await?;
    let match_id = uuid::Uuid::new_v4();
    let new = NewMatch {
        id: match_id,
        program_id: program.id,
        mentee_id: mentee,
        mentor_id: mentor,
        round_id: None,
        score: 1.0,
        explanation: "{}".into(),
        mentor_capacity: 1,
        announce: kindred::domain::jobs::Work::MatchProposed(match_id).job(now),
    };
    let m = store.create_match(new, now).await?;
    store
        .respond_match(m.id, mentee, true, None, &kindred::domain::jobs::Work::MatchActivated(m.id).job(now), now)
        .await?;
    let done = store
        .respond_match(m.id, mentor, true, None, &kindred::domain::jobs::Work::MatchActivated(m.id).job(now), now)
        .await?;
    anyhow::ensure!(done.activated, "the match did not become active");
    let pair =
        Pair { mentee: (mentee.to_string(), people[0].1.clone()), mentor: (mentor.to_string(), people[1].1.clone()) };
    std::fs::write(out, serde_json::to_string(&pair)?)?;
    eprintln!("pair written to {out}");
    Ok(())
}

/// One person's socket: a writer, and a reader task that stamps every frame on arrival.
struct Person {
    id: String,
    tx: futures_util::stream::SplitSink<
        tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
        Message,
    >,
    rx: mpsc::UnboundedReceiver<(Instant, Value)>,
}

impl Person {
    async fn connect(url: &str, (id, token): &(String, String)) -> anyhow::Result<Person> {
        let mut request = format!("{}/ws", url.replacen("http", "ws", 1)).into_client_request()?;
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
        // Browsers send without Nagle's delay (TCP_NODELAY); so does this client.
        let (stream, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
        let (tx, mut read) = stream.split();
        let (frames, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = read.next().await {
                let at = Instant::now();
                let Message::Text(text) = msg else { continue };
                let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if frames.send((at, frame)).is_err() {
                    break;
                }
            }
        });
        let mut person = Person { id: id.clone(), tx, rx };
        person.send(json!({"type": "hello", "v": 1})).await?;
        person.wait(|f| f["type"] == "welcome").await?;
        Ok(person)
    }

    async fn send(&mut self, frame: Value) -> anyhow::Result<()> {
        self.tx.send(Message::text(frame.to_string())).await?;
        Ok(())
    }

    /// The arrival time of the first frame that matches; refusals fail the run.
    async fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> anyhow::Result<Instant> {
        loop {
            let (at, frame) = tokio::time::timeout(WAIT, self.rx.recv())
                .await
                .context("no frame within 10 s")?
                .context("the socket closed")?;
            if frame["type"] == "call_error" || frame["type"] == "error" {
                bail!("refused: {frame}");
            }
            if pred(&frame) {
                return Ok(at);
            }
        }
    }
}

#[derive(Serialize)]
struct Report {
    target: String,
    frames: usize,
    calls: usize,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    /// From `call_invite` sent to `call_state` `connecting` at the caller (ringing and accept included).
    call_setup_p50_ms: f64,
    /// Frames that took 35 ms or more (the signature of Nagle's algorithm meeting delayed ACKs).
    over_35_ms: usize,
}

async fn run(url: &str, pair: &Pair, frames: usize, warmup: usize, label: String) -> anyhow::Result<Report> {
    let urls: Vec<&str> = url.split(',').collect();
    let mut mentee = Person::connect(urls[0], &pair.mentee).await?;
    let mut mentor = Person::connect(urls[urls.len() - 1], &pair.mentor).await?;
    let mut latencies = Vec::with_capacity(frames);
    let mut setups = Vec::new();
    let mut calls = 0;
    let mut n = 0usize;
    while latencies.len() < frames {
        let call = uuid::Uuid::new_v4().to_string();
        calls += 1;
        let started = Instant::now();
        mentee.send(json!({"type": "call_invite", "call": call, "to": mentor.id})).await?;
        mentor.wait(|f| f["type"] == "call_invite" && f["call"] == call.as_str()).await?;
        mentor.send(json!({"type": "call_ringing", "call": call})).await?;
        mentor.send(json!({"type": "call_accept", "call": call})).await?;
        let connecting =
            |f: &Value| f["type"] == "call_state" && f["call"] == call.as_str() && f["state"] == "connecting";
        let at = mentee.wait(connecting).await?;
        mentor.wait(connecting).await?;
        setups.push(at.duration_since(started));
        // Turns: mentee, mentor, mentee, … each side up to its cap.
        for turn in 0..2 * PER_SIDE {
            if latencies.len() >= frames {
                break;
            }
            let (from, to) = if turn % 2 == 0 { (&mut mentee, &mut mentor) } else { (&mut mentor, &mut mentee) };
            let candidate = format!("candidate:{n} 1 udp 2122260223 192.0.2.10 {} typ host", 1024 + n % 60000);
            n += 1;
            let sent = Instant::now();
            from.send(json!({"type": "ice_candidate", "call": call, "candidate": candidate, "sdp_mid": "0", "sdp_m_line_index": 0}))
                .await?;
            let at = to.wait(|f| f["type"] == "ice_candidate" && f["candidate"] == candidate.as_str()).await?;
            if n > warmup {
                latencies.push(at.duration_since(sent));
            }
        }
        mentee.send(json!({"type": "call_hangup", "call": call})).await?;
        let ended = |f: &Value| f["type"] == "call_state" && f["call"] == call.as_str() && f["state"] == "ended";
        mentee.wait(ended).await?;
        mentor.wait(ended).await?;
    }
    // Milliseconds, to the microsecond.
    let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1000.0;
    let mean = ms(latencies.iter().sum::<Duration>() / latencies.len() as u32);
    latencies.sort_unstable();
    setups.sort_unstable();
    let pct = |v: &[Duration], p: f64| ms(v[((v.len() as f64 - 1.0) * p).round() as usize]);
    Ok(Report {
        target: label,
        frames: latencies.len(),
        calls,
        p50_ms: pct(&latencies, 0.50),
        p90_ms: pct(&latencies, 0.90),
        p99_ms: pct(&latencies, 0.99),
        max_ms: pct(&latencies, 1.0),
        mean_ms: mean,
        call_setup_p50_ms: pct(&setups, 0.50),
        over_35_ms: latencies.iter().filter(|d| **d >= Duration::from_millis(35)).count(),
    })
}

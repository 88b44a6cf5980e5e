//! Load generator for Kindred's chat gateway and, with the same workload, a Socket.IO 4 server.
//!
//! Workload (the messaging issue's): 1,000 connections in 400 pair channels and 2 group channels
//! of 100; 100-byte messages sent open-loop at a fixed offered rate by uniformly chosen
//! connections; latency from the send timestamp in the message to the receiver's clock (same
//! machine). Deliveries count only receivers other than the sender.
//!
//! Subcommands:
//! - `setup --database-url URL --out layout.json`: creates the people, API tokens and channels
//!   in a Kindred database and writes the layout (Socket.IO needs no setup: rooms are joined).
//! - `run --target kindred|socketio --url URL --layout layout.json --rate R --secs S [--pid P]`
//! - `idle --target … --url … --layout … --conns N --pid P`: memory per idle connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[derive(Serialize, Deserialize, Clone)]
struct Layout {
    /// One API token per person (Kindred); index = connection number.
    tokens: Vec<String>,
    /// Channels: id (Kindred) and member connection numbers.
    channels: Vec<(String, Vec<usize>)>,
}

impl Layout {
    /// The workload's shape without a database (Socket.IO rooms are named by index).
    fn shape() -> Vec<Vec<usize>> {
        let mut channels = Vec::new();
        for p in 0..400 {
            channels.push(vec![2 * p, 2 * p + 1]);
        }
        for g in 0..2 {
            channels.push((800 + 100 * g..900 + 100 * g).collect());
        }
        channels
    }
}

mod args;
use args::{arg, need};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("setup") => setup(&need(&args, "--database-url")?, &need(&args, "--out")?).await,
        Some("run") => {
            let target = Target::parse(&need(&args, "--target")?)?;
            let layout = load_layout(target, arg(&args, "--layout"))?;
            let rate: f64 = need(&args, "--rate")?.parse()?;
            let secs: f64 = arg(&args, "--secs").unwrap_or_else(|| "10".into()).parse()?;
            // --pid takes several comma-separated ids (one per node) and sums their CPU time.
            let pids = match arg(&args, "--pid") {
                Some(p) => p.split(',').map(|p| p.parse::<u32>()).collect::<Result<Vec<_>, _>>()?,
                None => Vec::new(),
            };
            let report = run(target, &need(&args, "--url")?, &layout, rate, secs, pids).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Some("idle") => {
            let target = Target::parse(&need(&args, "--target")?)?;
            let layout = load_layout(target, arg(&args, "--layout"))?;
            let conns: usize = need(&args, "--conns")?.parse()?;
            let pid: u32 = need(&args, "--pid")?.parse()?;
            let report = idle(target, &need(&args, "--url")?, &layout, conns, pid).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        _ => bail!("usage: loadgen setup|run|idle … (see the module documentation)"),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Kindred,
    SocketIo,
}

impl Target {
    fn parse(s: &str) -> anyhow::Result<Target> {
        match s {
            "kindred" => Ok(Target::Kindred),
            "socketio" => Ok(Target::SocketIo),
            _ => bail!("--target is kindred or socketio"),
        }
    }
}

fn load_layout(target: Target, path: Option<String>) -> anyhow::Result<Layout> {
    match (target, path) {
        (Target::Kindred, Some(p)) => Ok(serde_json::from_str(&std::fs::read_to_string(p)?)?),
        (Target::Kindred, None) => bail!("--layout is needed for kindred"),
        (Target::SocketIo, _) => Ok(Layout {
            tokens: vec![String::new(); 1000],
            channels: Layout::shape().into_iter().enumerate().map(|(i, m)| (format!("room{i}"), m)).collect(),
        }),
    }
}

/// Creates 1,000 people with API tokens, one program, the 400 pair and 2 group channels.
async fn setup(database_url: &str, out: &str) -> anyhow::Result<()> {
    use kindred::store::{ChannelKind, NewChannel, NewUser, ProgramFields, Role, SessionKind, SessionRecord};
    let store = kindred::store::open(database_url).await?;
    store.migrate().await?;
    let now = time::OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..1000 {
        let user = store
            .create_user(
                NewUser {
                    email: format!("load{i}@bench.example"),
                    name: format!("Load {i}"),
                    password_hash: None,
                    is_admin: false,
                    can_create_programs: i == 0,
                },
                now,
            )
            .await?;
        let secret = format!("kt_bench_{}", uuid::Uuid::new_v4().simple());
        let record = SessionRecord {
            id: uuid::Uuid::now_v7(),
            user_id: user.id,
            kind: SessionKind::ApiToken,
            name: "bench".into(),
            csrf_token: String::new(),
            created_at: now,
            last_used_at: now,
            expires_at: None,
        };
        store.create_session(&record, &kindred::domain::accounts::secret_hash(&secret)).await?;
        ids.push(user.id);
        tokens.push(secret);
    }
    let program = store
        .create_program(
            ProgramFields { name: "Bench".into(), description: String::new(), starts_on: None, ends_on: None },
            ids[0],
            now,
        )
        .await?;
    for id in &ids[1..] {
        store.add_member(program.id, *id, Role::Mentee, now).await?;
    }
    let mut channels = Vec::new();
    for members in Layout::shape() {
        let id = if members.len() == 2 {
            store.open_pair_channel(program.id, ids[members[0]], ids[members[1]], "pair", now).await?.0.id
        } else {
            let new = NewChannel {
                program_id: program.id,
                kind: ChannelKind::Group,
                name: "group".into(),
                program_wide: false,
                members: members.iter().map(|m| (ids[*m], true)).collect(),
            };
            store.create_channel(new, now).await?.id
        };
        channels.push((id.to_string(), members));
    }
    std::fs::write(out, serde_json::to_string(&Layout { tokens, channels })?)?;
    eprintln!("layout written to {out}");
    Ok(())
}

type Sink = mpsc::Sender<String>;

/// Opens one connection (Kindred: hello; Socket.IO: namespace connect and room joins) and spawns
/// its reader, which records the latency of every message from someone else.
async fn open(
    target: Target,
    url: &str,
    token: &str,
    me: usize,
    rooms: Vec<String>,
    stats: Arc<Stats>,
) -> anyhow::Result<Sink> {
    let ws_url = match target {
        Target::Kindred => format!("{}/ws", url.replacen("http", "ws", 1)),
        Target::SocketIo => format!("{}/socket.io/?EIO=4&transport=websocket", url.replacen("http", "ws", 1)),
    };
    let mut request = ws_url.into_client_request()?;
    if target == Target::Kindred {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    }
    let (stream, _) = tokio_tungstenite::connect_async(request).await?;
    let (mut write, mut read) = stream.split();
    match target {
        Target::Kindred => {
            write.send(Message::text(json!({"type": "hello", "v": 1}).to_string())).await?;
        }
        Target::SocketIo => {
            // Engine.IO open packet, then connect to the default namespace and join rooms.
            read.next().await.context("no open packet")??;
            write.send(Message::text("40")).await?;
            for room in &rooms {
                write.send(Message::text(format!("42[\"join\",\"{room}\"]"))).await?;
            }
        }
    }
    let (tx, mut rx) = mpsc::channel::<String>(1024);
    let pong = tx.clone();
    tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if write.send(Message::text(text)).await.is_err() {
                break;
            }
        }
    });
    let tag = format!("|{me}|");
    tokio::spawn(async move {
        while let Some(Ok(msg)) = read.next().await {
            let Message::Text(text) = msg else { continue };
            let text = text.as_str();
            if target == Target::SocketIo && text == "2" {
                let _ = pong.try_send("3".into());
                continue;
            }
            // Message bodies are "ts=<micros>|<sender>|padding".
            let Some(i) = text.find("ts=") else { continue };
            let rest = &text[i + 3..];
            let Some(end) = rest.find('|') else { continue };
            let Ok(sent) = rest[..end].parse::<u64>() else { continue };
            if rest[end..].starts_with(&tag) {
                continue; // our own message echoed back
            }
            let latency = now_micros().saturating_sub(sent);
            stats.record(latency).await;
        }
    });
    Ok(tx)
}

/// Microseconds on a monotonic clock shared by this process's senders and receivers (the wall
/// clock can step, which would show as absurd latencies).
fn now_micros() -> u64 {
    static BASE: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    BASE.get_or_init(Instant::now).elapsed().as_micros() as u64
}

#[derive(Default)]
struct Stats {
    received: AtomicU64,
    latencies: Mutex<Vec<u32>>,
    recording: std::sync::atomic::AtomicBool,
}

impl Stats {
    async fn record(&self, micros: u64) {
        self.received.fetch_add(1, Ordering::Relaxed);
        if self.recording.load(Ordering::Relaxed) {
            self.latencies.lock().await.push(micros.min(u32::MAX as u64) as u32);
        }
    }
}

/// CPU seconds (user + system) a process has used, from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Serialize)]
struct RunReport {
    target: &'static str,
    offered_msgs_per_sec: f64,
    sent: u64,
    expected_deliveries: u64,
    delivered: u64,
    lost: i64,
    delivered_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    server_cpu_us_per_delivery: Option<f64>,
}

async fn run(
    target: Target,
    url: &str,
    layout: &Layout,
    rate: f64,
    secs: f64,
    pids: Vec<u32>,
) -> anyhow::Result<RunReport> {
    let stats = Arc::new(Stats::default());
    let mut rooms_of: HashMap<usize, Vec<String>> = HashMap::new();
    let mut channel_of: HashMap<usize, usize> = HashMap::new();
    for (c, (id, members)) in layout.channels.iter().enumerate() {
        for m in members {
            rooms_of.entry(*m).or_default().push(id.clone());
            channel_of.insert(*m, c);
        }
    }
    // Several comma-separated URLs spread the connections over several nodes.
    let urls: Vec<&str> = url.split(',').collect();
    let mut sinks = Vec::new();
    for (i, token) in layout.tokens.iter().enumerate() {
        let rooms = rooms_of.get(&i).cloned().unwrap_or_default();
        sinks.push(open(target, urls[i % urls.len()], token, i, rooms, stats.clone()).await?);
    }
    // Let hellos, welcomes and joins settle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stats.received.store(0, Ordering::Relaxed);
    stats.recording.store(true, Ordering::Relaxed);
    let cpu_of = |pids: &[u32]| pids.iter().map(|p| cpu_seconds(*p)).sum::<Option<f64>>();
    let cpu_before = if pids.is_empty() { None } else { cpu_of(&pids) };
    let interval = Duration::from_secs_f64(1.0 / rate);
    let total = (rate * secs) as u64;
    let start = Instant::now();
    let mut expected = 0u64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let padding = "x".repeat(60);
    // Client ids are unique per run: a repeated id is (correctly) answered from the store as a
    // retry, which would measure replays instead of new messages.
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    for n in 0..total {
        // Open loop: each send has its slot in time, whether or not earlier ones were answered.
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let sender = (seed % layout.tokens.len() as u64) as usize;
        let c = channel_of[&sender];
        let (channel, members) = &layout.channels[c];
        expected += members.len() as u64 - 1;
        let body = format!("ts={}|{sender}|{padding}", now_micros());
        let frame = match target {
            Target::Kindred => {
                json!({"type": "send", "channel": channel, "client_id": format!("{run_id}-{n}"), "body": body})
                    .to_string()
            }
            Target::SocketIo => format!("42[\"send\",\"{channel}\",\"{body}\"]"),
        };
        let _ = sinks[sender].try_send(frame);
    }
    let sent_for = start.elapsed().as_secs_f64();
    // Drain: wait until everything expected arrived or 5 s of silence.
    let mut last = stats.received.load(Ordering::Relaxed);
    let mut quiet = 0;
    while stats.received.load(Ordering::Relaxed) < expected && quiet < 50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = stats.received.load(Ordering::Relaxed);
        if now == last {
            quiet += 1;
        } else {
            quiet = 0;
            last = now;
        }
    }
    let cpu = match (cpu_before, cpu_of(&pids)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let delivered = stats.received.load(Ordering::Relaxed);
    let mut lat = std::mem::take(&mut *stats.latencies.lock().await);
    lat.sort_unstable();
    let pct = |p: f64| if lat.is_empty() { 0.0 } else { lat[((lat.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0 };
    Ok(RunReport {
        target: if target == Target::Kindred { "kindred" } else { "socketio" },
        offered_msgs_per_sec: rate,
        sent: total,
        expected_deliveries: expected,
        delivered,
        lost: expected as i64 - delivered as i64,
        delivered_per_sec: delivered as f64 / sent_for,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        p999_ms: pct(0.999),
        server_cpu_us_per_delivery: cpu.map(|c| c * 1e6 / delivered.max(1) as f64),
    })
}

#[derive(Serialize)]
struct IdleReport {
    target: &'static str,
    connections: usize,
    rss_before_kib: u64,
    rss_after_kib: u64,
    kib_per_connection: f64,
}

async fn idle(target: Target, url: &str, layout: &Layout, conns: usize, pid: u32) -> anyhow::Result<IdleReport> {
    let stats = Arc::new(Stats::default());
    let before = rss_kib(pid).context("server pid")?;
    let mut sinks = Vec::with_capacity(conns);
    for i in 0..conns {
        let person = i % layout.tokens.len();
        sinks.push(open(target, url, &layout.tokens[person], person, vec![], stats.clone()).await?);
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = rss_kib(pid).context("server pid")?;
    Ok(IdleReport {
        target: if target == Target::Kindred { "kindred" } else { "socketio" },
        connections: conns,
        rss_before_kib: before,
        rss_after_kib: after,
        kib_per_connection: (after as f64 - before as f64) / conns as f64,
    })
}

//! SFU forwarding capacity: one speaker publishing VP8 video (about 1.5 Mbit/s, 30 frames a second,
//! a keyframe every 2 s and on PLI/FIR) and Opus audio (50 packets a second with the audio level
//! extension) to N subscribers, all webrtc-rs peers in this process, through Kindred's SFU or
//! Janus's VideoRoom. N rises in steps; each step is held (`--hold`, 10 s) once every subscriber
//! receives both tracks and a settling time (`--settle`) has passed. The run stops after the first
//! step with loss over `--loss-limit` (1%), or with the SFU process at `--cpu-limit` (95%) of the
//! one core it is pinned to, or with this process at that limit (then the client, not the SFU, is
//! the bottleneck), or at `--max`.
//!
//! Loss is counted per received track from the RTP sequence numbers (both SFUs rewrite them per
//! subscriber without closing gaps): expected = highest extended sequence number - first + 1, loss
//! = expected - received, over the step's window. NACK is off unless `--nack`, so nothing is
//! repaired. Each step prints a markdown table row to stdout; notes go to stderr.
//!
//! Columns: tracks receiving (tracks that got packets in the window, of 2N); packets per second
//! and RTP payload Mbit/s received by all subscribers together; loss over all tracks and for the
//! worst subscriber; the SFU process's CPU (user + system, % of one core) and RSS; this process's
//! CPU; each core's busy % (anything else running shows here); datagrams the kernel dropped on
//! the SFU's and on this process's UDP sockets (full receive buffers, from /proc/net/udp); the
//! publisher's packet rate. With Janus's admin API (`--admin-url`, `--admin-secret`), a note per
//! step sets Janus's own counts (packets it sent, losses the subscribers' RTCP reported) against
//! ours.
//!
//! Subcommands:
//! - `setup --database-url URL --subscribers N --out layout.json`: Kindred only: the host, the
//!   speaker and N-1 invitees with API tokens, before the server starts.
//! - `run --target janus --url http://127.0.0.1:8088/janus [--admin-url URL --admin-secret S]`
//! - `run --target kindred --url http://127.0.0.1:PORT --layout layout.json`
//!
//!   both with `--pid SFU_PID --bind-ip IP [--steps 1,5,10,...] [--hold 10] [--settle 3]
//!   [--max N] [--bitrate 1500000] [--loss-limit 1] [--cpu-limit 95] [--nack]`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;

#[path = "../sfu/janus.rs"]
mod janus;
#[path = "../sfu/kindred.rs"]
mod kindred;
#[path = "../sfu/media.rs"]
mod media;

use media::{Publisher, Subscriber};

const DEFAULT_STEPS: &str = "1,5,10,20,40,60,80,100,150,200,250,300,400,500,600,800,999";
/// Subscribers negotiating at once while a step ramps up.
const CONCURRENT_JOINS: usize = 8;

#[path = "../args.rs"]
mod args;
use args::{arg, need};

fn num<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match arg(args, name) {
        Some(v) => v.parse().with_context(|| format!("{name} {v}")),
        None => Ok(default),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("setup") => {
            let n: usize = num(&args, "--subscribers", 200)?;
            kindred::setup(&need(&args, "--database-url")?, n.saturating_sub(1), &need(&args, "--out")?).await
        }
        Some("run") => run(Options::parse(&args)?).await,
        _ => bail!("usage: sfubench setup|run … (see the module documentation)"),
    }
}

struct Options {
    target: String,
    url: String,
    admin: Option<(String, String)>,
    layout: Option<String>,
    pid: u32,
    bind_ip: String,
    steps: Vec<usize>,
    hold: Duration,
    settle: Duration,
    max: usize,
    bitrate: u64,
    loss_limit: f64,
    cpu_limit: f64,
    nack: bool,
}

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Options> {
        let target = need(args, "--target")?;
        anyhow::ensure!(target == "janus" || target == "kindred", "--target janus|kindred");
        let steps = arg(args, "--steps")
            .unwrap_or_else(|| DEFAULT_STEPS.into())
            .split(',')
            .map(|s| s.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .context("--steps")?;
        let admin = match (arg(args, "--admin-url"), arg(args, "--admin-secret")) {
            (Some(url), Some(secret)) => Some((url, secret)),
            _ => None,
        };
        Ok(Options {
            url: need(args, "--url")?,
            layout: arg(args, "--layout"),
            admin,
            pid: num(args, "--pid", 0)?,
            bind_ip: arg(args, "--bind-ip").unwrap_or_else(|| "127.0.0.1".into()),
            steps,
            hold: Duration::from_secs_f64(num(args, "--hold", 10.0)?),
            settle: Duration::from_secs_f64(num(args, "--settle", 3.0)?),
            max: num(args, "--max", 999)?,
            bitrate: num(args, "--bitrate", 1_500_000)?,
            loss_limit: num(args, "--loss-limit", 1.0)?,
            cpu_limit: num(args, "--cpu-limit", 95.0)?,
            nack: args.iter().any(|a| a == "--nack"),
            target,
        })
    }
}

/// The SFU under test, set up with the publisher in it.
enum Sfu {
    Janus { janus: janus::Janus, room: u64, feed: u64, publisher_handle: u64, handles: Vec<u64> },
    Kindred { kindred: kindred::Kindred, viewers: Vec<kindred::KindredViewer> },
}

impl Sfu {
    /// How many subscribers this SFU setup can take.
    fn capacity(&self) -> usize {
        match self {
            Sfu::Janus { .. } => usize::MAX,
            Sfu::Kindred { kindred, .. } => kindred.capacity(),
        }
    }

    /// Adds subscribers `from..to` (new peer connections, negotiated `CONCURRENT_JOINS` at a time).
    async fn add(&mut self, subs: &mut Vec<Arc<Subscriber>>, to: usize, o: &Options) -> anyhow::Result<()> {
        let from = subs.len();
        let mut fresh = Vec::new();
        for _ in from..to {
            fresh.push(Arc::new(Subscriber::new(&o.bind_ip, o.nack).await?));
        }
        match self {
            Sfu::Janus { janus, room, feed, handles, .. } => {
                let (janus, room, feed) = (&*janus, *room, *feed);
                let joined: Vec<anyhow::Result<u64>> = futures_util::stream::iter(fresh.iter().cloned())
                    .map(|s| async move { janus.subscribe(room, feed, &s).await })
                    .buffered(CONCURRENT_JOINS)
                    .collect()
                    .await;
                for handle in joined {
                    handles.push(handle?);
                }
            }
            Sfu::Kindred { kindred, viewers } => {
                let kindred = &*kindred;
                // Subscriber 0 is the host's view, connected when the room opened.
                let joined: Vec<anyhow::Result<kindred::KindredViewer>> =
                    futures_util::stream::iter(fresh.iter().cloned().zip(from..to))
                        .filter(|(_, i)| std::future::ready(*i > 0))
                        .map(|(s, i)| async move { kindred.subscribe(i - 1, s).await })
                        .buffered(CONCURRENT_JOINS)
                        .collect()
                        .await;
                for viewer in joined {
                    viewers.push(viewer?);
                }
            }
        }
        subs.extend(fresh);
        Ok(())
    }
}

async fn run(o: Options) -> anyhow::Result<()> {
    eprintln!(
        "# sfubench: target {} at {}, SFU pid {}, peers on {}, {} bit/s video, steps {:?}, hold {:?}, NACK {}",
        o.target, o.url, o.pid, o.bind_ip, o.bitrate, o.steps, o.hold, o.nack
    );
    let publisher = Publisher::new(&o.bind_ip, o.nack).await?;
    let mut subs: Vec<Arc<Subscriber>> = Vec::new();
    let mut sfu = match o.target.as_str() {
        "janus" => {
            let janus = janus::Janus::connect(&o.url, o.admin.clone()).await?;
            let publisher_handle = janus.attach().await?;
            let room = 100_000 + u64::from(std::process::id());
            janus.create_room(publisher_handle, room).await?;
            let feed = janus.publish(publisher_handle, room, &publisher).await?;
            Sfu::Janus { janus, room, feed, publisher_handle, handles: Vec::new() }
        }
        _ => {
            let path = o.layout.as_deref().context("--layout (from sfubench setup)")?;
            let layout: kindred::Layout = serde_json::from_str(&std::fs::read_to_string(path)?)?;
            let mut kindred = kindred::Kindred::create(&o.url, layout, &o.bind_ip, o.nack).await?;
            let host_view = Arc::new(Subscriber::new(&o.bind_ip, o.nack).await?);
            kindred.open_and_publish(host_view.clone(), &publisher).await?;
            subs.push(host_view);
            eprintln!("# the host watches too: subscriber 1 of N (the others are invitees)");
            Sfu::Kindred { kindred, viewers: Vec::new() }
        }
    };
    publisher.wait_connected(Duration::from_secs(20)).await.context("the publisher")?;
    let sender = publisher.start(o.bitrate).await?;
    if let Sfu::Janus { janus, publisher_handle, .. } = &sfu {
        janus.wait_up(*publisher_handle, Duration::from_secs(20)).await?;
    }
    eprintln!("# the publisher is connected and sending");

    println!(
        "| target | N | tracks receiving | pkt/s to subscribers | payload Mbit/s | loss % | worst subscriber loss % | \
         SFU CPU % | SFU RSS MiB | client CPU % | cores busy % | UDP drops SFU / client | publisher pkt/s | stop, notes |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut previous_sfu_counts: HashMap<u64, [u64; 3]> = HashMap::new();
    let limit = o.max.min(sfu.capacity());
    // The largest step within the loss limit: (N, tracks receiving, packets/s, SFU CPU %).
    let mut best = None;
    for &n in o.steps.iter().filter(|&&n| n <= limit) {
        if n > subs.len() {
            let started = Instant::now();
            if let Err(e) = sfu.add(&mut subs, n, &o).await {
                println!("| {} | {n} | | | | | | | | | | | | subscribing failed: {e:#} |", o.target);
                break;
            }
            eprintln!("# {n} subscribers negotiated in {:.2} s", started.elapsed().as_secs_f64());
        }
        let within = Duration::from_secs(20) + Duration::from_millis(100) * n as u32;
        let deadline = Instant::now() + within;
        while Instant::now() < deadline && !subs.iter().all(|s| s.flowing()) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let flowing = subs.iter().filter(|s| s.flowing()).count();
        // Some never receive: measure what there is for a moment (the CPU columns tell whether the
        // SFU or the client was saturated), then stop.
        let not_flowing = (flowing < n).then(|| format!("only {flowing} of {n} receive both tracks after {within:?}"));
        let hold = if not_flowing.is_some() { o.hold.min(Duration::from_secs(3)) } else { o.hold };
        if not_flowing.is_none() {
            tokio::time::sleep(o.settle).await;
        }
        let before = Snapshot::take(&o, &subs, &publisher);
        tokio::time::sleep(hold).await;
        let after = Snapshot::take(&o, &subs, &publisher);
        let row = Row::between(&before, &after);
        // What ran besides the SFU and this process (on a two-core machine, with the two pinned).
        let other = row.cores.iter().sum::<f64>() - row.sfu_cpu_pct - row.client_cpu_pct;
        let disturbed =
            if other > 15.0 { format!(" (disturbed: {other:.0}% CPU used by others)") } else { String::new() };
        let stop = if let Some(note) = &not_flowing {
            note.clone()
        } else if row.loss_pct > o.loss_limit {
            format!("loss over {}%", o.loss_limit)
        } else if row.sfu_cpu_pct >= o.cpu_limit {
            format!("SFU CPU at {}%", o.cpu_limit)
        } else if row.client_cpu_pct >= o.cpu_limit {
            "client CPU saturated: client-bound".to_owned()
        } else {
            String::new()
        };
        println!(
            "| {} | {n} | {} / {} | {:.0} | {:.1} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {} | {} / {} | {:.0} | {stop}{disturbed} |",
            o.target,
            row.tracks,
            2 * n,
            row.pps,
            row.mbps,
            row.loss_pct,
            row.worst_pct,
            row.sfu_cpu_pct,
            after.sfu_rss_kib as f64 / 1024.0,
            row.client_cpu_pct,
            row.cores.iter().map(|c| format!("{c:.0}")).collect::<Vec<_>>().join(" / "),
            row.sfu_drops,
            row.client_drops,
            row.publisher_pps,
        );
        if let Sfu::Janus { janus, publisher_handle, handles, .. } = &sfu
            && o.admin.is_some()
        {
            let compared =
                janus_comparison(janus, *publisher_handle, handles, &subs, &publisher, &mut previous_sfu_counts);
            if let Err(e) = compared.await {
                eprintln!("# janus's own count unavailable: {e:#}");
            }
        }
        if not_flowing.is_none() && row.loss_pct <= o.loss_limit {
            best = Some((n, row.tracks, row.pps, row.sfu_cpu_pct));
        }
        if !stop.is_empty() {
            break;
        }
    }
    match best {
        Some((n, tracks, pps, cpu)) => eprintln!(
            "# {}: largest step within {}% loss: N = {n}, {tracks} tracks, {pps:.0} packets/s, SFU CPU {cpu:.0}%",
            o.target, o.loss_limit
        ),
        None => eprintln!("# {}: no step within {}% loss", o.target, o.loss_limit),
    }
    let sent = &publisher.sent;
    eprintln!(
        "# publisher: {} video + {} audio packets, {} keyframes ({} requests seen), {} write errors",
        sent.video_packets.load(Relaxed),
        sent.audio_packets.load(Relaxed),
        sent.keyframes.load(Relaxed),
        sent.keyframe_requests.load(Relaxed),
        sent.write_errors.load(Relaxed)
    );
    if let Sfu::Janus { janus, .. } = &sfu {
        let n = &janus.notices;
        eprintln!(
            "# janus notices: {} webrtcup, {} media, {} slowlink, {} hangup",
            n.webrtcup.load(Relaxed),
            n.media.load(Relaxed),
            n.slowlink.load(Relaxed),
            n.hangup.load(Relaxed)
        );
    }
    sender.abort();
    for s in &subs {
        s.close().await;
    }
    publisher.close().await;
    drop(sfu);
    Ok(())
}

/// Janus's own counts against ours, since the previous step: packets Janus says it sent to the
/// subscribers (admin API `handle_info`, `webrtc.media.*.stats.out`) against those they received,
/// each pair read back to back; the losses the subscribers reported to Janus in their RTCP
/// receiver reports (`lost-by-remote`); and the publisher's leg, sent against received by Janus.
async fn janus_comparison(
    janus: &janus::Janus,
    publisher_handle: u64,
    handles: &[u64],
    subs: &[Arc<Subscriber>],
    publisher: &Publisher,
    previous: &mut HashMap<u64, [u64; 3]>,
) -> anyhow::Result<()> {
    // Per handle: [sent by Janus (or received, for the publisher), ours, lost-by-remote].
    let mut delta = |handle: u64, now: [u64; 3]| {
        let before = previous.insert(handle, now).unwrap_or_default();
        [0, 1, 2].map(|i| now[i].saturating_sub(before[i]))
    };
    let mut total = [0u64; 3];
    for (handle, sub) in handles.iter().zip(subs) {
        let Some(info) = janus.handle_info(*handle).await? else { return Ok(()) };
        let ours: u64 = sub.tracks.lock().unwrap().iter().map(|t| t.packets.load(Relaxed)).sum();
        let d = delta(*handle, [janus::packets(&info, "out"), ours, sum_named(&info, "lost-by-remote")]);
        (0..3).for_each(|i| total[i] += d[i]);
    }
    let Some(info) = janus.handle_info(publisher_handle).await? else { return Ok(()) };
    let sent = publisher.sent.video_packets.load(Relaxed) + publisher.sent.audio_packets.load(Relaxed);
    let [janus_in, ours_out, _] = delta(publisher_handle, [janus::packets(&info, "in"), sent, 0]);
    let [janus_sent, received, lost_by_remote] = total;
    let short = |of: u64, got: u64| if of > 0 { 100.0 * (of as f64 - got as f64) / of as f64 } else { 0.0 };
    eprintln!(
        "# janus's own count since the last step: it sent {janus_sent} packets to the subscribers, they received \
         {received} ({:.2}% short); they reported {lost_by_remote} lost in RTCP; the publisher sent {ours_out}, \
         Janus received {janus_in} ({:.2}% short)",
        short(janus_sent, received),
        short(ours_out, janus_in),
    );
    Ok(())
}

/// Sums every number under a key named `name`, anywhere in `v`.
fn sum_named(v: &serde_json::Value, name: &str) -> u64 {
    match v {
        serde_json::Value::Object(map) => {
            map.iter().map(|(k, v)| if k == name { v.as_u64().unwrap_or(0) } else { sum_named(v, name) }).sum()
        }
        serde_json::Value::Array(items) => items.iter().map(|v| sum_named(v, name)).sum(),
        _ => 0,
    }
}

/// Counters at one instant.
struct Snapshot {
    at: Instant,
    /// Per subscriber: per track (packets, bytes, expected).
    tracks: Vec<Vec<(u64, u64, u64)>>,
    sfu_cpu: f64,
    client_cpu: f64,
    sfu_rss_kib: u64,
    sfu_drops: u64,
    client_drops: u64,
    published: u64,
    /// Per core: (busy, total) jiffies.
    cores: Vec<(u64, u64)>,
}

impl Snapshot {
    fn take(o: &Options, subs: &[Arc<Subscriber>], publisher: &Publisher) -> Snapshot {
        let tracks = subs
            .iter()
            .map(|s| {
                s.tracks
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|t| (t.packets.load(Relaxed), t.bytes.load(Relaxed), t.expected.load(Relaxed)))
                    .collect()
            })
            .collect();
        let drops = udp_drops();
        let of = |pid: u32| socket_inodes(pid).iter().map(|i| drops.get(i).copied().unwrap_or(0)).sum();
        Snapshot {
            at: Instant::now(),
            tracks,
            sfu_cpu: cpu_seconds(o.pid).unwrap_or(0.0),
            client_cpu: cpu_seconds(std::process::id()).unwrap_or(0.0),
            sfu_rss_kib: rss_kib(o.pid).unwrap_or(0),
            sfu_drops: of(o.pid),
            client_drops: of(std::process::id()),
            published: publisher.sent.video_packets.load(Relaxed) + publisher.sent.audio_packets.load(Relaxed),
            cores: core_jiffies(),
        }
    }
}

struct Row {
    tracks: usize,
    pps: f64,
    mbps: f64,
    loss_pct: f64,
    worst_pct: f64,
    sfu_cpu_pct: f64,
    client_cpu_pct: f64,
    sfu_drops: u64,
    client_drops: u64,
    publisher_pps: f64,
    /// Per core, busy % (everything but idle and iowait, whoever ran).
    cores: Vec<f64>,
}

impl Row {
    fn between(a: &Snapshot, b: &Snapshot) -> Row {
        let secs = (b.at - a.at).as_secs_f64();
        let (mut tracks, mut packets, mut bytes, mut expected, mut worst) = (0, 0u64, 0u64, 0u64, 0f64);
        for (i, after) in b.tracks.iter().enumerate() {
            let before = a.tracks.get(i);
            let (mut sub_packets, mut sub_expected) = (0u64, 0u64);
            for (j, &(p, by, e)) in after.iter().enumerate() {
                let (p0, b0, e0) = before.and_then(|t| t.get(j)).copied().unwrap_or((0, 0, 0));
                if p > p0 {
                    tracks += 1;
                }
                sub_packets += p - p0;
                bytes += by - b0;
                sub_expected += e - e0;
            }
            packets += sub_packets;
            expected += sub_expected;
            if sub_expected > 0 {
                worst = worst.max(100.0 * sub_expected.saturating_sub(sub_packets) as f64 / sub_expected as f64);
            }
        }
        let loss_pct =
            if expected > 0 { 100.0 * expected.saturating_sub(packets) as f64 / expected as f64 } else { 100.0 };
        Row {
            tracks,
            pps: packets as f64 / secs,
            mbps: bytes as f64 * 8.0 / secs / 1e6,
            loss_pct,
            worst_pct: worst,
            sfu_cpu_pct: 100.0 * (b.sfu_cpu - a.sfu_cpu) / secs,
            client_cpu_pct: 100.0 * (b.client_cpu - a.client_cpu) / secs,
            sfu_drops: b.sfu_drops.saturating_sub(a.sfu_drops),
            client_drops: b.client_drops.saturating_sub(a.client_drops),
            publisher_pps: (b.published - a.published) as f64 / secs,
            cores: a
                .cores
                .iter()
                .zip(&b.cores)
                .map(|(x, y)| 100.0 * (y.0 - x.0) as f64 / (y.1 - x.1).max(1) as f64)
                .collect(),
        }
    }
}

/// Busy and total jiffies per core, from /proc/stat.
fn core_jiffies() -> Vec<(u64, u64)> {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else { return Vec::new() };
    stat.lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .map(|l| {
            let v: Vec<u64> = l.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
            let total: u64 = v.iter().take(8).sum();
            let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
            (total - idle, total)
        })
        .collect()
}

/// CPU seconds (user + system) a process has used, from /proc (all its threads).
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

/// Datagrams the kernel dropped per UDP socket inode (a full receive buffer, mostly), from the
/// `drops` column of /proc/net/udp and udp6.
fn udp_drops() -> HashMap<u64, u64> {
    let mut drops = HashMap::new();
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if let (Some(inode), Some(d)) = (fields.get(9), fields.last())
                && let (Ok(inode), Ok(d)) = (inode.parse::<u64>(), d.parse::<u64>())
            {
                drops.insert(inode, d);
            }
        }
    }
    drops
}

/// The inodes of a process's sockets.
fn socket_inodes(pid: u32) -> HashSet<u64> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return HashSet::new() };
    dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok())
        .collect()
}

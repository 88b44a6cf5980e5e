//! Scale benchmark: one program seeded at a given size, then the reads and writes whose cost used
//! to grow with the program timed against a running server (`bench/scale.sh` drives it, for
//! several sizes on both backends, and prints the growth table; docs/benchmarks.md has results).
//!
//! Shape (the national-scale issue's, scaled by the number of people N): 46% mentors, the rest
//! mentees, one active pair channel per mentor (with 100 messages each), and N/22 program-wide
//! channels of everyone (event chats and announcements, with 20 messages each), and five
//! check-in surveys every pair's two people answered (four questions each). The measured person
//! is a mentee: one pair and every program-wide channel.
//!
//! The seeding goes through the store's public methods that every version since the national-scale
//! work began has, so `bench/scale.sh` can build an earlier revision with this same file and
//! measure both side by side.
//!
//! Subcommands:
//! - `seed --database-url URL --people N --out layout.json`: writes the program straight into a
//!   migrated database through the store, with API tokens for the coordinator and the mentee.
//! - `create --url URL --layout layout.json [--count N]`: the coordinator creates N program-wide
//!   channels (`bench/scale.sh` reads the Redis bytes they publish around it).
//! - `sweeps --url URL --layout layout.json [--seconds S]`: one-row reads while the worker sweeps,
//!   and the sweeps' times from `/metrics`.
//! - `measure --url URL --layout layout.json --pid P [--reps R]`: one JSON line: the mentee's
//!   channel list and `hello` → `welcome` (median and p95 ms, bytes), a one-row read
//!   (`GET /api/me/matches`), the survey-responses export (ms, MiB, and how much the server's
//!   peak resident memory grew while writing it), the coordinator creating a program-wide
//!   channel (median ms), and the server's resident memory.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Messages seeded in each pair's channel.
const PAIR_MESSAGES: usize = 100;

#[derive(Serialize, Deserialize)]
struct Layout {
    people: usize,
    program_id: String,
    coordinator_token: String,
    mentee_token: String,
    program_wide_channels: usize,
    messages: usize,
    #[serde(default)]
    survey_responses: usize,
}

#[path = "../args.rs"]
mod args;
use args::{arg, need};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("seed") => {
            let people: usize = need(&args, "--people")?.parse()?;
            let layout = seed(&need(&args, "--database-url")?, people).await?;
            std::fs::write(need(&args, "--out")?, serde_json::to_string(&layout)?)?;
            Ok(())
        }
        Some("measure") => {
            let layout: Layout = serde_json::from_str(&std::fs::read_to_string(need(&args, "--layout")?)?)?;
            let reps: usize = arg(&args, "--reps").map(|r| r.parse()).transpose()?.unwrap_or(20);
            let pid: u32 = need(&args, "--pid")?.parse()?;
            let report = measure(&need(&args, "--url")?, &layout, reps, pid).await?;
            println!("{report}");
            Ok(())
        }
        Some("sweeps") => {
            let layout: Layout = serde_json::from_str(&std::fs::read_to_string(need(&args, "--layout")?)?)?;
            let seconds: u64 = arg(&args, "--seconds").map(|r| r.parse()).transpose()?.unwrap_or(20);
            let report = sweeps(&need(&args, "--url")?, &layout, Duration::from_secs(seconds)).await?;
            println!("{report}");
            Ok(())
        }
        Some("create") => {
            let layout: Layout = serde_json::from_str(&std::fs::read_to_string(need(&args, "--layout")?)?)?;
            let count: usize = arg(&args, "--count").map(|r| r.parse()).transpose()?.unwrap_or(3);
            let http = reqwest::Client::new();
            let mut took = Vec::new();
            for i in 0..count {
                took.push(create_program_wide(&http, &need(&args, "--url")?, &layout, &format!("Bus {i}")).await?);
            }
            println!("{}", json!({"people": layout.people, "created": count, "create_ms": took}));
            Ok(())
        }
        _ => bail!("usage: scalebench seed|measure|sweeps|create …"),
    }
}

async fn token_for(
    store: &dyn kindred::store::Store,
    user: uuid::Uuid,
    now: time::OffsetDateTime,
) -> anyhow::Result<String> {
    use kindred::store::{SessionKind, SessionRecord};
    let secret = format!("kt_scale_{}", uuid::Uuid::new_v4().simple());
    let record = SessionRecord {
        id: uuid::Uuid::now_v7(),
        user_id: user,
        kind: SessionKind::ApiToken,
        name: "scale".into(),
        csrf_token: String::new(),
        created_at: now,
        last_used_at: now,
        expires_at: None,
    };
    store.create_session(&record, &kindred::domain::accounts::secret_hash(&secret)).await?;
    Ok(secret)
}

async fn seed(database_url: &str, people: usize) -> anyhow::Result<Layout> {
    use kindred::store::{Append, ChannelKind, NewChannel, NewUser, ProgramFields, Role};
    let store = kindred::store::open(database_url).await?;
    store.migrate().await?;
    let now = time::OffsetDateTime::now_utc();
    let mut ids = Vec::with_capacity(people);
    for i in 0..people {
        let user = NewUser {
            email: format!("p{i}@scale.example"),
            name: format!("Person {i}"),
            // Accounts in use (digests go only to them); nobody signs in with it.
            password_hash: Some("seeded".into()),
            is_admin: false,
            can_create_programs: i == 0,
        };
        ids.push(store.create_user(user, now).await?.id);
    }
    let fields = ProgramFields { name: "National".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, ids[0], now).await?;
    let mentors = people * 46 / 100;
    for (i, id) in ids.iter().enumerate().skip(1) {
        let role = if i <= mentors { Role::Mentor } else { Role::Mentee };
        store.add_member(program.id, *id, role, now).await?;
    }
    // Messages an hour old: due for a digest of unread messages, as in a running program.
    let sent_at = now - time::Duration::hours(1);
    // `n` messages in a channel, the senders taking turns.
    let post = |channel, senders: Vec<uuid::Uuid>, n: usize| {
        let store = store.clone();
        async move {
            for k in 0..n {
                let append = Append {
                    channel_id: channel,
                    sender_id: senders[k % senders.len()],
                    client_id: format!("seed-{k}"),
                    body: format!("Message {k}: how did the interview go? Let us talk on Tuesday."),
                };
                store.append_message(append, sent_at).await?;
            }
            anyhow::Ok(n)
        }
    };
    // Mentor i with mentee mentors + i; the measured mentee is the first one.
    let mentees = people - 1 - mentors;
    let mut active = Vec::new();
    let mut pair_channels = Vec::new();
    for i in 0..mentors.min(mentees) {
        let (mentor, mentee) = (ids[1 + i], ids[1 + mentors + i]);
        let channel = store.open_pair_channel(program.id, mentor, mentee, "Pair", now).await?.0;
        pair_channels.push((channel.id, vec![mentor, mentee]));
        // An active match, for the at-risk sweep; its notifications are queued far in the
        // future, so the server never runs them.
        let later = |kind: &'static str, id: uuid::Uuid| kindred::store::NewJob {
            kind,
            payload: id.to_string(),
            dedupe_key: None,
            run_at: now + time::Duration::days(3650),
        };
        let id = uuid::Uuid::now_v7();
        let new = kindred::store::NewMatch {
            id,
            program_id: program.id,
            mentee_id: mentee,
            mentor_id: mentor,
            round_id: None,
            score: 0.5,
            explanation: String::new(),
            mentor_capacity: 1,
            announce: later("match_proposed", id),
        };
        store.create_match(new, now).await?;
        for person in [mentee, mentor] {
            store.respond_match(id, person, true, None, &later("match_activated", id), now).await?;
        }
        store.set_match_channel(id, channel.id).await?;
        active.push((id, mentee, mentor));
    }
    // A hundred messages in every pair's channel (307k at 6,533 people, as in the issue), eight
    // channels at a time (PostgreSQL takes them in parallel; SQLite's one writer in turn).
    let mut messages: usize = futures_util::stream::iter(pair_channels)
        .map(|(channel, senders)| post(channel, senders, PAIR_MESSAGES))
        .buffer_unordered(8)
        .try_fold(0, |total, n| async move { Ok(total + n) })
        .await?;
    // Check-in surveys both people of every pair answered: the survey-responses export (one row
    // per answer) is ~27 MB at 6,533 people.
    let questions = serde_json::json!([
        {"id": "q1", "kind": "scale", "prompt": "How useful was this month's meeting?", "required": true},
        {"id": "q2", "kind": "single", "prompt": "Is this match a good fit?", "required": true,
         "options": ["Good fit", "Not sure yet", "Not a good fit"]},
        {"id": "q3", "kind": "multiple", "prompt": "What did you talk about?", "options": ["Research", "Residency", "Balance"]},
        {"id": "q4", "kind": "text", "prompt": "Anything else?"}
    ])
    .to_string();
    let mut survey_responses = 0;
    for month in 0..5 {
        let survey = kindred::store::SurveyRecord {
            id: uuid::Uuid::now_v7(),
            program_id: program.id,
            title: format!("Monthly check-in {}", month + 1),
            trigger: "date".into(),
            due_at: None,
            audience: "both".into(),
            anonymous: false,
            questions: questions.clone(),
            created_by: ids[0],
            created_at: kindred::store::to_millis(now),
            sent_at: Some(kindred::store::to_millis(now)),
            responses: 0,
        };
        store.create_survey(&survey).await?;
        for (pair, mentee, mentor) in &active {
            for person in [*mentee, *mentor] {
                let Some(invitation) = store.invite_to_survey(survey.id, person, "date", Some(*pair), now).await?
                else {
                    continue;
                };
                let invitation = store.get_survey_invitation(invitation).await?;
                let answers = serde_json::json!({"q1": 4, "q2": "Good fit", "q3": ["Research", "Balance"],
                    "q4": "We talked about the match day timeline and my personal statement."});
                store.answer_survey(&invitation, &answers.to_string(), false, now).await?;
                survey_responses += 1;
            }
        }
    }
    let wide = (people / 22).max(1);
    for c in 0..wide {
        let new = NewChannel {
            program_id: program.id,
            kind: if c % 5 == 0 { ChannelKind::Announcement } else { ChannelKind::Group },
            name: format!("Event chat {c}"),
            program_wide: true,
            members: vec![(ids[0], true)],
        };
        let channel = store.create_channel(new, now).await?;
        messages += post(channel.id, vec![ids[0]], 20).await?;
    }
    let mentee = ids[1 + mentors];
    Ok(Layout {
        people,
        program_id: program.id.to_string(),
        coordinator_token: token_for(store.as_ref(), ids[0], now).await?,
        mentee_token: token_for(store.as_ref(), mentee, now).await?,
        program_wide_channels: wide,
        messages,
        survey_responses,
    })
}

/// The coordinator creates a program-wide channel; how long it took (ms).
async fn create_program_wide(http: &reqwest::Client, url: &str, layout: &Layout, name: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let res = http
        .post(format!("{url}/api/programs/{}/channels", layout.program_id))
        .bearer_auth(&layout.coordinator_token)
        .json(&json!({"kind": "group", "name": name, "program_wide": true}))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("creating a program-wide channel: {}", res.status());
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// Median and 95th percentile of `samples` (milliseconds).
fn spread(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    ((at(0.5) * 100.0).round() / 100.0, (at(0.95) * 100.0).round() / 100.0)
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmRSS:")
}

/// A memory figure of /proc/PID/status (`VmRSS:`, `VmHWM:` for the peak), in KiB.
fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with(field)).with_context(|| format!("no {field}"))?;
    Ok(line.split_whitespace().nth(1).context("no value")?.parse()?)
}

async fn timed_get(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<(f64, usize)> {
    let started = Instant::now();
    let res = http.get(url).bearer_auth(token).send().await?;
    if !res.status().is_success() {
        bail!("{url}: {}", res.status());
    }
    let bytes = res.bytes().await?.len();
    Ok((started.elapsed().as_secs_f64() * 1000.0, bytes))
}

async fn welcome(url: &str, token: &str) -> anyhow::Result<(f64, usize)> {
    let ws_url = format!("{}/ws", url.replacen("http", "ws", 1));
    let mut request = ws_url.into_client_request()?;
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    let started = Instant::now();
    // No size limit: before member lists were bounded, a welcome at 6,533 people was 174 MB,
    // beyond a WebSocket client's usual 16 or 64 MiB.
    let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    socket.send(Message::text(json!({"type": "hello", "v": 1}).to_string())).await?;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .context("no welcome within 60 s")?
            .context("closed before the welcome")??;
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text)?;
            if value["type"] == "welcome" {
                let took = started.elapsed().as_secs_f64() * 1000.0;
                let _ = socket.close(None).await;
                return Ok((took, text.len()));
            }
        }
    }
}

async fn measure(url: &str, layout: &Layout, reps: usize, pid: u32) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let (mut list, mut list_bytes) = (Vec::new(), 0);
    let (mut hello, mut hello_bytes) = (Vec::new(), 0);
    let mut one_row = Vec::new();
    // One of each first, untimed: caches and connection pools warm up as in a running service.
    // Every channel of the mentee, a page of 200 at a time (the list and `welcome` carry the first 50).
    let mut channels_of_mentee = 0;
    let mut cursor = String::new();
    loop {
        let page = http
            .get(format!("{url}/api/channels?limit=200&cursor={cursor}"))
            .bearer_auth(&layout.mentee_token)
            .send()
            .await?
            .json::<Value>()
            .await?;
        channels_of_mentee += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    welcome(url, &layout.mentee_token).await?;
    for _ in 0..reps {
        let (ms, bytes) = timed_get(&http, &format!("{url}/api/channels"), &layout.mentee_token).await?;
        list.push(ms);
        list_bytes = bytes;
        let (ms, bytes) = welcome(url, &layout.mentee_token).await?;
        hello.push(ms);
        hello_bytes = bytes;
        one_row.push(timed_get(&http, &format!("{url}/api/me/matches"), &layout.mentee_token).await?.0);
    }
    // The largest export, once: how long, how big, and how much the server's peak memory grew
    // while writing it (the peak mark reset through /proc/PID/clear_refs first).
    let resident = rss_kib(pid)?;
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?;
    let export_url = format!("{url}/api/programs/{}/exports/survey-responses", layout.program_id);
    let (export_ms, export_bytes) = timed_get(&http, &export_url, &layout.coordinator_token).await?;
    let export_peak_growth_kib = status_kib(pid, "VmHWM:")?.saturating_sub(resident);
    let mut create = Vec::new();
    for i in 0..3 {
        create.push(create_program_wide(&http, url, layout, &format!("New program-wide channel {i}")).await?);
    }
    let (list_p50, list_p95) = spread(&mut list);
    let (hello_p50, hello_p95) = spread(&mut hello);
    let (row_p50, row_p95) = spread(&mut one_row);
    let create_each = create.clone();
    let (create_p50, _) = spread(&mut create);
    Ok(json!({
        "people": layout.people,
        "channels_of_mentee": channels_of_mentee,
        "program_wide_channels": layout.program_wide_channels,
        "messages": layout.messages,
        "channel_list_ms": [list_p50, list_p95],
        "channel_list_bytes": list_bytes,
        "welcome_ms": [hello_p50, hello_p95],
        "welcome_bytes": hello_bytes,
        "one_row_read_ms": [row_p50, row_p95],
        "create_program_wide_channel_ms": create_p50,
        "create_program_wide_channel_ms_each": create_each,
        "survey_responses": layout.survey_responses,
        "export_ms": (export_ms * 10.0).round() / 10.0,
        "export_mib": ((export_bytes as f64) / 1048576.0 * 10.0).round() / 10.0,
        "export_peak_growth_mib": ((export_peak_growth_kib as f64) / 1024.0 * 10.0).round() / 10.0,
        "server_rss_mib": rss_kib(pid)? / 1024,
    }))
}

/// A metric's value from a Prometheus text page: the first line that starts with `name` (with its
/// labels, if any) followed by a space.
fn metric(page: &str, name: &str) -> Option<f64> {
    page.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// One `GET /api/me/matches`: how long it took (ms) and whether it succeeded.
async fn read_one(http: &reqwest::Client, url: &str, layout: &Layout) -> anyhow::Result<(f64, bool)> {
    let started = Instant::now();
    let res = http.get(format!("{url}/api/me/matches")).bearer_auth(&layout.mentee_token).send().await?;
    let ok = res.status().is_success();
    res.bytes().await?;
    Ok((started.elapsed().as_secs_f64() * 1000.0, ok))
}

/// The sweep metrics of a `/metrics` page: (sweeps finished, seconds they took in all).
fn sweep_totals(page: &str) -> Option<(f64, f64)> {
    Some((metric(page, "kindred_sweep_seconds_count")?, metric(page, "kindred_sweep_seconds_sum")?))
}

/// The server's worker sweeps back to back (it runs with a short `sweep_ms`). First the time until
/// its first sweep has finished, the one that catches up on everything since the start (builds
/// from before the sweep metrics skip this); then one-row reads, one after another, for `span`,
/// and how long the steady sweeps during them took, from `/metrics`.
async fn sweeps(url: &str, layout: &Layout, span: Duration) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let page = || async { anyhow::Ok(http.get(format!("{url}/metrics")).send().await?.text().await?) };
    let started = Instant::now();
    let mut first = None;
    let (mut first_reads, mut first_failed) = (Vec::new(), 0);
    // When the slowest read during the first sweep started, from the start of this phase.
    let mut slowest_at: Option<Duration> = None;
    if page().await?.contains("kindred_") {
        // Current builds: one-row reads while the first sweep runs (at most 10 minutes).
        while started.elapsed() < Duration::from_secs(600) {
            if let Some((count, sum)) = sweep_totals(&page().await?)
                && count >= 1.0
            {
                first = Some((count, sum, started.elapsed()));
                break;
            }
            let at = started.elapsed();
            let (ms, ok) = read_one(&http, url, layout).await?;
            if first_reads.iter().all(|&r| r < ms) {
                slowest_at = Some(at);
            }
            first_reads.push(ms);
            first_failed += usize::from(!ok);
        }
    }
    // A read that fails (a server error while a sweep holds the database) is counted, with the
    // time it took, not fatal.
    let reading = Instant::now();
    let (mut reads, mut failed) = (Vec::new(), 0);
    while reading.elapsed() < span {
        let (ms, ok) = read_one(&http, url, layout).await?;
        reads.push(ms);
        failed += usize::from(!ok);
    }
    let last = page().await?;
    let spread3 = |reads: &mut Vec<f64>| {
        reads.sort_by(f64::total_cmp);
        let at = |q: f64| (reads[((reads.len() - 1) as f64 * q).round() as usize] * 100.0).round() / 100.0;
        if reads.is_empty() { json!(null) } else { json!([at(0.5), at(0.99), at(1.0)]) }
    };
    let ms = |v: f64| (v * 100_000.0).round() / 100.0;
    let mut report = json!({
        "people": layout.people,
        "reads": reads.len(),
        "failed_reads": failed,
        "read_during_sweeps_ms": spread3(&mut reads),
    });
    if let (Some((count0, sum0, waited)), Some((count, sum))) = (first, sweep_totals(&last)) {
        report["first_sweep_done_after_ms"] = json!(waited.as_millis());
        report["slowest_first_sweep_read_started_at_ms"] = json!(slowest_at.map(|d| d.as_millis()));
        report["reads_during_first_sweep"] = json!(first_reads.len());
        report["failed_reads_during_first_sweep"] = json!(first_failed);
        report["read_during_first_sweep_ms"] = spread3(&mut first_reads);
        report["first_sweeps"] = json!(count0);
        report["steady_sweeps"] = json!(count - count0);
        report["steady_sweep_mean_ms"] = json!(ms((sum - sum0) / (count - count0).max(1.0)));
        let mut steps = serde_json::Map::new();
        for step in
            ["surveys_after_meetings", "timed_surveys", "survey_reminders", "risk_checks", "digests", "statistics"]
        {
            let label = format!("{{step=\"{step}\"}}");
            let sum = metric(&last, &format!("kindred_sweep_step_seconds_sum{label}")).unwrap_or(0.0);
            steps.insert(step.into(), json!(ms(sum / count.max(1.0))));
        }
        report["step_mean_ms_all_sweeps"] = Value::Object(steps);
    }
    Ok(report)
}

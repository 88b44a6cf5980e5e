//! Kindred's SFU through its room protocol (docs/protocol.md, "Group event rooms"): the people
//! and their API tokens are made in the database before the server starts (`setup`); the
//! coordinator creates the event over HTTP and hosts it; everyone is on their own WebSocket.
//!
//! - The host (the program's coordinator, who created the event) joins and sends `room_open`.
//! - The speaker joins, is admitted, sends `room_publish` (offer with `sources`) and applies
//!   `room_publish_answer`.
//! - Every viewer joins and answers each `room_offer` with `room_answer` (the server is ICE-lite:
//!   no candidates are sent either way; our answers carry ours anyway).
//!
//! The host watches too: the SFU offers it the stage like anyone else, so it is the first of the
//! N subscribers (N = the host and N-1 invitees).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::media::{Publisher, Subscriber};

const WAIT: Duration = Duration::from_secs(30);

/// The people `setup` made: `(user id, API token)` each.
#[derive(Serialize, Deserialize)]
pub struct Layout {
    pub program: String,
    pub host: (String, String),
    pub speaker: (String, String),
    pub audience: Vec<(String, String)>,
}

/// The coordinator (host), the speaker and `audience` viewers, members of one program, with API
/// tokens; written to `out`.
pub async fn setup(database_url: &str, audience: usize, out: &str) -> anyhow::Result<()> {
    use kindred::store::{NewUser, ProgramFields, Role, SessionKind, SessionRecord};
    anyhow::ensure!(audience <= 999, "an event invites at most 1000 people");
    let store = kindred::store::open(database_url).await?;
    store.migrate().await?;
    let now = time::OffsetDateTime::now_utc();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut people = Vec::new();
    for i in 0..audience + 2 {
        let user = store
            .create_user(
                NewUser {
                    email: format!("sfu-{i}-{run}@bench.example"),
                    name: format!("SFU bench {i}"),
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
            name: "sfubench".into(),
            csrf_token: String::new(),
            created_at: now,
            last_used_at: now,
            expires_at: None,
        };
        store.create_session(&record, &kindred::domain::accounts::secret_hash(&secret)).await?;
        people.push((user.id, secret));
    }
    // The creator of a program is its coordinator.
    let program = store
        .create_program(
            ProgramFields { name: "SFU bench".into(), description: String::new(), starts_on: None, ends_on: None },
            people[0].0,
            now,
        )
        .await?;
    for (i, (id, _)) in people.iter().enumerate().skip(1) {
        store.add_member(program.id, *id, if i == 1 { Role::Mentor } else { Role::Mentee }, now).await?;
    }
    let mut people = people.into_iter().map(|(id, token)| (id.to_string(), token));
    let layout = Layout {
        program: program.id.to_string(),
        host: people.next().context("host")?,
        speaker: people.next().context("speaker")?,
        audience: people.collect(),
    };
    std::fs::write(out, serde_json::to_string(&layout)?)?;
    eprintln!("# kindred: {} people written to {out}", layout.audience.len() + 2);
    Ok(())
}

/// One person's WebSocket, driven by its own task: it answers `room_offer`s with its subscriber
/// and passes on the frames the orchestration waits for.
struct Person {
    out: mpsc::UnboundedSender<Value>,
    frames: mpsc::UnboundedReceiver<Value>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Person {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Person {
    async fn connect(url: &str, token: &str, event: String, subscriber: Arc<Subscriber>) -> anyhow::Result<Person> {
        let mut request = format!("{}/ws", url.replacen("http", "ws", 1)).into_client_request()?;
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
        let (stream, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
        let (mut write, mut read) = stream.split();
        let (out, mut outgoing) = mpsc::unbounded_channel::<Value>();
        let (frames_tx, frames) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            // `room_state` goes to everyone at every change, O(N) frames per join: pass it on
            // only until this person is admitted to a live room, and skip parsing the rest.
            let mut want_state = true;
            loop {
                tokio::select! {
                    frame = outgoing.recv() => {
                        let Some(frame) = frame else { break };
                        if write.send(Message::text(frame.to_string())).await.is_err() {
                            break;
                        }
                    }
                    msg = read.next() => {
                        let Some(Ok(msg)) = msg else {
                            let _ = frames_tx.send(json!({"type": "bench_closed"}));
                            break;
                        };
                        let Message::Text(text) = msg else { continue };
                        if !want_state && text.as_str().contains(r#""type":"room_state""#) {
                            continue;
                        }
                        let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                        match frame["type"].as_str().unwrap_or_default() {
                            "room_offer" if frame["event"] == event.as_str() => {
                                let sdp = frame["sdp"].as_str().unwrap_or_default();
                                match subscriber.answer(sdp).await {
                                    Ok(answer) => {
                                        let reply = json!({"type": "room_answer", "event": event, "sdp": answer});
                                        if write.send(Message::text(reply.to_string())).await.is_err() {
                                            break;
                                        }
                                        let _ = frames_tx.send(json!({"type": "bench_answered"}));
                                    }
                                    Err(e) => {
                                        let _ = frames_tx.send(json!({"type": "bench_error", "message": format!("{e:#}")}));
                                    }
                                }
                            }
                            "room_state" => {
                                if frame["status"] == "live" && frame["you"]["admitted"] == true {
                                    want_state = false;
                                }
                                let _ = frames_tx.send(frame);
                            }
                            _ => {
                                let _ = frames_tx.send(frame);
                            }
                        }
                    }
                }
            }
        });
        let mut person = Person { out, frames, task };
        person.send(json!({"type": "hello", "v": 1}))?;
        person.wait(|f| f["type"] == "welcome").await?;
        Ok(person)
    }

    fn send(&self, frame: Value) -> anyhow::Result<()> {
        self.out.send(frame).ok().context("the socket closed")
    }

    /// The first frame that matches; refusals and failures end the run.
    async fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.frames.recv())
                .await
                .context("nothing from the server within 30 s")?
                .context("the socket closed")?;
            match frame["type"].as_str().unwrap_or_default() {
                "error" | "room_error" | "bench_error" | "bench_closed" | "room_left" => bail!("{frame}"),
                _ if pred(&frame) => return Ok(frame),
                _ => {}
            }
        }
    }
}

pub struct Kindred {
    url: String,
    layout: Layout,
    bind_ip: String,
    nack: bool,
    event: String,
    people: Vec<Person>,
    /// The speaker's own subscribe side, if the SFU offers it one (not counted).
    extra: Vec<Arc<Subscriber>>,
}

impl Kindred {
    /// Creates the event: the coordinator hosts, `speaker` speaks, the audience is invited.
    pub async fn create(url: &str, layout: Layout, bind_ip: &str, nack: bool) -> anyhow::Result<Kindred> {
        let http = reqwest::Client::builder().timeout(WAIT).build()?;
        let starts_at = time::OffsetDateTime::now_utc() + time::Duration::minutes(10);
        let input = json!({
            "title": "SFU bench",
            "starts_at": starts_at.format(&time::format_description::well_known::Rfc3339)?,
            "duration_min": 120,
            "capacity": (layout.audience.len() + 1).clamp(2, 1000),
            "audience": "people",
            "invitees": layout.audience.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "speakers": [layout.speaker.0],
        });
        let reply = http
            .post(format!("{url}/api/programs/{}/events", layout.program))
            .bearer_auth(&layout.host.1)
            .json(&input)
            .send()
            .await
            .context("Kindred's HTTP API")?;
        let status = reply.status();
        let body: Value = reply.json().await?;
        if !status.is_success() {
            bail!("creating the event: {status} {body}");
        }
        let event = body["id"].as_str().context("the event's id")?.to_owned();
        Ok(Kindred {
            url: url.to_owned(),
            layout,
            bind_ip: bind_ip.to_owned(),
            nack,
            event,
            people: Vec::new(),
            extra: Vec::new(),
        })
    }

    pub fn capacity(&self) -> usize {
        self.layout.audience.len() + 1
    }

    /// The host opens the room (and watches: `host_view` is the first subscriber); the speaker
    /// publishes.
    pub async fn open_and_publish(&mut self, host_view: Arc<Subscriber>, publisher: &Publisher) -> anyhow::Result<()> {
        let mut host = Person::connect(&self.url, &self.layout.host.1, self.event.clone(), host_view).await?;
        host.send(json!({"type": "room_join", "event": self.event}))?;
        host.wait(|f| f["type"] == "room_state").await?;
        host.send(json!({"type": "room_open", "event": self.event}))?;
        host.wait(|f| f["type"] == "room_state" && f["status"] == "live").await?;

        let own = Arc::new(Subscriber::new(&self.bind_ip, self.nack).await?);
        self.extra.push(own.clone());
        let mut speaker = Person::connect(&self.url, &self.layout.speaker.1, self.event.clone(), own).await?;
        speaker.send(json!({"type": "room_join", "event": self.event}))?;
        speaker.wait(|f| f["type"] == "room_state" && f["you"]["admitted"] == true).await?;
        let (offer, mids) = publisher.offer().await?;
        let sources: serde_json::Map<String, Value> = mids
            .into_iter()
            .map(|(mid, kind)| (mid, json!(if kind == "video" { "camera" } else { "microphone" })))
            .collect();
        speaker.send(json!({"type": "room_publish", "event": self.event, "sdp": offer, "sources": sources}))?;
        let answer = speaker.wait(|f| f["type"] == "room_publish_answer").await?;
        publisher.accept(answer["sdp"].as_str().context("no sdp in room_publish_answer")?).await?;
        self.people.push(host);
        self.people.push(speaker);
        Ok(())
    }

    /// Invitee `i` joins and answers the SFU's offers with `subscriber`.
    pub async fn subscribe(&self, i: usize, subscriber: Arc<Subscriber>) -> anyhow::Result<KindredViewer> {
        let (_, token) = self.layout.audience.get(i).context("not that many invitees (run setup with more)")?;
        let mut person = Person::connect(&self.url, token, self.event.clone(), subscriber).await?;
        person.send(json!({"type": "room_join", "event": self.event}))?;
        person.wait(|f| f["type"] == "bench_answered").await?;
        Ok(KindredViewer { _person: person })
    }
}

/// Keeps a viewer's socket (and so its place in the room) open.
pub struct KindredViewer {
    _person: Person,
}

//! Janus's VideoRoom plugin through Janus's HTTP JSON API: one session holds every handle (the
//! publisher's and one per subscriber); a long-poll loop delivers the asynchronous events; a
//! keepalive every 20 s keeps the session. Optional: the admin API's `handle_info`, for Janus's
//! own packet counts.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::media::{Publisher, Subscriber};

const EVENT_WAIT: Duration = Duration::from_secs(30);

/// Janus's notices that no request asked for, counted.
#[derive(Default)]
pub struct Notices {
    pub webrtcup: AtomicU64,
    /// The handles whose peer connection Janus has up (DTLS done).
    up: Mutex<HashSet<u64>>,
    pub hangup: AtomicU64,
    /// `slowlink`: Janus saw losses (or NACKs) on a peer connection.
    pub slowlink: AtomicU64,
    pub media: AtomicU64,
}

pub struct Janus {
    http: reqwest::Client,
    url: String,
    admin: Option<(String, String)>,
    session: u64,
    next: AtomicU64,
    waiters: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
    pub notices: Arc<Notices>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Janus {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn janus_error(reply: &Value) -> Option<String> {
    if reply["janus"] == "error" {
        return Some(reply["error"].to_string());
    }
    let data = &reply["plugindata"]["data"];
    data.get("error").map(|e| format!("{} ({})", e, data["error_code"]))
}

impl Janus {
    /// `url` is the API's base (`http://127.0.0.1:8088/janus`); `admin` the admin API's base
    /// and secret.
    pub async fn connect(url: &str, admin: Option<(String, String)>) -> anyhow::Result<Janus> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let created: Value = http
            .post(url)
            .json(&json!({"janus": "create", "transaction": "create"}))
            .send()
            .await
            .context("Janus's HTTP API")?
            .json()
            .await?;
        let session = created["data"]["id"].as_u64().with_context(|| format!("no session: {created}"))?;
        let waiters: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>> = Arc::default();
        let notices: Arc<Notices> = Arc::default();
        let mut tasks = Vec::new();
        // The long poll: events for every handle of the session.
        let (poll_http, poll_url, poll_waiters, poll_notices) =
            (http.clone(), format!("{url}/{session}?maxev=50"), waiters.clone(), notices.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let reply = match poll_http.get(&poll_url).send().await {
                    Ok(r) => r.json::<Value>().await,
                    Err(e) => Err(e),
                };
                let events = match reply {
                    Ok(Value::Array(events)) => events,
                    Ok(one) => vec![one],
                    Err(e) => {
                        eprintln!("# janus: long poll failed: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                for event in events {
                    match event["janus"].as_str().unwrap_or_default() {
                        "webrtcup" => {
                            poll_notices.webrtcup.fetch_add(1, Relaxed);
                            if let Some(handle) = event["sender"].as_u64() {
                                poll_notices.up.lock().unwrap().insert(handle);
                            }
                        }
                        "hangup" => _ = poll_notices.hangup.fetch_add(1, Relaxed),
                        "slowlink" => _ = poll_notices.slowlink.fetch_add(1, Relaxed),
                        "media" => _ = poll_notices.media.fetch_add(1, Relaxed),
                        _ => {}
                    }
                    if let Some(t) = event["transaction"].as_str()
                        && event["janus"] != "ack"
                        && let Some(waiter) = poll_waiters.lock().unwrap().remove(t)
                    {
                        let _ = waiter.send(event);
                    }
                }
            }
        }));
        let (keep_http, keep_url) = (http.clone(), format!("{url}/{session}"));
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(20));
            loop {
                tick.tick().await;
                let _ = keep_http
                    .post(&keep_url)
                    .json(&json!({"janus": "keepalive", "transaction": "keepalive"}))
                    .send()
                    .await;
            }
        }));
        Ok(Janus { http, url: url.to_owned(), admin, session, next: AtomicU64::new(1), waiters, notices, tasks })
    }

    fn transaction(&self) -> String {
        format!("t{}", self.next.fetch_add(1, Relaxed))
    }

    async fn post(&self, path: &str, mut body: Value) -> anyhow::Result<(String, Value)> {
        let transaction = self.transaction();
        body["transaction"] = json!(transaction);
        let reply: Value = self.http.post(format!("{}{path}", self.url)).json(&body).send().await?.json().await?;
        if let Some(e) = janus_error(&reply) {
            bail!("Janus refused {body}: {e}");
        }
        Ok((transaction, reply))
    }

    pub async fn attach(&self) -> anyhow::Result<u64> {
        let (_, reply) = self
            .post(&format!("/{}", self.session), json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}))
            .await?;
        reply["data"]["id"].as_u64().with_context(|| format!("no handle: {reply}"))
    }

    /// A plugin message: the synchronous reply, or (after an `ack`) the event it led to.
    async fn message(&self, handle: u64, body: Value, jsep: Option<Value>) -> anyhow::Result<Value> {
        let transaction = self.transaction();
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().unwrap().insert(transaction.clone(), tx);
        let mut request = json!({"janus": "message", "transaction": transaction, "body": body});
        if let Some(jsep) = jsep {
            request["jsep"] = jsep;
        }
        let sent = self.http.post(format!("{}/{}/{handle}", self.url, self.session)).json(&request).send().await;
        let reply: Value = match sent {
            Ok(r) => r.json().await?,
            Err(e) => {
                self.waiters.lock().unwrap().remove(&transaction);
                return Err(e.into());
            }
        };
        let event = if reply["janus"] == "ack" {
            tokio::time::timeout(EVENT_WAIT, rx)
                .await
                .with_context(|| format!("no event for {}", request["body"]))?
                .context("the long poll ended")?
        } else {
            self.waiters.lock().unwrap().remove(&transaction);
            reply
        };
        if let Some(e) = janus_error(&event) {
            bail!("Janus refused {}: {e}", request["body"]);
        }
        Ok(event)
    }

    async fn trickle_done(&self, handle: u64) -> anyhow::Result<()> {
        self.post(
            &format!("/{}/{handle}", self.session),
            json!({"janus": "trickle", "candidate": {"completed": true}}),
        )
        .await?;
        Ok(())
    }

    /// A room for one publisher: Opus and VP8, audio level on, no periodic FIR, no bitrate cap,
    /// none of the optional extensions the publisher would not send anyway.
    pub async fn create_room(&self, handle: u64, room: u64) -> anyhow::Result<()> {
        let body = json!({
            "request": "create", "room": room, "publishers": 1, "bitrate": 0, "fir_freq": 0,
            "audiocodec": "opus", "videocodec": "vp8", "audiolevel_ext": true, "videoorient_ext": false,
            "playoutdelay_ext": false, "transport_wide_cc_ext": false,
        });
        let reply = self.message(handle, body, None).await?;
        anyhow::ensure!(reply["plugindata"]["data"]["videoroom"] == "created", "room not created: {reply}");
        Ok(())
    }

    /// Joins `room` as its publisher and publishes; returns the feed id.
    pub async fn publish(&self, handle: u64, room: u64, publisher: &Publisher) -> anyhow::Result<u64> {
        let joined = self
            .message(handle, json!({"request": "join", "ptype": "publisher", "room": room, "display": "speaker"}), None)
            .await?;
        let feed = joined["plugindata"]["data"]["id"].as_u64().with_context(|| format!("not joined: {joined}"))?;
        let (offer, _) = publisher.offer().await?;
        let configured =
            self.message(handle, json!({"request": "publish"}), Some(json!({"type": "offer", "sdp": offer}))).await?;
        let answer = configured["jsep"]["sdp"].as_str().with_context(|| format!("no answer: {configured}"))?;
        publisher.accept(answer).await?;
        self.trickle_done(handle).await?;
        Ok(feed)
    }

    /// Waits for Janus's `webrtcup` on `handle`: its side of the peer connection is up (a feed
    /// cannot be subscribed to before).
    pub async fn wait_up(&self, handle: u64, within: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        while !self.notices.up.lock().unwrap().contains(&handle) {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "Janus did not report webrtcup within {within:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Subscribes a new handle to `feed`: Janus offers, the subscriber answers, `start`.
    pub async fn subscribe(&self, room: u64, feed: u64, subscriber: &Subscriber) -> anyhow::Result<u64> {
        let handle = self.attach().await?;
        let attached = self
            .message(
                handle,
                json!({"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}),
                None,
            )
            .await?;
        let offer = attached["jsep"]["sdp"].as_str().with_context(|| format!("no offer: {attached}"))?;
        let answer = subscriber.answer(offer).await?;
        self.message(handle, json!({"request": "start"}), Some(json!({"type": "answer", "sdp": answer}))).await?;
        self.trickle_done(handle).await?;
        Ok(handle)
    }

    /// The admin API's `handle_info` (`None` without the admin API).
    pub async fn handle_info(&self, handle: u64) -> anyhow::Result<Option<Value>> {
        let Some((admin, secret)) = &self.admin else { return Ok(None) };
        let body = json!({"janus": "handle_info", "transaction": self.transaction(), "admin_secret": secret});
        let reply: Value =
            self.http.post(format!("{admin}/{}/{handle}", self.session)).json(&body).send().await?.json().await?;
        if reply["janus"] != "success" {
            bail!("handle_info refused: {reply}");
        }
        Ok(Some(reply["info"].clone()))
    }
}

/// Sums `packets` over the media of a `handle_info` answer (`webrtc.media.<mid>.stats.<which>`),
/// `which` being "in" or "out".
pub fn packets(info: &Value, which: &str) -> u64 {
    let Some(media) = info["webrtc"]["media"].as_object() else { return 0 };
    media.values().map(|m| m["stats"][which]["packets"].as_u64().unwrap_or(0)).sum()
}

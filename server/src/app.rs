//! Building and running the service: open the store, migrate, bind, assemble the router with its
//! middleware, and serve until the shutdown token fires. `main` and the tests both come through
//! here, so tests exercise exactly what production runs.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::serve::ListenerExt;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use uuid::Uuid;

use crate::bus::{self, BusConfig};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::Core;
use crate::domain::accounts::{AttemptLimiter, SignInLimits};
use crate::domain::notify::Notifier;
use crate::gateway::{Gateway, Limits};
use crate::mail::Mailer;
use crate::state::AppState;
use crate::store;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The Content-Security-Policy of every response: only our own scripts, styles and connections.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The process-wide Prometheus recorder; installed once even when tests start many servers.
fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|_| handle)
        })
        .clone()
}

/// A built, bound, migrated service, ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Cancelled when this node stops: the listener, the WebSockets and the bus tasks follow it.
    node: CancellationToken,
}

impl Application {
    /// Opens the store, applies migrations and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = open_store(&config).await?;
        let listener =
            TcpListener::bind(config.bind).await.with_context(|| format!("could not bind {}", config.bind))?;
        let local = listener.local_addr()?;
        let sfu = config.sfu;
        let (state, node) = assemble(config, store, local, sfu).await?;
        Ok(Self { listener, state, node })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The state handlers see; tests use it to move the clock.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` is cancelled: then stops accepting, lets HTTP requests and
    /// WebSocket writes in flight finish, closes every WebSocket with the restarting code, and
    /// returns once they are closed.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let node = self.node.clone();
        tokio::spawn({
            let node = node.clone();
            async move {
                shutdown.cancelled().await;
                node.cancel();
            }
        });
        let gateway = self.state.gateway.clone();
        let tasks = self.state.tasks.clone();
        if self.state.config.worker {
            let poll = Duration::from_millis(self.state.config.worker_poll_ms.max(10));
            let state = self.state.clone();
            state.tasks.spawn(crate::domain::jobs::run(state.core.clone(), state.work.clone(), poll, node.clone()));
        }
        let app = router(self.state);
        // Small frames (chat, signaling) go out at once instead of waiting on Nagle's algorithm
        // for the peer's delayed ACK (up to 40 ms on Linux).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(node.clone().cancelled_owned())
            .await;
        node.cancel();
        gateway.drain(Duration::from_secs(15)).await;
        stop_background(&tasks, &gateway).await;
        served?;
        Ok(())
    }
}

/// Waits (bounded) for the node's background tasks and its SFU engine, after its token fired.
async fn stop_background(tasks: &TaskTracker, gateway: &Gateway) {
    tasks.close();
    if tokio::time::timeout(Duration::from_secs(10), tasks.wait()).await.is_err() {
        tracing::warn!(left = tasks.len(), "background tasks still running at shutdown");
    }
    gateway.stop_rooms(Duration::from_secs(5)).await;
}

/// The state every part of a node shares: store, bus, gateway, mailer, limits. `local` is the
/// address links default to when no public URL is configured.
async fn assemble(
    config: Config,
    store: Arc<dyn store::Store>,
    local: SocketAddr,
    with_sfu: bool,
) -> anyhow::Result<(AppState, CancellationToken)> {
    let public_url: Arc<str> =
        config.public_url.clone().unwrap_or_else(|| format!("http://{local}")).trim_end_matches('/').into();
    let node = CancellationToken::new();
    let node_id = Uuid::new_v4();
    let bus_config = BusConfig {
        redis_url: config.redis_url.as_ref().map(|u| u.expose().to_owned()),
        prefix: config.redis_prefix.clone(),
        node_id,
    };
    let tasks = TaskTracker::new();
    let (bus, events) = bus::open(bus_config, node.clone(), &tasks).await.context("could not connect to Redis")?;
    let limits = Limits {
        queue_frames: config.ws_queue_frames,
        send_rate_per_sec: config.ws_send_rate_per_sec,
        send_burst: config.ws_send_burst,
        heartbeat: Duration::from_secs(config.ws_heartbeat_secs),
        idle_timeout: Duration::from_secs(config.ws_idle_timeout_secs),
        presence_grace: Duration::from_millis(config.presence_grace_ms),
    };
    let clock = Clock::default();
    let notify = Notifier::new(bus.clone(), store.clone(), crate::gateway::protocol::encode_notice);
    let window = Duration::from_secs(config.login_window_secs);
    let config_limits = (config.login_attempts_per_account, config.login_attempts_per_address);
    let with_sfu = with_sfu.then(|| crate::live::Live::start(&config, clock.clone(), node.clone())).transpose()?;
    let core = Core {
        mailer: Mailer::new(&config, store.clone())?,
        config: Arc::new(config),
        public_url,
        store,
        clock,
        bus,
        notify,
        sign_in: Arc::new(SignInLimits {
            by_account: AttemptLimiter::new(config_limits.0, window),
            by_address: AttemptLimiter::new(config_limits.1, window),
        }),
        work: Arc::new(tokio::sync::Notify::new()),
        sweeps: Arc::default(),
        tasks,
    };
    let gateway = Gateway::new(core.clone(), limits, node.clone(), node_id);
    core.tasks.spawn(gateway.clone().deliver(events));
    if let Some((live, outputs)) = with_sfu {
        gateway.host_rooms(live, outputs, &core.tasks).await;
    }
    core.tasks.spawn(crate::domain::calls::tick(core.clone(), node.clone()));
    let state = AppState { core, metrics: metrics_handle(), gateway };
    Ok((state, node))
}

/// Runs only the matching worker (`kindred worker`): no listener, until `shutdown`.
pub async fn run_worker(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    // Links in emails point at the configured public URL, or the address nodes serve on.
    let bind = config.bind;
    let (state, node) = assemble(config, store, bind, false).await?;
    let poll = Duration::from_millis(state.config.worker_poll_ms.max(10));
    crate::domain::jobs::run(state.core.clone(), state.work.clone(), poll, shutdown).await;
    node.cancel();
    stop_background(&state.tasks, &state.gateway).await;
    Ok(())
}

/// Runs only an SFU (`kindred sfu`): it hosts the live rooms the bus places on it, for people
/// connected to any `kindred serve` node, until `shutdown`. Needs Redis (the rooms' frames travel
/// over it) and the shared database (attendance).
pub async fn run_sfu(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.redis_url.is_some(),
        "kindred sfu takes rooms from other nodes over Redis: set redis_url (KINDRED_REDIS_URL)"
    );
    let store = open_store(&config).await?;
    let bind = config.bind;
    let (state, node) = assemble(config, store, bind, true).await?;
    tracing::info!(node = %state.gateway.node_id, "sfu node ready");
    shutdown.cancelled().await;
    node.cancel();
    stop_background(&state.tasks, &state.gateway).await;
    Ok(())
}

/// Opens the configured store and applies its migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn store::Store>> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("could not create the data directory {}", config.data_dir.display()))?;
    }
    let store = store::open(config.database_url().expose())
        .await
        .with_context(|| format!("could not open the database ({})", config.data_location()))?;
    store.migrate().await.context("could not apply migrations")?;
    Ok(store)
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .merge(crate::api::router())
        .route("/ws", axum::routing::get(crate::gateway::upgrade))
        .fallback(crate::web::serve)
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(max_body, refuse_oversized))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(header(
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
        ))
        .layer(CatchPanicLayer::custom(|_| {
            let body = r#"{"error":{"code":"internal","message":"internal error"}}"#;
            Response::builder()
                .status(500)
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(body))
                .expect("static response")
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Bodies up to this size are read and dropped before a `413`, so the client finishes sending
/// and reads the answer; larger ones get it at once and the connection closes.
const DRAIN_OVERSIZED: u64 = 16 * 1024 * 1024;

/// Answers a request whose declared body is over the limit with the JSON `413` (before any
/// handler runs). The body is read and dropped first (bounded in size and time): closing while a
/// client is still uploading makes it see a reset connection instead of the error.
async fn refuse_oversized(State(max_body): State<usize>, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > max_body as u64 => {
            if n <= DRAIN_OVERSIZED {
                use futures_util::StreamExt;
                let mut body = req.into_body().into_data_stream();
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                    while let Some(Ok(_)) = body.next().await {}
                })
                .await;
            }
            axum::response::IntoResponse::into_response(crate::api::error::ApiError::PayloadTooLarge)
        }
        _ => next.run(req).await,
    }
}

/// Counts requests and their latency per route template (low cardinality: never the raw path).
async fn record_metrics(State(_state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "other".to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("kindred_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("kindred_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

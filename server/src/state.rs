//! Shared application state: cheap handles, cloned into every request.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use time::OffsetDateTime;

use crate::auth::AttemptLimiter;
use crate::config::Config;
use crate::gateway::Gateway;
use crate::mail::Mailer;
use crate::store::Store;

/// The time as Kindred sees it: the wall clock plus an offset that tests move forward to make
/// links expire or pairs go quiet without sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every handle cloned from it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppState {
    /// Resolved configuration.
    pub config: Arc<Config>,
    /// The base URL links in emails point at (no trailing slash).
    pub public_url: Arc<str>,
    /// Persistence (PostgreSQL or SQLite).
    pub store: Arc<dyn Store>,
    /// Outgoing mail: SMTP when configured, the outbox otherwise.
    pub mailer: Mailer,
    /// Sign-in attempts per account (lower-cased email).
    pub login_by_account: Arc<AttemptLimiter>,
    /// Sign-in attempts per client address.
    pub login_by_address: Arc<AttemptLimiter>,
    /// Renders `/metrics`.
    pub metrics: Option<PrometheusHandle>,
    /// The time.
    pub clock: Clock,
    /// Live connections of this node and the bus to the others.
    pub gateway: Arc<Gateway>,
    /// Wakes this node's matching worker when a handler queued a job.
    pub work: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Whether cookies should carry `Secure`: only when people reach us over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

//! The domain: one module per capability, each owning its rules, its transactions and its errors.
//! Shells (`api`, `gateway`, `live`) parse what arrives, call these, and shape the answer; these
//! call the seams (`store`, `bus`, `mail`, `clock`) and the pure crates, never a shell. Two
//! modules are shared by every capability: [`access`] answers every "may X do Y to Z" and "may A
//! reach B" question, and [`notify`] is the one way to tell people something live.
//! See `docs/architecture.md` for the rule table and how a capability is added.

pub mod access;
pub mod accounts;
pub mod calendar;
pub mod calls;
pub mod channels;
pub mod chat;
pub mod events;
pub mod jobs;
pub mod matching;
pub mod meetings;
pub mod notify;
pub mod program_data;
pub mod programs;
pub mod safety;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::bus::Bus;
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mailer;
use crate::store::{Store, StoreError};

/// The handles every capability works with: cheap to clone, one per node. The shells hold one
/// (the HTTP state dereferences to it) and pass it to the domain's functions.
#[derive(Clone)]
pub struct Core {
    /// Resolved configuration.
    pub config: Arc<Config>,
    /// The base URL links in emails point at (no trailing slash).
    pub public_url: Arc<str>,
    /// Persistence (PostgreSQL or SQLite).
    pub store: Arc<dyn Store>,
    /// Outgoing mail: SMTP when configured, the outbox otherwise.
    pub mailer: Mailer,
    /// The time.
    pub clock: Clock,
    /// Fan-out to every node and presence (in-process or Redis).
    pub bus: Arc<dyn Bus>,
    /// The one way to tell people something live.
    pub notify: notify::Notifier,
    /// Failed sign-in attempts, per account and per client address.
    pub sign_in: Arc<accounts::SignInLimits>,
    /// Wakes this node's job runner when something was queued.
    pub work: Arc<tokio::sync::Notify>,
    /// Program-data sweeps this node has finished: what a test waits on to know a sweep ran.
    pub sweeps: Arc<std::sync::atomic::AtomicU64>,
    /// This node's background tasks (bus delivery, call ticks, the job runner, mail sent after
    /// answering): tracked so that shutdown waits for them.
    pub tasks: tokio_util::task::TaskTracker,
}

/// Why a domain operation was refused or failed. Every capability speaks this one vocabulary:
/// the shells map it to an HTTP status and JSON body, or to a protocol error frame. One enum
/// rather than one per capability because the outcomes a caller must tell apart are the same
/// everywhere (see `docs/architecture.md`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or the caller may not know it does.
    #[error("not found")]
    NotFound,
    /// The caller knows it exists but may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The current state does not allow it (already answered, not active, full…).
    #[error("{0}")]
    Conflict(String),
    /// It existed and is no longer usable (an expired link).
    #[error("{0}")]
    Gone(String),
    /// The request does not make sense as sent (a link that is not one of ours).
    #[error("{0}")]
    Malformed(String),
    /// Wrong email or password (never saying which).
    #[error("wrong email or password")]
    WrongCredentials,
    /// Too many failed attempts for this account or address; wait and retry.
    #[error("too many attempts; wait a few minutes and try again")]
    TooManyAttempts,
    /// Input that breaks a rule; `fields` names every failing field.
    #[error("{message}")]
    Invalid { message: String, fields: BTreeMap<String, String> },
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else unexpected; the cause is logged by the shell, never shown.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// One field is wrong.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), message.into());
        Error::fields(fields)
    }

    /// Several fields are wrong; the message lists them all.
    pub fn fields(fields: BTreeMap<String, String>) -> Self {
        let message = fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
        Error::Invalid { message, fields }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Error::Internal(e.into())
    }
}

/// Collects field problems so one answer names every failing field.
#[derive(Default)]
pub struct Problems(BTreeMap<String, String>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// Keeps a checked value, or records its field errors and gives the default (the caller
    /// returns [`Problems::into_result`] before using it); any other error is returned.
    pub fn take<T: Default>(&mut self, result: Result<T>) -> Result<T> {
        match result {
            Ok(v) => Ok(v),
            Err(Error::Invalid { fields, .. }) => {
                for (f, m) in fields {
                    self.add(&f, m);
                }
                Ok(T::default())
            }
            Err(e) => Err(e),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::fields(self.0)) }
    }
}

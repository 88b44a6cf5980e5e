//! Typed configuration: built-in defaults, then an optional `kindred.toml`, then `KINDRED_*`
//! environment variables, then command-line flags (flags win). Secrets are wrapped in [`Secret`] so
//! that neither `Debug` output nor logs can print them.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A string that must never be shown: database URLs carry passwords, SMTP URLs carry credentials.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call sites are few and easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Everything a `kindred` process needs to know, resolved once at start-up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP and WebSocket server binds.
    pub bind: SocketAddr,
    /// Directory for the embedded SQLite database (when no `database_url` is given).
    pub data_dir: PathBuf,
    /// `sqlite:` or `postgres://` URL; defaults to an SQLite file in `data_dir`.
    pub database_url: Option<Secret>,
    /// `redis://` URL; when set, presence and fan-out go through Redis pub/sub.
    pub redis_url: Option<Secret>,
    /// Base URL people reach this service at; used for links in emails and the `Origin` check.
    /// Defaults to `http://<bind address>`.
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:port` (or `smtps://`); without it, mail goes to the outbox and the log.
    pub smtp_url: Option<Secret>,
    /// `From:` address of outgoing mail.
    pub mail_from: String,
    /// How long a browser session lives without use, in hours.
    pub session_ttl_hours: u64,
    /// How long an invitation link stays valid, in hours.
    pub invitation_ttl_hours: u64,
    /// How long a password-reset link stays valid, in minutes.
    pub reset_ttl_minutes: u64,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Sign-in attempts allowed per account in one window.
    pub login_attempts_per_account: u32,
    /// Sign-in attempts allowed per client address in one window.
    pub login_attempts_per_address: u32,
    /// Length of the sign-in rate-limit window, in seconds.
    pub login_window_secs: u64,
    /// Call check-in ratings reach coordinators only as program totals, and only once at least
    /// this many different people have rated calls (at least 2).
    pub checkin_totals_min_people: u32,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Behind a reverse proxy that sets `X-Forwarded-For`: use it for per-address limits.
    /// Only enable when every request comes through such a proxy (clients could forge it).
    pub trust_forwarded_for: bool,
    /// Prefix of every Redis key and pub/sub channel (lets deployments share one Redis).
    pub redis_prefix: String,
    /// Frames queued per WebSocket before the client is closed as too slow.
    pub ws_queue_frames: usize,
    /// Messages one person may send per second on average…
    pub ws_send_rate_per_sec: f64,
    /// …and in a burst.
    pub ws_send_burst: f64,
    /// Server ping interval, in seconds.
    pub ws_heartbeat_secs: u64,
    /// A WebSocket silent this long (no frames, no pongs) is closed, in seconds.
    pub ws_idle_timeout_secs: u64,
    /// How long someone stays online after their last connection closes, in milliseconds.
    pub presence_grace_ms: u64,
    /// Whether `kindred serve` runs the matching worker too (turn off when workers run apart).
    pub worker: bool,
    /// How often the worker looks for jobs queued by other nodes, in milliseconds.
    pub worker_poll_ms: u64,
    /// How often the worker runs program-data checks (surveys due, reminders, pairs at risk,
    /// digests of unread messages), in milliseconds.
    pub sweep_ms: u64,
    /// STUN servers handed to browsers for calls (`stun:host:port`).
    pub stun_urls: Vec<String>,
    /// TURN servers (`turn:host:3478?transport=udp`, `turns:…`), used with `turn_secret`.
    pub turn_urls: Vec<String>,
    /// coturn's `static-auth-secret`: short-lived TURN credentials are an HMAC with it.
    pub turn_secret: Option<Secret>,
    /// How long TURN credentials stay valid, in seconds.
    pub turn_ttl_secs: u64,
    /// Run the group-event SFU in this process (`kindred serve`; `kindred sfu` always does).
    pub sfu: bool,
    /// The SFU's one UDP port, on every address in `sfu_ips`. 0 picks a free port at start; set a
    /// fixed one (e.g. 7882) for a firewall rule.
    pub sfu_udp_port: u16,
    /// Addresses the SFU binds and announces to browsers; empty: loopback and the address of the
    /// default route. Behind NAT, set `sfu_public_ip` too.
    pub sfu_ips: Vec<std::net::IpAddr>,
    /// The public address to announce instead of the first non-loopback one (1:1 NAT).
    pub sfu_public_ip: Option<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            public_url: None,
            smtp_url: None,
            mail_from: "Kindred <kindred@localhost>".to_owned(),
            session_ttl_hours: 24 * 30,
            invitation_ttl_hours: 24 * 14,
            reset_ttl_minutes: 60,
            max_body_bytes: 1024 * 1024,
            login_attempts_per_account: 5,
            login_attempts_per_address: 30,
            login_window_secs: 15 * 60,
            checkin_totals_min_people: 5,
            log_format: "text".to_owned(),
            trust_forwarded_for: false,
            redis_prefix: "kindred:".to_owned(),
            ws_queue_frames: 1024,
            ws_send_rate_per_sec: 10.0,
            ws_send_burst: 30.0,
            ws_heartbeat_secs: 20,
            ws_idle_timeout_secs: 60,
            presence_grace_ms: 4000,
            worker: true,
            worker_poll_ms: 1000,
            sweep_ms: 60_000,
            stun_urls: Vec::new(),
            turn_urls: Vec::new(),
            turn_secret: None,
            turn_ttl_secs: 3600,
            sfu: true,
            sfu_udp_port: 0,
            sfu_ips: Vec::new(),
            sfu_public_ip: None,
        }
    }
}

/// Values given on the command line; only the ones that were set override the other layers.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Layers defaults, the TOML file (when it exists), `KINDRED_*` variables and flags.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, ConfigError> {
        // The default file is optional; one named explicitly must exist.
        if let Some(path) = file
            && !path.exists()
        {
            return Err(ConfigError(format!("configuration file {} does not exist", path.display())));
        }
        let file = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("kindred.toml"));
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("KINDRED_"))
            .merge(Serialized::globals(overrides))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ConfigError("database_url must start with sqlite: or postgres://".into()));
            }
        }
        if let Some(url) = &self.redis_url
            && !url.expose().starts_with("redis://")
        {
            return Err(ConfigError(
                "redis_url must start with redis:// (TLS to Redis is not supported; keep Redis on a private network)"
                    .into(),
            ));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError("public_url must start with http:// or https://".into()));
        }
        if self.ws_queue_frames == 0 || self.ws_send_rate_per_sec <= 0.0 || self.ws_send_burst < 1.0 {
            return Err(ConfigError("ws_queue_frames, ws_send_rate_per_sec and ws_send_burst must be positive".into()));
        }
        if self.ws_heartbeat_secs == 0 || self.ws_idle_timeout_secs <= self.ws_heartbeat_secs {
            return Err(ConfigError("ws_idle_timeout_secs must be longer than ws_heartbeat_secs (> 0)".into()));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError("log_format must be text or json".into()));
        }
        if self.checkin_totals_min_people < 2 {
            return Err(ConfigError(
                "checkin_totals_min_people must be at least 2 (one person's rating is theirs)".into(),
            ));
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> Secret {
        match &self.database_url {
            Some(url) => url.clone(),
            None => Secret::new(format!("sqlite://{}?mode=rwc", self.data_dir.join("kindred.db").display())),
        }
    }

    /// A description of where data lives that is safe to print (no credentials).
    pub fn data_location(&self) -> String {
        let url = self.database_url();
        let url = url.expose();
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            format!("SQLite file {path}")
        } else {
            // postgres://user:pass@host:port/db → postgres://host:port/db
            let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
            let host = after_scheme.rsplit_once('@').map(|(_, h)| h).unwrap_or(after_scheme);
            let host = host.split('?').next().unwrap_or(host);
            format!("PostgreSQL at postgres://{host}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug() {
        let config = Config { database_url: Some(Secret::new("postgres://u:hunter2@db/k")), ..Config::default() };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(config.data_location(), "PostgreSQL at postgres://db/k");
    }

    #[test]
    fn flags_override_environment_and_defaults() {
        let overrides = Overrides { bind: Some("127.0.0.1:9999".parse().unwrap()), ..Overrides::default() };
        let config = Config::load(None, overrides).unwrap();
        assert_eq!(config.bind.port(), 9999);
        assert!(config.data_location().starts_with("SQLite file ./data/kindred.db"));
    }

    #[test]
    fn rejects_unknown_database_schemes() {
        let overrides = Overrides { database_url: Some(Secret::new("mysql://x")), ..Overrides::default() };
        assert!(Config::load(None, overrides).is_err());
        assert!(Config::load(Some(Path::new("/nonexistent.toml")), Overrides::default()).is_err());
    }

    #[test]
    fn check_in_totals_need_at_least_two_people() {
        let one = Config { checkin_totals_min_people: 1, ..Config::default() };
        assert!(one.validate().is_err(), "one person's rating would be shown as a total");
        let two = Config { checkin_totals_min_people: 2, ..Config::default() };
        assert!(two.validate().is_ok());
    }
}

//! Outgoing mail. With SMTP configured, messages are sent through it; without, they are written to
//! the log and to the outbox table, which admins read in the web client. Either way a failure to
//! send is logged and never fails the request that caused it.

use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::OffsetDateTime;

use crate::config::Config;
use crate::store::Store;

#[derive(Clone)]
pub struct Mailer {
    store: Arc<dyn Store>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
}

impl Mailer {
    pub fn new(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let smtp = match &config.smtp_url {
            Some(url) => Some(AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())?.build()),
            None => None,
        };
        let from = config.mail_from.parse().ok();
        if smtp.is_some() && from.is_none() {
            anyhow::bail!("mail_from is not a valid address");
        }
        Ok(Self { store, smtp, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str, now: OffsetDateTime) {
        match (&self.smtp, &self.from) {
            (Some(smtp), Some(from)) => {
                let message = to.parse::<Mailbox>().map_err(anyhow::Error::from).and_then(|to| {
                    Message::builder()
                        .from(from.clone())
                        .to(to)
                        .subject(subject)
                        .body(body.to_owned())
                        .map_err(anyhow::Error::from)
                });
                match message {
                    Ok(message) => {
                        if let Err(e) = smtp.send(message).await {
                            tracing::error!(error = %e, "sending mail over SMTP failed");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "could not build mail"),
                }
            }
            _ => {
                tracing::info!(to, subject, body, "mail (no SMTP configured; kept in the outbox)");
                if let Err(e) = self.store.record_mail(to, subject, body, now).await {
                    tracing::error!(error = %e, "could not record mail in the outbox");
                }
            }
        }
    }
}

//! Notifications by email: each person chooses which kinds they get, and every email ends with a
//! link that turns its kind off without signing in. The link carries a token signed with a secret
//! the nodes share (kept in the database) and expires.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::Core;
use crate::domain::accounts::{constant_time_eq, new_secret};
use crate::store::StoreResult;
use crate::vocab::EmailKind;

/// How long an unsubscribe link works.
pub const UNSUBSCRIBE_TTL: time::Duration = time::Duration::days(60);

/// The key unsubscribe links are signed with, the same on every node.
pub async fn signing_key(state: &Core) -> StoreResult<String> {
    state.store.secret("unsubscribe", &new_secret("")).await
}

fn sign(key: &str, payload: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(payload.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// `<user>.<kind>.<expiry unix time>.<signature>`.
pub fn token(key: &str, user: Uuid, kind: EmailKind, expires: OffsetDateTime) -> String {
    let payload = format!("{}.{}.{}", user.simple(), kind.as_str(), expires.unix_timestamp());
    let signature = sign(key, &payload);
    format!("{payload}.{signature}")
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    Forged,
    Expired,
}

/// The person and kind a token turns off, if it is genuine and current.
pub fn verify(key: &str, token: &str, now: OffsetDateTime) -> Result<(Uuid, EmailKind), TokenError> {
    let (payload, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let mut parts = payload.split('.');
    let (Some(user), Some(kind), Some(expires), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let user = Uuid::try_parse(user).map_err(|_| TokenError::Malformed)?;
    let kind = EmailKind::parse(kind).ok_or(TokenError::Malformed)?;
    let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
    if !constant_time_eq(&sign(key, payload), signature) {
        return Err(TokenError::Forged);
    }
    if now.unix_timestamp() > expires {
        return Err(TokenError::Expired);
    }
    Ok((user, kind))
}

/// Emails a person about `kind` if they want it, with the unsubscribe link at the end. Failures
/// are logged (mail never fails the work that caused it).
pub async fn email(state: &Core, user: Uuid, to: &str, kind: EmailKind, subject: &str, body: &str) {
    let now = state.clock.now();
    let prefs = match state.store.notification_prefs(user).await {
        Ok(prefs) => prefs,
        Err(e) => return tracing::warn!(error = %e, "could not read notification settings"),
    };
    if !prefs.enabled(kind) {
        return;
    }
    let key = match signing_key(state).await {
        Ok(key) => key,
        Err(e) => return tracing::warn!(error = %e, "could not read the signing key"),
    };
    let link = format!("{}/unsubscribe?token={}", state.public_url, token(&key, user, kind, now + UNSUBSCRIBE_TTL));
    let body = format!(
        "{body}\n\n--\nYou get this because {} are on in your Kindred settings. Turn them off: {link}\n",
        kind.describe()
    );
    state.mailer.send(to, subject, &body, now).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_refuse_forgery_and_expiry() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let user = Uuid::from_u128(7);
        let t = token("key", user, EmailKind::SurveyInvitations, now + UNSUBSCRIBE_TTL);
        assert_eq!(verify("key", &t, now), Ok((user, EmailKind::SurveyInvitations)));
        assert_eq!(verify("other", &t, now), Err(TokenError::Forged));
        let swapped = t.replace("survey_invitations", "match_proposals");
        assert_eq!(verify("key", &swapped, now), Err(TokenError::Forged));
        assert_eq!(verify("key", &t, now + UNSUBSCRIBE_TTL + time::Duration::seconds(1)), Err(TokenError::Expired));
        assert_eq!(verify("key", "nonsense", now), Err(TokenError::Malformed));
        assert_eq!(verify("key", "a.b.c.d.e", now), Err(TokenError::Malformed));
    }
}

//! Credentials: argon2id password hashes, random secrets for sessions, tokens and one-time links
//! (only their SHA-256 is stored, so a leaked database holds no usable secret), and a small
//! sliding-window limiter for sign-in attempts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longer inputs are refused before hashing, so no one can make the server hash megabytes.
pub const MAX_PASSWORD_LEN: usize = 256;

/// Hashes a password with argon2id and a fresh salt. CPU-heavy: call from a blocking task.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("argon2 with default parameters cannot fail on a bounded password")
}

/// Checks a password against a stored PHC string. CPU-heavy: call from a blocking task.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// Hashes on the blocking pool so a sign-in burst does not stall the async workers.
pub async fn hash_password_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("password hashing task panicked")
}

pub async fn verify_password_async(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// A hash to verify against when an account does not exist, so that timing does not reveal which
/// emails have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kindred-dummy-password-for-timing"))
}

/// 32 random bytes, URL-safe base64 without padding, with a short prefix saying what it is.
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in constant time (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Counts failed attempts per key within a sliding window; a key with `limit` failures in the
/// window is refused until the oldest ages out. Successful attempts do not count. In memory, per node: with several nodes each
/// one enforces the limit on the requests it sees, which still bounds guessing to nodes × limit.
pub struct AttemptLimiter {
    window: Duration,
    limit: u32,
    attempts: Mutex<HashMap<String, Vec<Instant>>>,
}

impl AttemptLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { window, limit, attempts: Mutex::new(HashMap::new()) }
    }

    /// Whether `key` has used up its failures in the current window.
    pub fn is_blocked(&self, key: &str) -> bool {
        let now = Instant::now();
        let attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        attempts
            .get(key)
            .is_some_and(|v| v.iter().filter(|t| now.duration_since(**t) < self.window).count() >= self.limit as usize)
    }

    /// Counts one failed attempt against `key`.
    pub fn record_failure(&self, key: &str) {
        let now = Instant::now();
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        // Keep the map bounded: forget keys whose attempts have all aged out.
        if attempts.len() > 10_000 {
            attempts.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let entry = attempts.entry(key.to_owned()).or_default();
        entry.retain(|t| now.duration_since(*t) < self.window);
        entry.push(now);
    }

    /// A successful sign-in clears the account's count.
    pub fn reset(&self, key: &str) {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

// --- password resets and signing out (the rules; the HTTP shell sets and clears cookies) ---

/// Creates a single-use link that sets the password of `user`.
pub async fn issue_reset_link(core: &super::Core, user: &crate::store::User) -> super::Result<String> {
    let now = core.clock.now();
    let token = new_secret("kr_");
    let expires = now + time::Duration::minutes(core.config.reset_ttl_minutes as i64);
    core.store.create_password_reset(user.id, &secret_hash(&token), expires, now).await?;
    Ok(format!("{}/reset-password/{token}", core.public_url))
}

/// Emails a reset link to the account with this address, if there is one. Says nothing about
/// whether there is: the caller answers the same either way.
pub async fn send_reset_link(core: &super::Core, email: &str) -> super::Result<()> {
    let Some((user, _)) = core.store.find_user_by_email(email).await? else {
        return Ok(());
    };
    let link = issue_reset_link(core, &user).await?;
    let body = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Kindred account. To choose a new password, open this link within {} minutes:\n\n{link}\n\nIf it was not you, ignore this email; your password stays the same.\n",
        user.name, core.config.reset_ttl_minutes
    );
    core.mailer.send(&user.email, "Reset your Kindred password", &body, core.clock.now()).await;
    Ok(())
}

/// Sets a new password with a reset link's token; every session of the account ends.
pub async fn reset_password(core: &super::Core, token: &str, password: String) -> super::Result<()> {
    super::validate::password("password", &password)?;
    if token.len() > 200 {
        return Err(super::Error::NotFound);
    }
    let hash = hash_password_async(password).await;
    let user = core.store.consume_password_reset(&secret_hash(token), &hash, core.clock.now()).await?;
    core.notify.revoke(user, None).await;
    Ok(())
}

/// Ends one session (or API token) and closes its live connections.
pub async fn sign_out(core: &super::Core, user: uuid::Uuid, session: uuid::Uuid) -> super::Result<()> {
    core.store.delete_session(session).await?;
    core.notify.revoke(user, Some(session)).await;
    Ok(())
}

/// Ends every session and API token of a person; returns how many there were.
pub async fn sign_out_everywhere(core: &super::Core, user: uuid::Uuid) -> super::Result<u64> {
    let n = core.store.delete_user_sessions(user).await?;
    core.notify.revoke(user, None).await;
    Ok(n)
}

// --- signing in, sessions and invitations ---

/// Failed sign-in attempts per account (lower-cased email) and per client address.
pub struct SignInLimits {
    pub by_account: AttemptLimiter,
    pub by_address: AttemptLimiter,
}

impl SignInLimits {
    fn check(&self, account: &str, address: &str) -> super::Result<()> {
        if self.by_address.is_blocked(address) || self.by_account.is_blocked(account) {
            return Err(super::Error::TooManyAttempts);
        }
        Ok(())
    }

    fn failed(&self, account: &str, address: &str) {
        self.by_address.record_failure(address);
        self.by_account.record_failure(account);
    }
}

/// Checks an email and password under the sign-in limits (`address`: the client's, for its own
/// limit). Wrong credentials and unknown accounts take the same time and give the same answer.
pub async fn sign_in(
    core: &super::Core,
    email: &str,
    password: String,
    address: &str,
) -> super::Result<crate::store::User> {
    let account = email.trim().to_lowercase();
    if let Err(e) = core.sign_in.check(&account, address) {
        metrics::counter!("kindred_login_total", "outcome" => "rate_limited").increment(1);
        return Err(e);
    }
    let found = if password.len() > MAX_PASSWORD_LEN || account.len() > 254 {
        None
    } else {
        core.store.find_user_by_email(&account).await?
    };
    let hash = found.as_ref().and_then(|(_, h)| h.clone()).unwrap_or_else(|| dummy_hash().to_owned());
    let password = if password.len() > MAX_PASSWORD_LEN { String::new() } else { password };
    let ok = verify_password_async(password, hash).await;
    match (ok, found) {
        (true, Some((user, Some(_)))) => {
            core.sign_in.by_account.reset(&account);
            metrics::counter!("kindred_login_total", "outcome" => "ok").increment(1);
            Ok(user)
        }
        _ => {
            core.sign_in.failed(&account, address);
            metrics::counter!("kindred_login_total", "outcome" => "failed").increment(1);
            Err(super::Error::WrongCredentials)
        }
    }
}

/// A new browser session for `user`: its secret (the cookie's value; only its hash is stored),
/// its CSRF token, and how long it lasts without use.
pub struct NewSession {
    pub secret: String,
    pub csrf: String,
    pub ttl: time::Duration,
}

/// Starts a browser session for `user`.
pub async fn start_session(core: &super::Core, user: &crate::store::User) -> super::Result<NewSession> {
    let now = core.clock.now();
    let secret = new_secret("ks_");
    let csrf = new_secret("");
    let ttl = time::Duration::hours(core.config.session_ttl_hours as i64);
    let record = crate::store::SessionRecord {
        id: uuid::Uuid::now_v7(),
        user_id: user.id,
        kind: crate::store::SessionKind::Browser,
        name: String::new(),
        csrf_token: csrf.clone(),
        created_at: now,
        last_used_at: now,
        expires_at: Some(now + ttl),
    };
    core.store.create_session(&record, &secret_hash(&secret)).await?;
    Ok(NewSession { secret, csrf, ttl })
}

/// The invitation behind a link, refusing links that can no longer be used.
pub async fn usable_invitation(core: &super::Core, token: &str) -> super::Result<crate::store::Invitation> {
    use crate::store::InvitationStatus;
    if token.len() > 200 {
        return Err(super::Error::NotFound);
    }
    let invitation = core
        .store
        .find_invitation_by_token(&secret_hash(token), core.clock.now())
        .await?
        .ok_or(super::Error::NotFound)?;
    match invitation.status {
        InvitationStatus::Pending => Ok(invitation),
        InvitationStatus::Accepted => {
            Err(super::Error::Gone("this invitation has already been used; sign in instead".into()))
        }
        InvitationStatus::Expired => {
            Err(super::Error::Gone("this invitation has expired; ask the coordinator to send it again".into()))
        }
        InvitationStatus::Revoked => Err(super::Error::Gone("this invitation was revoked".into())),
    }
}

/// Accepts an invitation: creates the account (or joins an existing one, proven by its password
/// under the sign-in limits) and adds the membership. A link works once.
pub async fn accept_invitation(
    core: &super::Core,
    token: &str,
    password: String,
    name: Option<&str>,
    address: &str,
) -> super::Result<crate::store::User> {
    use crate::store::{Acceptance, NewUser};
    let invitation = usable_invitation(core, token).await?;
    let acceptance = match core.store.find_user_by_email(&invitation.email).await? {
        Some((user, hash)) => {
            let account = user.email.to_lowercase();
            core.sign_in.check(&account, address)?;
            let Some(hash) = hash else {
                return Err(super::Error::Forbidden(
                    "this account has no password yet; use the link in your account email first",
                ));
            };
            if password.len() > MAX_PASSWORD_LEN || !verify_password_async(password, hash).await {
                core.sign_in.failed(&account, address);
                return Err(super::Error::WrongCredentials);
            }
            Acceptance::Existing(user.id)
        }
        None => {
            super::validate::password("password", &password)?;
            let name = match name {
                Some(n) => super::validate::required("name", n, 100)?,
                None => invitation.name.clone(),
            };
            let password_hash = Some(hash_password_async(password).await);
            Acceptance::New(NewUser {
                email: invitation.email.clone(),
                name,
                password_hash,
                is_admin: false,
                can_create_programs: false,
            })
        }
    };
    let user = core.store.accept_invitation(&secret_hash(token), acceptance, core.clock.now()).await?;
    tracing::info!(user = %user.id, program = %invitation.program_id, "invitation accepted");
    Ok(user)
}

/// Deletes `me`'s account, confirmed by their password: their messages become tombstones, their
/// sessions end, their matches close, and each counterpart is told in their pair's channel.
pub async fn delete_account(core: &super::Core, me: &crate::store::User, password: String) -> super::Result<()> {
    let (_, hash) = core.store.find_user_by_email(&me.email).await?.ok_or(super::Error::NotFound)?;
    let Some(hash) = hash else {
        return Err(super::Error::Forbidden("set a password first, then delete the account"));
    };
    if !verify_password_async(password, hash).await {
        return Err(super::Error::Forbidden("the password is not right"));
    }
    let now = core.clock.now();
    let deleted = core.store.delete_account(me.id, now).await?;
    core.notify.revoke(me.id, None).await;
    for channel in deleted.pair_channels {
        let body = format!("{} deleted their Kindred account. Their messages were removed; yours stay.", me.name);
        if let Err(e) = core.notify.post_system(channel, format!("deleted:{}", me.id), body, now).await {
            tracing::warn!(error = %e, "could not tell a counterpart about a deleted account");
        }
    }
    // Both people's views of the matches it closed change.
    for id in deleted.closed_matches {
        let record = core.store.get_match(id).await?;
        super::matching::worker::publish_match(core, &record).await;
    }
    tracing::info!(user = %me.id, "account deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn secrets_are_unique_and_hashed() {
        let a = new_secret("ks_");
        let b = new_secret("ks_");
        assert_ne!(a, b);
        assert!(a.starts_with("ks_") && a.len() > 40);
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), secret_hash(&b));
    }

    #[test]
    fn limiter_refuses_past_the_limit_and_resets() {
        let limiter = AttemptLimiter::new(2, Duration::from_secs(60));
        assert!(!limiter.is_blocked("a"));
        limiter.record_failure("a");
        assert!(!limiter.is_blocked("a"));
        limiter.record_failure("a");
        assert!(limiter.is_blocked("a"));
        assert!(!limiter.is_blocked("b"));
        limiter.reset("a");
        assert!(!limiter.is_blocked("a"));
    }
}

// --- the profile and API tokens ---

/// Profile fields to change: `None` leaves one alone, `Some(None)` clears an optional one.
#[derive(Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub pronouns: Option<Option<String>>,
    pub institution: Option<Option<String>>,
    pub career_stage: Option<Option<crate::store::CareerStage>>,
    pub time_zone: Option<Option<String>>,
}

/// Edits my profile. Every failing field is named; nothing changes when one fails.
pub async fn update_profile(
    core: &super::Core,
    me: &crate::store::User,
    changes: ProfileChanges,
) -> super::Result<crate::store::User> {
    use super::validate;
    let mut problems = super::Problems::default();
    let patch = crate::store::ProfilePatch {
        name: problems.take(changes.name.as_deref().map(|n| validate::required("name", n, 100)).transpose())?,
        pronouns: problems.take(changes.pronouns.map(|p| validate::optional("pronouns", p, 40)).transpose())?,
        institution: problems
            .take(changes.institution.map(|i| validate::optional("institution", i, 200)).transpose())?,
        career_stage: changes.career_stage,
        time_zone: problems.take(changes.time_zone.map(|t| validate::time_zone("time_zone", t)).transpose())?,
    };
    problems.into_result()?;
    Ok(core.store.update_profile(me.id, patch).await?)
}

/// A page of my API tokens.
pub async fn api_tokens(
    core: &super::Core,
    me: &crate::store::User,
    page: crate::store::PageRequest,
) -> super::Result<crate::store::Page<crate::store::SessionRecord>> {
    Ok(core.store.list_api_tokens(me.id, page).await?)
}

/// Creates an API token for scripts and other clients; the secret is returned once and only its
/// hash is kept.
pub async fn create_api_token(
    core: &super::Core,
    me: &crate::store::User,
    name: &str,
) -> super::Result<(crate::store::SessionRecord, String)> {
    let name = super::validate::required("name", name, 100)?;
    let now = core.clock.now();
    let secret = new_secret("kt_");
    let record = crate::store::SessionRecord {
        id: uuid::Uuid::now_v7(),
        user_id: me.id,
        kind: crate::store::SessionKind::ApiToken,
        name,
        csrf_token: String::new(),
        created_at: now,
        last_used_at: now,
        expires_at: None,
    };
    core.store.create_session(&record, &secret_hash(&secret)).await?;
    Ok((record, secret))
}

/// Revokes one of my API tokens; connections it opened close at once.
pub async fn revoke_api_token(core: &super::Core, me: &crate::store::User, id: uuid::Uuid) -> super::Result<()> {
    core.store.delete_api_token(me.id, id).await?;
    core.notify.revoke(me.id, Some(id)).await;
    Ok(())
}

// --- instance administration ---

fn require_admin(me: &crate::store::User) -> super::Result<()> {
    if me.is_admin { Ok(()) } else { Err(super::Error::Forbidden("only administrators can do this")) }
}

/// Mail kept because no SMTP server is configured, newest first (admins).
pub async fn outbox(
    core: &super::Core,
    me: &crate::store::User,
    page: crate::store::PageRequest,
) -> super::Result<crate::store::Page<crate::store::Mail>> {
    require_admin(me)?;
    Ok(core.store.list_mail(page).await?)
}

/// Every account (admins).
pub async fn accounts(
    core: &super::Core,
    me: &crate::store::User,
    page: crate::store::PageRequest,
) -> super::Result<crate::store::Page<crate::store::User>> {
    require_admin(me)?;
    Ok(core.store.list_users(page).await?)
}

/// An account an administrator creates.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    /// Lets the account create programs (a coordinator).
    pub can_create_programs: bool,
}

/// Creates an account (admins); its owner gets an email with a link to choose a password.
pub async fn create_account(
    core: &super::Core,
    me: &crate::store::User,
    account: NewAccount,
) -> super::Result<crate::store::User> {
    require_admin(me)?;
    let mut problems = super::Problems::default();
    let email = problems.take(super::validate::email("email", &account.email))?;
    let name = problems.take(super::validate::required("name", &account.name, 100))?;
    problems.into_result()?;
    let now = core.clock.now();
    let new = crate::store::NewUser {
        email,
        name,
        password_hash: None,
        is_admin: account.is_admin,
        can_create_programs: account.can_create_programs,
    };
    let user = core.store.create_user(new, now).await?;
    let link = issue_reset_link(core, &user).await?;
    let text = format!(
        "Hello {},\n\nAn administrator created a Kindred account for you. Choose your password here (the link works once, for {} minutes; after that use \"Forgot password\" on the sign-in page):\n\n{link}\n",
        user.name, core.config.reset_ttl_minutes
    );
    core.mailer.send(&user.email, "Your Kindred account", &text, now).await;
    Ok(user)
}

// --- sessions ---

/// The live session a secret opens and its account: `None` when the secret opens none, or when
/// it is presented the wrong way (a browser session's secret works only as its cookie, an API
/// token's only as a bearer token). Use is recorded at most once a minute, in the background,
/// and a browser session's expiry slides forward with it.
pub async fn session(
    core: &super::Core,
    secret: &str,
    as_cookie: bool,
) -> super::Result<Option<(crate::store::SessionRecord, crate::store::User)>> {
    use crate::store::SessionKind;
    let now = core.clock.now();
    let Some((session, user)) = core.store.find_session(&secret_hash(secret), now).await? else {
        return Ok(None);
    };
    if as_cookie != (session.kind == SessionKind::Browser) {
        return Ok(None);
    }
    if now - session.last_used_at >= time::Duration::minutes(1) {
        let expires = match session.kind {
            SessionKind::Browser => Some(now + time::Duration::hours(core.config.session_ttl_hours as i64)),
            SessionKind::ApiToken => None,
        };
        // Recorded beside the request, not in its way: a request that only reads never waits
        // for a write (on SQLite a busy writer held a one-row read for seconds; docs/benchmarks.md).
        let (store, id) = (core.store.clone(), session.id);
        core.tasks.spawn(async move {
            if let Err(e) = store.touch_session(id, now, expires).await {
                tracing::warn!(error = %e, "could not record session use");
            }
        });
    }
    Ok(Some((session, user)))
}

/// What an invitation link shows before it is accepted.
pub struct InvitationPreview {
    pub invitation: crate::store::Invitation,
    pub program_id: uuid::Uuid,
    pub program_name: String,
    /// The invited address already has an account: accepting asks for its password.
    pub account_exists: bool,
}

/// Looks at a usable invitation link (anyone holding it may).
pub async fn preview_invitation(core: &super::Core, token: &str) -> super::Result<InvitationPreview> {
    let invitation = usable_invitation(core, token).await?;
    let program = core.store.get_program(invitation.program_id, uuid::Uuid::nil()).await?;
    let account_exists = core.store.find_user_by_email(&invitation.email).await?.is_some();
    Ok(InvitationPreview { invitation, program_id: program.id, program_name: program.name, account_exists })
}

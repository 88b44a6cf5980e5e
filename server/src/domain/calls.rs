//! Calls, as HTTP sees them: the ICE servers a browser needs before it starts or answers a call,
//! with short-lived TURN credentials in coturn's shared-secret scheme ("TURN REST API": the
//! username is `<expiry unix time>:<user id>` and the password is base64(HMAC-SHA1(secret,
//! username)), so coturn checks them without asking Kindred and they stop working on their own);
//! and the records of a program's calls for its coordinators (who met, when, how long; never what
//! was said); and ringing: a call frame becomes an event for the call's state machine (the pure
//! `kindred-signaling`), which is read from the store, applied, and written back only if nobody
//! else changed it meanwhile (optimistic versions), so either person's node may handle any frame.
//! The machine's effects are carried out here: relayed frames go through the notifier to every
//! connection of the recipient, wherever it is, and a missed call is posted in the pair's channel.
//! Who may call whom is [`access::may_reach`]; only someone online is rung.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use uuid::Uuid;

use std::time::Duration;

use kindred_signaling::{Call, CallErrorCode, Effect, EndReason, Event, SignalError};
use tokio_util::sync::CancellationToken;

use super::access::{self, ProgramAccess, Reach};
use super::notify::To;
use super::{Core, Error, Result};
use crate::store::{CallColumns, CallSummary, NewCall, StoreError, User, to_millis};

/// One entry of `RTCConfiguration.iceServers`; STUN servers have no credentials.
#[derive(Debug, PartialEq)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: Option<String>,
    pub credential: Option<String>,
}

/// coturn's shared-secret credentials for `user`, valid until `expires` (unix seconds).
pub fn turn_credentials(secret: &str, user: Uuid, expires: i64) -> (String, String) {
    let username = format!("{expires}:{user}");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, credential)
}

/// ICE servers for `me`'s next call, and how many seconds the TURN credentials stay valid.
pub fn ice_servers(core: &Core, me: &User) -> (Vec<IceServer>, u64) {
    let config = &core.config;
    let mut servers = Vec::new();
    if !config.stun_urls.is_empty() {
        servers.push(IceServer { urls: config.stun_urls.clone(), username: None, credential: None });
    }
    if let (false, Some(secret)) = (config.turn_urls.is_empty(), &config.turn_secret) {
        let expires = core.clock.now().unix_timestamp() + config.turn_ttl_secs as i64;
        let (username, credential) = turn_credentials(secret.expose(), me.id, expires);
        servers.push(IceServer {
            urls: config.turn_urls.clone(),
            username: Some(username),
            credential: Some(credential),
        });
    }
    (servers, config.turn_ttl_secs)
}

/// The program's latest calls (coordinators).
pub async fn program_calls(core: &Core, me: &User, program_id: Uuid) -> Result<Vec<CallSummary>> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    Ok(core.store.program_calls(program_id, 200).await?)
}

// --- ringing: the call's state machine, stored and applied ---

/// How often each node looks for calls whose ring or connect timeout has passed.
const TICK: Duration = Duration::from_secs(1);
/// Attempts at an optimistic update before giving up (contention is two people and a ticker).
const RETRIES: usize = 8;

/// Why a call frame was refused; the gateway answers the sender with a call error frame.
pub enum Refusal {
    /// The state machine refused the event.
    Signal(SignalError),
    Code(CallErrorCode, &'static str),
    Store(StoreError),
    /// A stored call machine that does not (de)serialise: a bug, not the database's fault.
    Codec(serde_json::Error),
}

impl From<SignalError> for Refusal {
    fn from(e: SignalError) -> Self {
        Refusal::Signal(e)
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

fn now_ms(core: &Core) -> u64 {
    to_millis(core.clock.now()).max(0) as u64
}

/// A new call, a repeated invitation, or an invitation crossing the other's (glare).
pub async fn invite(core: &Core, from: Uuid, event: Event) -> Result<(), Refusal> {
    let Event::Invite { call, to, at, .. } = event else { unreachable!("only invitations come here") };
    if to == from {
        return Err(SignalError::Malformed("a call needs two people").into());
    }
    let reach = access::may_reach(core.store.as_ref(), from, to, Reach::Call).await;
    let reach = match reach {
        Ok(pair) => access::conduct(core.store.as_ref(), from, pair.program_id).await.map(|()| pair),
        Err(e) => Err(e),
    };
    let program_id = match reach {
        Ok(pair) => pair.program_id,
        Err(Error::Store(e)) => return Err(Refusal::Store(e)),
        Err(Error::Forbidden(why)) => return Err(Refusal::Code(CallErrorCode::Forbidden, why)),
        Err(e) => {
            tracing::warn!(error = %e, "a call was refused");
            return Err(Refusal::Code(CallErrorCode::Forbidden, "you cannot call this person"));
        }
    };
    // A resent invitation, or one that crossed the other person's: the machine merges them.
    if core.store.load_call(call).await?.is_some() {
        return apply(core, call, event).await;
    }
    for _ in 0..RETRIES {
        if let Some(live) = core.store.live_call(from, to).await? {
            return apply(core, live, event).await;
        }
        let online = core.bus.presence_of(&[to]).await.unwrap_or_default();
        if !online.contains_key(&to) {
            return Err(Refusal::Code(CallErrorCode::Offline, "they are not online; send a message instead"));
        }
        let mut machine = Call::new();
        let effects = machine.handle(event.clone())?;
        let new = NewCall {
            id: call,
            program_id,
            caller: from,
            callee: to,
            invited_at: at as i64,
            machine: serde_json::to_string(&machine).map_err(Refusal::Codec)?,
            columns: columns(&machine),
        };
        if core.store.create_call(new).await? {
            carry_out(core, effects).await;
            return Ok(());
        }
        // Another node created the pair's live call meanwhile: go round and join it.
    }
    Err(Refusal::Code(CallErrorCode::Internal, "the call changed too often; try again"))
}

/// Applies an event to a stored call, retrying when another node changed it first.
pub async fn apply(core: &Core, call: Uuid, event: Event) -> Result<(), Refusal> {
    for _ in 0..RETRIES {
        let Some(stored) = core.store.load_call(call).await? else {
            return Err(SignalError::NotParticipant.into());
        };
        let mut machine: Call = serde_json::from_str(&stored.machine).map_err(Refusal::Codec)?;
        let effects = machine.handle(event.clone())?;
        let json = serde_json::to_string(&machine).map_err(Refusal::Codec)?;
        if core.store.save_call(call, stored.version, &json, columns(&machine)).await? {
            carry_out(core, effects).await;
            return Ok(());
        }
    }
    Err(Refusal::Code(CallErrorCode::Internal, "the call changed too often; try again"))
}

async fn carry_out(core: &Core, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            // The record's columns were saved with the machine, before anything was sent.
            Effect::Record(_) => {}
            Effect::Relay { to, message } => match serde_json::to_string(&message) {
                Ok(frame) => core.notify.send_encoded(To::User(to), frame).await,
                Err(e) => tracing::error!(error = %e, "could not encode a call frame"),
            },
            Effect::NotifyMissed { to, from, call, .. } => missed(core, to, from, call).await,
        }
    }
}

/// A missed call shows in the pair's chat, where it outlives the sockets.
async fn missed(core: &Core, to: Uuid, from: Uuid, call: Uuid) {
    let channel = match core.store.active_pair(from, to).await {
        Ok(Some((_, Some(channel)))) => channel,
        Ok(_) => return,
        Err(e) => return tracing::warn!(error = %e, "could not find the pair's channel for a missed call"),
    };
    let name = match core.store.get_user(from).await {
        Ok(user) => user.name,
        Err(_) => "Your match".to_owned(),
    };
    let body = format!("Missed call from {name}.");
    if let Err(e) = core.notify.post_system(channel, format!("missed-{call}"), body, core.clock.now()).await {
        tracing::warn!(error = %e, "could not post a missed call");
    }
}

/// Someone went offline (their last connection closed and the presence grace passed, or their
/// node died): their live calls end as if they hung up, so a pair is never left with a call
/// nobody can end. A quick reconnect within the grace keeps the call.
pub async fn end_calls_of(core: &Core, user: Uuid) {
    let calls = match core.store.live_calls_of(user).await {
        Ok(calls) => calls,
        Err(e) => return tracing::warn!(error = %e, "could not look for the calls of someone who left"),
    };
    for call in calls {
        let at = now_ms(core);
        if let Err(Refusal::Store(e)) = apply(core, call, Event::HangUp { by: user, at }).await {
            tracing::warn!(error = %e, %call, "could not end the call of someone who left");
        }
    }
}

/// Ends the live call between `by` and `other`, if they are in one (a block came between them).
pub async fn end_call_between(core: &Core, by: Uuid, other: Uuid) {
    let call = match core.store.live_call(by, other).await {
        Ok(Some(call)) => call,
        Ok(None) => return,
        Err(e) => return tracing::warn!(error = %e, "could not look for a call to end"),
    };
    if let Err(Refusal::Store(e)) = apply(core, call, Event::HangUp { by, at: now_ms(core) }).await {
        tracing::warn!(error = %e, %call, "could not end a call");
    }
}

/// Fires ring and connect timeouts until the node stops. Every node runs one; the versions
/// make sure a timeout takes effect once.
pub async fn tick(core: Core, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
        let at = now_ms(&core);
        let due = match core.store.due_calls(at as i64).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for due calls");
                continue;
            }
        };
        for call in due {
            match apply(&core, call, Event::Tick { at }).await {
                Err(Refusal::Store(e)) => tracing::warn!(error = %e, %call, "could not time out a call"),
                Err(Refusal::Codec(e)) => {
                    tracing::error!(error = %e, %call, "a call's state machine is unreadable")
                }
                // A tick the machine has no use for (the call moved on meanwhile).
                _ => {}
            }
        }
    }
}

/// The record columns of a machine, stored beside it.
fn columns(call: &Call) -> CallColumns {
    let Some(r) = call.record() else { return CallColumns::default() };
    let ms = |t: Option<u64>| t.map(|t| t as i64);
    CallColumns {
        live: r.ended_at.is_none(),
        deadline: ms(call.deadline()),
        answered_at: ms(r.answered_at),
        started_at: ms(r.started_at),
        caller_joined_at: ms(r.caller_joined_at),
        callee_joined_at: ms(r.callee_joined_at),
        ended_at: ms(r.ended_at),
        end_reason: r.end_reason.map(|reason| {
            match reason {
                EndReason::HungUp { .. } => "hung_up",
                EndReason::Declined => "declined",
                EndReason::Missed => "missed",
                EndReason::Cancelled => "cancelled",
                EndReason::Failed => "failed",
                EndReason::Busy => "busy",
            }
            .to_owned()
        }),
        duration_ms: r.duration_ms().map(|d| d as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_coturns_scheme() {
        // Computed independently: python3 -c "import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b'north', b'1800000000:00000000-0000-0000-0000-000000000001',
        // hashlib.sha1).digest()).decode())"
        let user = Uuid::from_u128(1);
        let (username, credential) = turn_credentials("north", user, 1_800_000_000);
        assert_eq!(username, "1800000000:00000000-0000-0000-0000-000000000001");
        assert_eq!(credential, EXPECTED);
    }

    const EXPECTED: &str = "Mg1AP6mr8Ko79Vx4uyedt9srLJQ=";
}

//! The shell around `kindred-signaling`: 1:1 calls between the two people of an active match.
//! A call frame from a connection becomes an event for the call's state machine; the machine is
//! read from the store, applied, and written back only if nobody else changed it meanwhile
//! (optimistic versions), so either person's node may handle any frame. The machine's effects are
//! carried out here: relayed frames travel over the bus to every connection of the recipient,
//! wherever it is, and a missed call is posted in the pair's channel.
//!
//! Who may call whom is not the pure core's business: the access policy
//! ([`crate::domain::access::may_reach`]) says whether two people may reach each other, and only
//! someone online is rung.

use std::sync::Arc;
use std::time::Duration;

use kindred_signaling::{Call, CallErrorCode, ClientSignal, Effect, EndReason, Event, ServerSignal, SignalError};
use uuid::Uuid;

use super::Gateway;
use super::hub::Outbox;
use crate::domain::access::{self, Reach};
use crate::domain::notify::To;
use crate::domain::{self};
use crate::store::{CallColumns, NewCall, StoreError, to_millis};

/// How often each node looks for calls whose ring or connect timeout has passed.
const TICK: Duration = Duration::from_secs(1);
/// Attempts at an optimistic update before giving up (contention is two people and a ticker).
const RETRIES: usize = 8;

/// Why a frame was refused.
enum Refusal {
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

impl Gateway {
    fn now_ms(&self) -> u64 {
        to_millis(self.clock.now()).max(0) as u64
    }

    /// Handles one call frame from `user`; a refusal goes back to the sender's connection only.
    pub(super) async fn signal(&self, user: Uuid, signal: ClientSignal, outbox: &Outbox) {
        let reference = signal.reference().map(str::to_owned);
        let call = signal.call();
        let at = self.now_ms();
        let outcome = match signal.into_event(user, at) {
            Err(e) => Err(Refusal::Signal(e)),
            Ok(event @ Event::Invite { .. }) => self.invite(user, event).await,
            Ok(event) => self.apply(call, event).await,
        };
        let error = match outcome {
            Ok(()) => return,
            Err(Refusal::Signal(e)) => ServerSignal::error(reference.as_deref(), call, &e),
            Err(Refusal::Code(code, message)) => {
                ServerSignal::CallError { reference, call, code, message: message.to_owned() }
            }
            Err(Refusal::Store(e)) => {
                tracing::error!(error = %e, "call signaling failed");
                let code = CallErrorCode::Internal;
                ServerSignal::CallError { reference, call, code, message: "the server could not complete this".into() }
            }
            Err(Refusal::Codec(e)) => {
                tracing::error!(error = %e, "a call's state machine did not (de)serialise");
                let code = CallErrorCode::Internal;
                ServerSignal::CallError { reference, call, code, message: "the server could not complete this".into() }
            }
        };
        if let Ok(frame) = serde_json::to_string(&error) {
            outbox.push(frame.into());
        }
    }

    /// A new call, a repeated invitation, or an invitation crossing the other's (glare).
    async fn invite(&self, from: Uuid, event: Event) -> Result<(), Refusal> {
        let Event::Invite { call, to, at, .. } = event else { unreachable!("only invitations come here") };
        if to == from {
            return Err(SignalError::Malformed("a call needs two people").into());
        }
        let program_id = match access::may_reach(self.store.as_ref(), from, to, Reach::Call).await {
            Ok(pair) => pair.program_id,
            Err(domain::Error::Store(e)) => return Err(Refusal::Store(e)),
            Err(domain::Error::Forbidden(why)) => return Err(Refusal::Code(CallErrorCode::Forbidden, why)),
            Err(e) => {
                tracing::warn!(error = %e, "a call was refused");
                return Err(Refusal::Code(CallErrorCode::Forbidden, "you cannot call this person"));
            }
        };
        // A resent invitation, or one that crossed the other person's: the machine merges them.
        if self.store.load_call(call).await?.is_some() {
            return self.apply(call, event).await;
        }
        for _ in 0..RETRIES {
            if let Some(live) = self.store.live_call(from, to).await? {
                return self.apply(live, event).await;
            }
            let online = self.bus.presence_of(&[to]).await.unwrap_or_default();
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
            if self.store.create_call(new).await? {
                self.carry_out(effects).await;
                return Ok(());
            }
            // Another node created the pair's live call meanwhile: go round and join it.
        }
        Err(Refusal::Code(CallErrorCode::Internal, "the call changed too often; try again"))
    }

    /// Applies an event to a stored call, retrying when another node changed it first.
    async fn apply(&self, call: Uuid, event: Event) -> Result<(), Refusal> {
        for _ in 0..RETRIES {
            let Some(stored) = self.store.load_call(call).await? else {
                return Err(SignalError::NotParticipant.into());
            };
            let mut machine: Call = serde_json::from_str(&stored.machine).map_err(Refusal::Codec)?;
            let effects = machine.handle(event.clone())?;
            let json = serde_json::to_string(&machine).map_err(Refusal::Codec)?;
            if self.store.save_call(call, stored.version, &json, columns(&machine)).await? {
                self.carry_out(effects).await;
                return Ok(());
            }
        }
        Err(Refusal::Code(CallErrorCode::Internal, "the call changed too often; try again"))
    }

    async fn carry_out(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                // The record's columns were saved with the machine, before anything was sent.
                Effect::Record(_) => {}
                Effect::Relay { to, message } => match serde_json::to_string(&message) {
                    Ok(frame) => self.notify.send_encoded(To::User(to), frame).await,
                    Err(e) => tracing::error!(error = %e, "could not encode a call frame"),
                },
                Effect::NotifyMissed { to, from, call, .. } => self.missed(to, from, call).await,
            }
        }
    }

    /// A missed call shows in the pair's chat, where it outlives the sockets.
    async fn missed(&self, to: Uuid, from: Uuid, call: Uuid) {
        let channel = match self.store.active_pair(from, to).await {
            Ok(Some((_, Some(channel)))) => channel,
            Ok(_) => return,
            Err(e) => return tracing::warn!(error = %e, "could not find the pair's channel for a missed call"),
        };
        let name = match self.store.get_user(from).await {
            Ok(user) => user.name,
            Err(_) => "Your match".to_owned(),
        };
        let body = format!("Missed call from {name}.");
        if let Err(e) = self.notify.post_system(channel, format!("missed-{call}"), body, self.clock.now()).await {
            tracing::warn!(error = %e, "could not post a missed call");
        }
    }

    /// Someone went offline (their last connection closed and the presence grace passed, or their
    /// node died): their live calls end as if they hung up, so a pair is never left with a call
    /// nobody can end. A quick reconnect within the grace keeps the call.
    pub(super) async fn end_calls_of(&self, user: Uuid) {
        let calls = match self.store.live_calls_of(user).await {
            Ok(calls) => calls,
            Err(e) => return tracing::warn!(error = %e, "could not look for the calls of someone who left"),
        };
        for call in calls {
            let at = self.now_ms();
            if let Err(Refusal::Store(e)) = self.apply(call, Event::HangUp { by: user, at }).await {
                tracing::warn!(error = %e, %call, "could not end the call of someone who left");
            }
        }
    }

    /// Fires ring and connect timeouts until the node stops. Every node runs one; the versions
    /// make sure a timeout takes effect once.
    pub async fn tick_calls(self: Arc<Self>) {
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(TICK) => {}
            }
            let at = self.now_ms();
            let due = match self.store.due_calls(at as i64).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "could not look for due calls");
                    continue;
                }
            };
            for call in due {
                match self.apply(call, Event::Tick { at }).await {
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

//! Call frames over the WebSocket: each becomes an event for `domain::calls`, which rings,
//! applies the call's state machine and carries out its effects; a refusal goes back to the
//! sender as a call error frame.

use kindred_signaling::{CallErrorCode, ClientSignal, Event, ServerSignal};
use uuid::Uuid;

use super::Gateway;
use super::hub::Outbox;
use crate::domain::calls::{self, Refusal};
use crate::store::to_millis;

impl Gateway {
    /// Handles one call frame from `user`; a refusal goes back to the sender's connection only.
    pub(super) async fn signal(&self, user: Uuid, signal: ClientSignal, outbox: &Outbox) {
        let reference = signal.reference().map(str::to_owned);
        let call = signal.call();
        let at = to_millis(self.clock.now()).max(0) as u64;
        let outcome = match signal.into_event(user, at) {
            Err(e) => Err(Refusal::Signal(e)),
            Ok(event @ Event::Invite { .. }) => calls::invite(self, user, event).await,
            Ok(event) => calls::apply(self, call, event).await,
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
}

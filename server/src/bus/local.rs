//! The in-process bus: one node, events go straight to its own delivery loop.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::PresenceState;
use super::{Bus, BusError, BusEvent};

pub struct LocalBus {
    tx: mpsc::Sender<BusEvent>,
    presence: Mutex<HashMap<Uuid, PresenceState>>,
    node_id: Uuid,
    sfu: std::sync::atomic::AtomicBool,
}

impl LocalBus {
    pub fn new(tx: mpsc::Sender<BusEvent>, node_id: Uuid) -> Self {
        Self { tx, presence: Mutex::new(HashMap::new()), node_id, sfu: Default::default() }
    }
}

#[async_trait]
impl Bus for LocalBus {
    async fn publish(&self, event: &BusEvent) -> Result<(), BusError> {
        self.tx.send(event.clone()).await.map_err(|_| BusError::Closed)
    }

    async fn set_presence(&self, user: Uuid, state: Option<PresenceState>) -> Result<PresenceState, BusError> {
        let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        match state {
            Some(s) if s != PresenceState::Offline => {
                presence.insert(user, s);
                Ok(s)
            }
            _ => {
                presence.remove(&user);
                Ok(PresenceState::Offline)
            }
        }
    }

    async fn presence_of(&self, users: &[Uuid]) -> Result<HashMap<Uuid, PresenceState>, BusError> {
        let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        Ok(users.iter().filter_map(|u| presence.get(u).map(|s| (*u, *s))).collect())
    }

    async fn ping(&self) -> Result<(), BusError> {
        Ok(())
    }

    async fn offer_sfu(&self) -> Result<(), BusError> {
        self.sfu.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    async fn place_room(&self, _event: Uuid) -> Result<Option<Uuid>, BusError> {
        Ok(self.sfu.load(std::sync::atomic::Ordering::Relaxed).then_some(self.node_id))
    }

    fn backend(&self) -> &'static str {
        "in-process"
    }
}

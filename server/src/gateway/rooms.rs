//! The gateway's side of live rooms: who may enter (checked here, against the store), which node's
//! SFU hosts the room (placed through the bus), and the delivery of what the SFU answers.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::Gateway;
use super::hub::{ConnId, Outbox};
use crate::bus::BusEvent;
use crate::live::protocol::{RoomErrorCode, RoomFrame, RoomServerFrame};
use crate::live::{self, Command, ConnAddr, Live, Output};
use crate::store::User;

impl Gateway {
    /// This node runs an SFU: rooms may be placed here.
    pub async fn host_rooms(
        self: &Arc<Self>,
        live: Arc<Live>,
        outputs: mpsc::UnboundedReceiver<Output>,
        tasks: &tokio_util::task::TaskTracker,
    ) {
        if self.live.set(live).is_err() {
            return;
        }
        if let Err(e) = self.bus.offer_sfu().await {
            tracing::warn!(error = %e, "could not offer this node's SFU");
        }
        tasks.spawn(self.clone().room_outputs(outputs));
    }

    /// This node's SFU, when it hosts rooms.
    pub fn live(&self) -> Option<&Arc<Live>> {
        self.live.get()
    }

    /// Waits (bounded) for this node's SFU engine to stop, once the node's token has fired.
    pub async fn stop_rooms(&self, within: std::time::Duration) {
        if let Some(live) = self.live.get() {
            live.join(within).await;
        }
    }

    /// Delivers the SFU's frames (here, or over the bus to the connection's node) and records
    /// attendance.
    async fn room_outputs(self: Arc<Self>, mut outputs: mpsc::UnboundedReceiver<Output>) {
        while let Some(output) = outputs.recv().await {
            match output {
                Output::Frame { to, frame } if to.node == self.node_id => {
                    self.hub.deliver_conn(to.conn, &Utf8Bytes::from(frame));
                }
                Output::Frame { to, frame } => {
                    self.notify.publish(BusEvent::Conn { node: to.node, conn: to.conn, frame }).await;
                }
                other => live::record(self.store.as_ref(), &other).await,
            }
        }
    }

    /// One room frame from a connection.
    pub(super) async fn room(&self, user: &User, conn: ConnId, frame: RoomFrame, outbox: &Outbox) {
        let event = frame.event();
        let reference = frame.reference().map(str::to_owned);
        let refuse = |code: RoomErrorCode, message: &str| {
            let frame = RoomServerFrame::error(reference.as_deref(), event, code, message).encode();
            outbox.push(Utf8Bytes::from(frame));
        };
        let at = ConnAddr { node: self.node_id, conn };
        let command = if let RoomFrame::RoomJoin { .. } = frame {
            let now = live::now_ms(&self.clock);
            match live::entry(self.store.as_ref(), event, user, now).await {
                Ok(role) => {
                    self.room_conns.lock().unwrap_or_else(|e| e.into_inner()).entry(conn).or_default().insert(event);
                    Command::Join {
                        event,
                        user: user.id,
                        name: user.name.clone(),
                        role,
                        at,
                        reference: reference.clone(),
                    }
                }
                Err((code, message)) => return refuse(code, message),
            }
        } else {
            Command::Frame { user: user.id, at, frame }
        };
        if !self.to_room(event, command).await {
            refuse(RoomErrorCode::Unavailable, "no SFU is available for this room; try again shortly");
        }
    }

    /// A connection closed: it leaves the rooms it was in.
    pub(super) async fn rooms_gone(&self, conn: ConnId) {
        let events = self.room_conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&conn).unwrap_or_default();
        for event in events {
            self.to_room(event, Command::Gone { at: ConnAddr { node: self.node_id, conn } }).await;
        }
    }

    /// Hands a command to the SFU hosting `event`'s room, here or on another node.
    async fn to_room(&self, event: Uuid, command: Command) -> bool {
        let node = match self.bus.place_room(event).await {
            Ok(Some(node)) => node,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "could not place a live room");
                return false;
            }
        };
        if node == self.node_id {
            return match self.live.get() {
                Some(live) => live.send(command).await,
                None => false,
            };
        }
        match serde_json::to_string(&command) {
            Ok(command) => self.bus.publish(&BusEvent::Room { node, command }).await.is_ok(),
            Err(e) => {
                tracing::error!(error = %e, "could not encode a live room command");
                false
            }
        }
    }
}

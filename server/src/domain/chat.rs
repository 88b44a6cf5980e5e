//! Messages in channels: writing one (a new message, an edit, a delete), read positions, and
//! typing, with who is told what. Durable first: a write is stored, with its per-channel sequence
//! number, before anyone hears of it; the WebSocket shell acknowledges it to the writer in between.
//! Membership and posting rights come from [`super::access::channel`] (the gateway caches them per
//! connection); authorship of edits and deletes and tombstones are enforced by the store.
//! Functions take the handles they use, so the gateway's hot path holds no more than it needs.

use time::OffsetDateTime;
use uuid::Uuid;

use super::notify::{Notice, Notifier, To};
use crate::store::{Append, Appended, Event, Store, StoreError, StoreResult};

/// What a write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    New,
    /// Replaces the body of the message with this sequence number (the writer's own).
    Edit(i64),
    /// Deletes the message with this sequence number (the writer's own), leaving a tombstone.
    Delete(i64),
}

/// Why a chat operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No such message in the channel.
    #[error("no such message in this channel")]
    NoSuchMessage,
    /// Editing or deleting someone else's message.
    #[error("{0}")]
    NotYours(&'static str),
    /// The message was deleted.
    #[error("{0}")]
    Deleted(&'static str),
    /// A read position beyond the channel's last message.
    #[error("the channel's last sequence number is {last}")]
    FromTheFuture { last: i64 },
    /// The store failed; the client retries (with the same client id for writes).
    #[error("store: {0}")]
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Refusal::NoSuchMessage,
            StoreError::Forbidden(why) => Refusal::NotYours(why),
            StoreError::Conflict(why) => Refusal::Deleted(why),
            other => Refusal::Store(other),
        }
    }
}

/// Where `channel`'s log ends: its last sequence number. For a reader the gateway already granted
/// the channel (`access::channels`), catching up from a sequence number they have.
pub async fn last_seq(store: &dyn Store, channel: Uuid) -> StoreResult<i64> {
    Ok(store.get_channel(channel).await?.last_seq)
}

/// Up to `limit` events of `channel`'s log after sequence number `after`, oldest first: a page of
/// a granted reader's catch-up.
pub async fn events_after(store: &dyn Store, channel: Uuid, after: i64, limit: u32) -> StoreResult<Vec<Event>> {
    store.events_after(channel, after, limit).await
}

/// Stores a write by `sender` in `channel` under `client_id` (idempotent: a retry returns the
/// first result with `created: false`).
pub async fn write(
    store: &dyn Store,
    now: OffsetDateTime,
    sender: Uuid,
    channel: Uuid,
    client_id: String,
    body: String,
    change: Change,
) -> Result<Appended, Refusal> {
    let append = Append { channel_id: channel, sender_id: sender, client_id, body };
    let appended = match change {
        Change::New => store.append_message(append, now).await?,
        Change::Edit(target) => store.edit_message(append, target, now).await?,
        Change::Delete(target) => match store.delete_message(append.clone(), target, now).await {
            // Someone else's message: a coordinator may remove it from a group channel.
            Err(StoreError::Forbidden(why)) => {
                let found = store.get_channel(channel).await?;
                if !super::access::may_moderate(store, sender, &found).await.map_err(|_| Refusal::NotYours(why))? {
                    return Err(Refusal::NotYours(why));
                }
                store.remove_message(append, target, now).await?
            }
            done => done?,
        },
    };
    if appended.created {
        metrics::counter!("kindred_messages_stored_total", "kind" => appended.event.kind.as_str()).increment(1);
    }
    Ok(appended)
}

/// Tells the channel about a stored write. Done on a retry too: if the first attempt stored but
/// never told anyone (a crash in between), this is what delivers it; clients ignore sequence
/// numbers they already have.
pub async fn publish(notify: &Notifier, channel: Uuid, written: &Appended) {
    let notice = Notice::ChannelEvent { event: &written.event, message: written.target.as_ref() };
    notify.send(To::Channel { channel, except: None }, notice).await;
}

/// Moves `reader`'s read position in `channel` to `seq`: the other members get a receipt (in a
/// channel that shows its members) and the reader's own connections their unread count.
pub async fn read(store: &dyn Store, notify: &Notifier, reader: Uuid, channel: Uuid, seq: i64) -> Result<(), Refusal> {
    let found = store.get_channel(channel).await.map_err(Refusal::Store)?;
    let last = found.last_seq;
    if seq > last {
        return Err(Refusal::FromTheFuture { last });
    }
    let (position, unread) = store.mark_read(channel, reader, seq).await.map_err(Refusal::Store)?;
    // Receipts go to the members of channels small enough to show them (`access::MEMBER_LIST_UP_TO`).
    if found.member_count <= super::access::MEMBER_LIST_UP_TO {
        let receipt = Notice::Read { channel, user: reader, seq: position };
        notify.send(To::Channel { channel, except: Some(reader) }, receipt).await;
    }
    notify.send(To::User(reader), Notice::Unread { channel, last_read_seq: position, unread }).await;
    Ok(())
}

/// Tells the other members of `channel` that `writer` is typing, in channels small enough to
/// show it (`access::MEMBER_LIST_UP_TO`, as read receipts): in a program-wide channel of
/// thousands it would be a frame to everyone for every keystroke burst, and says nothing useful.
pub async fn typing(store: &dyn Store, notify: &Notifier, writer: Uuid, channel: Uuid) -> Result<(), Refusal> {
    let found = store.get_channel(channel).await.map_err(Refusal::Store)?;
    if found.member_count <= super::access::MEMBER_LIST_UP_TO {
        notify.send(To::Channel { channel, except: Some(writer) }, Notice::Typing { channel, user: writer }).await;
    }
    Ok(())
}

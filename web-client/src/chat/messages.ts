// What a conversation shows (pure): messages by seq in their current state, built from two
// sources that overlap — history pages over HTTP (messages as they are now) and log events
// over the WebSocket (new messages, edits, deletes). Merging is order-independent because a
// message only ever moves forward: edits have later `edited_at`, and a delete is final.

import type { ChatEvent } from './protocol';

export interface Message {
  seq: number;
  id: string;
  sender_id: string;
  client_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** Deleted by a coordinator, not its author: the tombstone says so. */
  removed_by_coordinator?: boolean;
}

/** A change to a message that is not loaded (yet): kept and applied when it arrives. */
export interface Patch {
  body: string;
  edited_at: string | null;
  deleted_at: string | null;
  removed_by_coordinator?: boolean;
}

export interface Messages {
  readonly bySeq: ReadonlyMap<number, Message>;
  readonly patches: ReadonlyMap<number, Patch>;
}

export const EMPTY_MESSAGES: Messages = { bySeq: new Map(), patches: new Map() };

function time(iso: string | null): number {
  if (!iso) return -Infinity;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? -Infinity : t;
}

/** The later of two states of the same message (a tombstone wins; then the latest edit). */
export function newer<T extends Patch>(a: T, b: Patch): T {
  if (a.deleted_at) return a;
  if (b.deleted_at) {
    const removed = b.removed_by_coordinator ? { removed_by_coordinator: true } : {};
    return { ...a, body: '', deleted_at: b.deleted_at, edited_at: b.edited_at ?? a.edited_at, ...removed };
  }
  if (time(b.edited_at) > time(a.edited_at)) return { ...a, body: b.body, edited_at: b.edited_at };
  return a;
}

function toMessage(e: ChatEvent): Message {
  return {
    seq: e.seq,
    id: e.id,
    sender_id: e.sender_id,
    client_id: e.client_id,
    body: e.deleted_at ? '' : e.body,
    created_at: e.created_at,
    edited_at: e.edited_at,
    deleted_at: e.deleted_at,
    ...(e.deleted_at && e.removed_by_coordinator ? { removed_by_coordinator: true } : {}),
  };
}

function put(messages: Messages, incoming: Message): Messages {
  const bySeq = new Map(messages.bySeq);
  let patches = messages.patches;
  const existing = bySeq.get(incoming.seq);
  let merged = existing ? newer(existing, incoming) : incoming;
  const patch = patches.get(incoming.seq);
  if (patch) {
    merged = newer(merged, patch);
    const rest = new Map(patches);
    rest.delete(incoming.seq);
    patches = rest;
  }
  bySeq.set(incoming.seq, merged);
  return { bySeq, patches };
}

function patch(messages: Messages, target: number, change: Patch): Messages {
  const existing = messages.bySeq.get(target);
  if (existing) {
    const merged = newer(existing, change);
    if (merged === existing) return messages;
    const bySeq = new Map(messages.bySeq);
    bySeq.set(target, merged);
    return { ...messages, bySeq };
  }
  const patches = new Map(messages.patches);
  const old = patches.get(target);
  patches.set(target, old ? newer(old, change) : change);
  return { ...messages, patches };
}

/** Applies one log event (in seq order). */
export function applyEvent(messages: Messages, event: ChatEvent & { message?: ChatEvent }): Messages {
  switch (event.kind) {
    case 'message':
      return put(messages, toMessage(event));
    case 'edit':
    case 'delete': {
      const target = event.message?.seq ?? event.target_seq;
      if (target === null || target === undefined) return messages;
      if (event.message) {
        const m = event.message;
        return patch(messages, target, {
          body: m.body,
          edited_at: m.edited_at,
          deleted_at: m.deleted_at,
          ...(m.deleted_at && (m.removed_by_coordinator || event.removed_by_coordinator) ? { removed_by_coordinator: true } : {}),
        });
      }
      // Catch-up events carry no `message`: the event itself says what changed, and when.
      return event.kind === 'edit'
        ? patch(messages, target, { body: event.body, edited_at: event.created_at, deleted_at: null })
        : patch(messages, target, {
            body: '',
            edited_at: null,
            deleted_at: event.created_at,
            ...(event.removed_by_coordinator ? { removed_by_coordinator: true } : {}),
          });
    }
    default:
      return messages;
  }
}

/** Merges a history page (messages in their current state). */
export function applyHistory(messages: Messages, items: readonly ChatEvent[]): Messages {
  let out = messages;
  for (const item of items) {
    if (item.kind === 'message') out = put(out, toMessage(item));
  }
  return out;
}

/** Messages in seq order. */
export function ordered(messages: Messages): Message[] {
  return [...messages.bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// Writes not yet confirmed (pure): sends, edits and deletes, each with its `client_id`. A write
// is shown as pending until the server's event for it is applied. After a reconnect every
// write that was sent but not acknowledged is sent again with the same client id, which the
// server turns into the original acknowledgement instead of a second message.

export type PendingKind = 'send' | 'edit' | 'delete';

/**
 * queued: waiting for a connection (or a retry after rate limiting);
 * sent: on the wire, no ack yet; acked: stored as `seq`, its event not applied yet;
 * failed: refused for good (the user may retry or discard it).
 */
export type PendingStatus = 'queued' | 'sent' | 'acked' | 'failed';

export interface PendingOp {
  client_id: string;
  /** The `ref` of the frame, to match errors. */
  ref: string;
  channel: string;
  kind: PendingKind;
  /** New text (send, edit); empty for a delete. */
  body: string;
  /** The message edited or deleted. */
  target: number | null;
  status: PendingStatus;
  /** Sequence number of the stored event, once acknowledged. */
  seq: number | null;
  /** Why it failed, fit to show. */
  error: string | null;
  /** Do not send again before this time (ms since epoch), after rate limiting. */
  retryAt: number;
  /** Local time of the first attempt. */
  created_at: string;
}

export type Pending = readonly PendingOp[];

export function addPending(pending: Pending, op: PendingOp): Pending {
  if (pending.some((p) => p.client_id === op.client_id)) return pending;
  return [...pending, op];
}

function update(pending: Pending, match: (p: PendingOp) => boolean, change: (p: PendingOp) => PendingOp): Pending {
  let changed = false;
  const out = pending.map((p) => {
    if (!match(p)) return p;
    const next = change(p);
    if (next !== p) changed = true;
    return next;
  });
  return changed ? out : pending;
}

/** Writes to put on the wire now: queued, in order, and not waiting for a retry time. */
export function dueForSending(pending: Pending, now: number): PendingOp[] {
  return pending.filter((p) => p.status === 'queued' && p.retryAt <= now);
}

export function markSent(pending: Pending, clientIds: readonly string[]): Pending {
  const ids = new Set(clientIds);
  return update(
    pending,
    (p) => ids.has(p.client_id) && p.status === 'queued',
    (p) => ({ ...p, status: 'sent' }),
  );
}

/**
 * The server stored the write as `seq`. When the channel has already applied that seq (the
 * event came first), the write is done and leaves the list.
 */
export function acknowledge(pending: Pending, clientId: string, seq: number, appliedInChannel: number): Pending {
  const op = pending.find((p) => p.client_id === clientId);
  if (!op) return pending;
  if (seq <= appliedInChannel) return pending.filter((p) => p !== op);
  return update(
    pending,
    (p) => p === op,
    (p) => ({ ...p, status: 'acked', seq, error: null }),
  );
}

/** An event was applied: the write that produced it (same author and client id) is done. */
export function eventApplied(pending: Pending, clientId: string): Pending {
  const next = pending.filter((p) => p.client_id !== clientId);
  return next.length === pending.length ? pending : next;
}

/** A channel reached `applied`: acknowledged writes at or below it are done. */
export function channelApplied(pending: Pending, channel: string, applied: number): Pending {
  const next = pending.filter((p) => !(p.channel === channel && p.status === 'acked' && p.seq !== null && p.seq <= applied));
  return next.length === pending.length ? pending : next;
}

/** Error codes after which the same frame should simply be sent again later. */
const RETRYABLE = new Set(['rate_limited', 'internal']);

/** The server refused the frame with this `ref`. */
export function refused(pending: Pending, ref: string, code: string, message: string, now: number): Pending {
  return update(
    pending,
    (p) => p.ref === ref && p.status === 'sent',
    (p) =>
      RETRYABLE.has(code)
        ? { ...p, status: 'queued', retryAt: now + (code === 'rate_limited' ? 1000 : 2000) }
        : { ...p, status: 'failed', error: message },
  );
}

/** The connection dropped: whatever was sent without an ack goes again on the next one. */
export function connectionLost(pending: Pending): Pending {
  return update(
    pending,
    (p) => p.status === 'sent',
    (p) => ({ ...p, status: 'queued', retryAt: 0 }),
  );
}

/** The user asked to try a failed write again (same client id: it can never be stored twice). */
export function retry(pending: Pending, clientId: string): Pending {
  return update(
    pending,
    (p) => p.client_id === clientId && p.status === 'failed',
    (p) => ({ ...p, status: 'queued', error: null, retryAt: 0 }),
  );
}

export function discard(pending: Pending, clientId: string): Pending {
  return pending.filter((p) => !(p.client_id === clientId && p.status === 'failed'));
}

/** Fails every write to a channel the person no longer belongs to. */
export function channelGone(pending: Pending, channel: string, message: string): Pending {
  return update(
    pending,
    (p) => p.channel === channel && p.status !== 'failed',
    (p) => ({ ...p, status: 'failed', error: message }),
  );
}

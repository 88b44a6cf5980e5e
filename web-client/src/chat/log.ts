// Applying a channel's log in order (pure). Every event has the channel's next sequence number;
// live events can arrive interleaved with a catch-up, twice, or out of order between senders.
// Events are applied strictly by `seq`: one already applied is a duplicate and ignored; one
// ahead of the next expected waits in a buffer until the gap before it fills. A gap that stays
// open for `GAP_SYNC_MS` means live delivery lost an event, and the client asks for a `sync`.

import type { ChatEvent } from './protocol';

/** How long a gap may stay open before the client sends `sync` (the protocol says ~2 s). */
export const GAP_SYNC_MS = 2000;
/** Events buffered ahead of a gap, at most; beyond it the rest come again with the sync. */
export const MAX_BUFFERED = 1000;

export interface LogState {
  /** The highest seq applied; everything up to it has been applied, in order. */
  readonly applied: number;
  /** The highest seq known to exist (from events, acks, caught_up, synced, channel views). */
  readonly known: number;
  /** Events received ahead of `applied + 1`, by seq. */
  readonly buffer: ReadonlyMap<number, ChatEvent>;
  /** When the current gap (known > applied) was first seen or last synced; null without one. */
  readonly gapSince: number | null;
}

/** A log that starts after `seq` (what the client already has, or the channel's position). */
export function newLog(seq: number): LogState {
  return { applied: seq, known: seq, buffer: new Map(), gapSince: null };
}

function withGap(log: LogState, now: number): LogState {
  const open = log.known > log.applied;
  const gapSince = open ? (log.gapSince ?? now) : null;
  return gapSince === log.gapSince ? log : { ...log, gapSince };
}

export interface Received {
  log: LogState;
  /** Events now applicable, in seq order (the new one and any buffered ones it unblocked). */
  ready: ChatEvent[];
  /** True when the event was already applied or buffered. */
  duplicate: boolean;
}

/** Receives one event of the channel. */
export function receive(log: LogState, event: ChatEvent, now: number): Received {
  const seq = event.seq;
  if (!Number.isInteger(seq) || seq <= log.applied || log.buffer.has(seq)) {
    return { log, ready: [], duplicate: true };
  }
  const known = Math.max(log.known, seq);
  if (seq !== log.applied + 1) {
    if (log.buffer.size >= MAX_BUFFERED) {
      // Drop it: the sync that closes the gap sends it again.
      return { log: withGap({ ...log, known }, now), ready: [], duplicate: false };
    }
    const buffer = new Map(log.buffer);
    buffer.set(seq, event);
    return { log: withGap({ ...log, known, buffer }, now), ready: [], duplicate: false };
  }
  const ready = [event];
  let applied = seq;
  let buffer = log.buffer;
  if (buffer.has(applied + 1)) {
    const rest = new Map(buffer);
    for (let next = rest.get(applied + 1); next; next = rest.get(applied + 1)) {
      rest.delete(applied + 1);
      ready.push(next);
      applied += 1;
    }
    buffer = rest;
  }
  // A gap that moved (part of it filled) starts its wait again.
  const next: LogState = { applied, known, buffer, gapSince: null };
  return { log: withGap(next, now), ready, duplicate: false };
}

/** Learns that the channel has reached `seq` (ack, caught_up, synced, a channel view). */
export function observe(log: LogState, seq: number, now: number): LogState {
  if (!Number.isInteger(seq) || seq <= log.known) return log;
  return withGap({ ...log, known: seq }, now);
}

/** Whether a gap has been open long enough to ask for a sync. */
export function needsSync(log: LogState, now: number, wait = GAP_SYNC_MS): boolean {
  return log.gapSince !== null && log.known > log.applied && now - log.gapSince >= wait;
}

/** A sync was sent: wait again before the next one. */
export function syncSent(log: LogState, now: number): LogState {
  return log.gapSince === null ? log : { ...log, gapSince: now };
}

import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  addPending,
  channelApplied,
  connectionLost,
  discard,
  dueForSending,
  eventApplied,
  markSent,
  refused,
  retry,
  type PendingOp,
} from './pending';

function op(clientId: string, overrides: Partial<PendingOp> = {}): PendingOp {
  return {
    client_id: clientId,
    ref: `w-${clientId}`,
    channel: 'ch',
    kind: 'send',
    body: 'hello',
    target: null,
    status: 'queued',
    seq: null,
    error: null,
    retryAt: 0,
    created_at: '2030-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('pending writes', () => {
  it('queues, sends, and finishes when the event is applied', () => {
    let p = addPending([], op('a'));
    p = addPending(p, op('a')); // the same client id is never queued twice
    expect(p).toHaveLength(1);
    expect(dueForSending(p, 0).map((x) => x.client_id)).toEqual(['a']);
    p = markSent(p, ['a']);
    expect(p[0]?.status).toBe('sent');
    expect(dueForSending(p, 0)).toEqual([]);
    p = acknowledge(p, 'a', 7, 6);
    expect(p[0]).toMatchObject({ status: 'acked', seq: 7 });
    p = eventApplied(p, 'a');
    expect(p).toEqual([]);
  });

  it('finishes at once when the event came before the ack', () => {
    const p = acknowledge(markSent([op('a')], ['a']), 'a', 7, 7);
    expect(p).toEqual([]);
  });

  it('finishes acknowledged writes when the channel reaches their seq (e.g. by catch-up)', () => {
    let p = acknowledge(markSent([op('a'), op('b', { channel: 'other' })], ['a', 'b']), 'a', 3, 0);
    p = acknowledge(p, 'b', 3, 0);
    p = channelApplied(p, 'ch', 3);
    expect(p.map((x) => x.client_id)).toEqual(['b']);
  });

  it('sends unacknowledged writes again after a reconnect, with the same client id', () => {
    let p = markSent([op('a'), op('b'), op('c')], ['a', 'b', 'c']);
    p = acknowledge(p, 'a', 1, 0);
    p = connectionLost(p);
    const again = dueForSending(p, 0);
    expect(again.map((x) => x.client_id)).toEqual(['b', 'c']);
    // The acknowledged one is not resent: its event comes with the catch-up.
    expect(p.find((x) => x.client_id === 'a')?.status).toBe('acked');
  });

  it('fails a write refused by slow mode or a mute, with the server’s words (not retried)', () => {
    let p = markSent([op('a'), op('b')], ['a', 'b']);
    p = refused(p, 'w-a', 'slow_mode', 'Slow mode: you can post again in 58 s', 1000);
    p = refused(p, 'w-b', 'muted', 'You are muted until 3 PM', 1000);
    expect(p.map((x) => x.status)).toEqual(['failed', 'failed']);
    expect(p[0]?.error).toBe('Slow mode: you can post again in 58 s');
    expect(dueForSending(p, 10_000)).toEqual([]);
  });

  it('retries rate-limited and internal errors later, fails on others', () => {
    let p = markSent([op('a'), op('b'), op('c')], ['a', 'b', 'c']);
    p = refused(p, 'w-a', 'rate_limited', 'slow down', 1000);
    p = refused(p, 'w-b', 'internal', 'oops', 1000);
    p = refused(p, 'w-c', 'read_only', 'only coordinators post in this channel', 1000);
    expect(p.map((x) => x.status)).toEqual(['queued', 'queued', 'failed']);
    expect(dueForSending(p, 1000)).toEqual([]);
    expect(dueForSending(p, 2000).map((x) => x.client_id)).toEqual(['a']);
    expect(dueForSending(p, 3000).map((x) => x.client_id)).toEqual(['a', 'b']);
    expect(p[2]?.error).toBe('only coordinators post in this channel');
    // A failed write can be retried (same client id) or discarded.
    const retried = retry(p, 'c');
    expect(retried[2]).toMatchObject({ status: 'queued', client_id: 'c', error: null });
    expect(discard(p, 'c').map((x) => x.client_id)).toEqual(['a', 'b']);
  });

  it('ignores an error for a ref it does not know', () => {
    const p = markSent([op('a')], ['a']);
    expect(refused(p, 'nope', 'invalid', 'x', 0)).toBe(p);
  });
});

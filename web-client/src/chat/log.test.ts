import { describe, expect, it } from 'vitest';
import { GAP_SYNC_MS, needsSync, newLog, observe, receive, syncSent, type LogState } from './log';
import { msg } from './testing';

function feed(log: LogState, seqs: number[], now = 0) {
  const applied: number[] = [];
  for (const seq of seqs) {
    const r = receive(log, msg(seq), now);
    log = r.log;
    applied.push(...r.ready.map((e) => e.seq));
  }
  return { log, applied };
}

describe('channel log', () => {
  it('applies events in order and ignores duplicates', () => {
    const { log, applied } = feed(newLog(0), [1, 2, 2, 1, 3]);
    expect(applied).toEqual([1, 2, 3]);
    expect(log.applied).toBe(3);
    expect(log.gapSince).toBeNull();
  });

  it('marks an event at or below the start position as a duplicate', () => {
    const r = receive(newLog(41), msg(41), 0);
    expect(r.duplicate).toBe(true);
    expect(r.ready).toEqual([]);
    expect(receive(newLog(41), msg(42), 0).ready.map((e) => e.seq)).toEqual([42]);
  });

  it('buffers events after a gap and applies them once it fills', () => {
    let { log, applied } = feed(newLog(0), [1, 3, 4], 100);
    expect(applied).toEqual([1]);
    expect(log.applied).toBe(1);
    expect(log.known).toBe(4);
    expect(log.gapSince).toBe(100);
    expect([...log.buffer.keys()]).toEqual([3, 4]);
    // A buffered event arriving again is a duplicate.
    expect(receive(log, msg(3), 150).duplicate).toBe(true);
    ({ log, applied } = feed(log, [2], 200));
    expect(applied).toEqual([2, 3, 4]);
    expect(log.applied).toBe(4);
    expect(log.buffer.size).toBe(0);
    expect(log.gapSince).toBeNull();
  });

  it('asks for a sync only after the gap stayed open for ~2 s', () => {
    const { log } = feed(newLog(0), [1, 3], 1000);
    expect(needsSync(log, 1000 + GAP_SYNC_MS - 1)).toBe(false);
    expect(needsSync(log, 1000 + GAP_SYNC_MS)).toBe(true);
    // After a sync request it waits again before the next one.
    const waiting = syncSent(log, 3000);
    expect(needsSync(waiting, 3000 + GAP_SYNC_MS - 1)).toBe(false);
    expect(needsSync(waiting, 3000 + GAP_SYNC_MS)).toBe(true);
  });

  it('restarts the wait when part of a gap fills', () => {
    let { log } = feed(newLog(0), [3], 0);
    ({ log } = feed(log, [1], 1500));
    expect(log.applied).toBe(1);
    expect(log.gapSince).toBe(1500);
    expect(needsSync(log, 2100)).toBe(false);
    expect(needsSync(log, 3500)).toBe(true);
  });

  it('learns of events it has not received from acks and catch-up positions', () => {
    const log = observe(newLog(5), 7, 50);
    expect(log.known).toBe(7);
    expect(log.gapSince).toBe(50);
    expect(needsSync(log, 50 + GAP_SYNC_MS)).toBe(true);
    // Positions at or below what is applied change nothing.
    const same = newLog(5);
    expect(observe(same, 5, 0)).toBe(same);
    expect(observe(same, 3, 0)).toBe(same);
    // The events arriving close the gap.
    const { log: done } = feed(log, [6, 7], 60);
    expect(done.gapSince).toBeNull();
    expect(needsSync(done, 10_000)).toBe(false);
  });
});

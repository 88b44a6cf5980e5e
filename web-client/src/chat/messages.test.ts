import { describe, expect, it } from 'vitest';
import { applyEvent, applyHistory, EMPTY_MESSAGES, newer, ordered } from './messages';
import { del, edit, msg } from './testing';

const T1 = '2030-01-01T12:00:00Z';
const T2 = '2030-01-01T12:05:00Z';

describe('messages', () => {
  it('adds messages and applies live edits and deletes with their new state', () => {
    let m = applyEvent(EMPTY_MESSAGES, msg(1));
    m = applyEvent(m, { ...edit(2, 1, 'changed'), message: { ...msg(1), body: 'changed', edited_at: T2 } });
    expect(m.bySeq.get(1)?.body).toBe('changed');
    expect(m.bySeq.get(1)?.edited_at).toBe(T2);
    m = applyEvent(m, { ...del(3, 1), message: { ...msg(1), body: '', deleted_at: T2 } });
    expect(m.bySeq.get(1)?.deleted_at).toBe(T2);
    expect(m.bySeq.get(1)?.body).toBe('');
    // Edits and deletes are not messages themselves.
    expect(ordered(m).map((x) => x.seq)).toEqual([1]);
  });

  it('applies catch-up edits and deletes, which carry no message', () => {
    let m = applyEvent(EMPTY_MESSAGES, msg(1));
    m = applyEvent(m, edit(2, 1, 'caught up', { created_at: T2 }));
    expect(m.bySeq.get(1)).toMatchObject({ body: 'caught up', edited_at: T2 });
    m = applyEvent(m, del(3, 1, { created_at: T2 }));
    expect(m.bySeq.get(1)).toMatchObject({ body: '', deleted_at: T2 });
  });

  it('keeps a change to a message not loaded yet and applies it when history brings it', () => {
    let m = applyEvent(EMPTY_MESSAGES, edit(9, 4, 'new text', { created_at: T2 }));
    expect(m.bySeq.size).toBe(0);
    m = applyHistory(m, [{ ...msg(4), body: 'old text', edited_at: null }]);
    expect(m.bySeq.get(4)?.body).toBe('new text');
    expect(m.patches.size).toBe(0);
  });

  it('never lets an older state (stale history) overwrite a newer one', () => {
    let m = applyEvent(EMPTY_MESSAGES, msg(1));
    m = applyEvent(m, del(2, 1, { created_at: T2 }));
    m = applyHistory(m, [{ ...msg(1), body: 'stale', edited_at: T1 }]);
    expect(m.bySeq.get(1)).toMatchObject({ body: '', deleted_at: T2 });
    const edited = { ...msg(1), body: 'v2', edited_at: T2 };
    expect(newer(edited, { body: 'v1', edited_at: T1, deleted_at: null }).body).toBe('v2');
    expect(newer({ ...msg(1), body: 'v1', edited_at: T1 }, { body: 'v2', edited_at: T2, deleted_at: null }).body).toBe('v2');
  });

  it('merges history pages and live messages without duplicates, in seq order', () => {
    let m = applyEvent(EMPTY_MESSAGES, msg(5));
    m = applyHistory(m, [msg(5), msg(4), msg(3)]);
    m = applyHistory(m, [msg(2), msg(1)]);
    m = applyEvent(m, msg(6));
    expect(ordered(m).map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps the body of a message as plain data (rendering is text)', () => {
    const m = applyEvent(EMPTY_MESSAGES, msg(1, { body: '<img src=x onerror=alert(1)>\nline 2' }));
    expect(m.bySeq.get(1)?.body).toBe('<img src=x onerror=alert(1)>\nline 2');
  });
});

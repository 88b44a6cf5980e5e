import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial';

describe('SerialQueue', () => {
  it('handles actions pushed while handling after the current one, in order', () => {
    const seen: string[] = [];
    const q: SerialQueue<string> = new SerialQueue((a) => {
      seen.push(`start ${a}`);
      if (a === 'a') {
        q.push('b');
        q.push('c');
      }
      seen.push(`end ${a}`);
    });
    q.push('a');
    expect(seen).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps working after a handler throws', () => {
    const seen: number[] = [];
    const q = new SerialQueue<number>((n) => {
      if (n === 1) throw new Error('boom');
      seen.push(n);
    });
    expect(() => q.push(1)).toThrow('boom');
    q.push(2);
    expect(seen).toEqual([2]);
  });
});

import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, reconnectDelay } from './backoff';

describe('reconnect backoff', () => {
  it('doubles from 0.5 s to 15 s with equal jitter', () => {
    const low = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => reconnectDelay(a, 1006, 0));
    const high = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => reconnectDelay(a, 1006, 1));
    expect(low).toEqual([250, 500, 1000, 2000, 4000, 7500, 7500, 7500]);
    expect(high).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    for (let a = 0; a < 40; a++) expect(reconnectDelay(a, null, 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });

  it('reconnects almost at once after 4010 and 4012, then backs off if that fails', () => {
    for (const code of [4010, 4012]) {
      expect(reconnectDelay(0, code, 0)).toBe(50);
      expect(reconnectDelay(0, code, 1)).toBe(300);
      expect(reconnectDelay(1, code, 0)).toBe(500);
    }
  });

  it('spreads clients out', () => {
    const delays = new Set([0.1, 0.3, 0.5, 0.7, 0.9].map((r) => reconnectDelay(3, 1006, r)));
    expect(delays.size).toBe(5);
  });
});

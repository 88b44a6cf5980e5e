// When to reconnect (pure): exponential backoff from 0.5 s doubling to 15 s with jitter, so a
// server restart is not met by every client at the same instant. A close that asks the client
// to resume at once (4010 too slow, 4012 node restarting) reconnects almost immediately.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 15_000;

/** Close codes after which the client reconnects right away (with a little jitter). */
export const RESUME_NOW_CODES: ReadonlySet<number> = new Set([4010, 4012]);

/**
 * The delay before reconnect attempt `attempt` (0 for the first after a working connection),
 * given the close code and a random number in [0, 1). Equal jitter: half the step is fixed,
 * half random, so delays still grow while clients spread out.
 */
export function reconnectDelay(attempt: number, closeCode: number | null, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  if (attempt === 0 && closeCode !== null && RESUME_NOW_CODES.has(closeCode)) {
    return Math.round(50 + r * 250);
  }
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 16)));
  return Math.round(step / 2 + (r * step) / 2);
}

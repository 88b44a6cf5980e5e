// Whether an event's live room can be entered now, from the event's view alone (before joining;
// the server has the last word, docs/events.md "The live room"): it opens 30 minutes before the
// start and can be entered until two hours after the scheduled end, unless the host ended it
// (`ended_at`) — then a Join button would only be refused (`not_open`).
import type { GroupEvent } from '../api/events';
import { eventEndMs, eventStartMs } from '../lib/events';

/** The room opens this long before the start. */
export const OPENS_BEFORE_MS = 30 * 60_000;
/** The room can be entered until this long after the scheduled end. */
export const CLOSES_AFTER_MS = 2 * 60 * 60_000;

/**
 * The part of the event's view this needs. `ended_at` (RFC 3339, when the host ended the room) is
 * always in the server's view of an event (null before); optional here, so that an event's times alone will do.
 */
export type RoomEvent = Pick<GroupEvent, 'starts_at' | 'duration_min'> & { readonly ended_at?: string | null };

export type RoomAvailability =
  | { readonly kind: 'not_yet'; readonly opensAt: number }
  | { readonly kind: 'open' }
  /** The host ended it. */
  | { readonly kind: 'ended' }
  /** Two hours past the scheduled end. */
  | { readonly kind: 'closed' };

export function roomAvailability(event: RoomEvent, now: number): RoomAvailability {
  if (event.ended_at) return { kind: 'ended' };
  if (now > eventEndMs(event) + CLOSES_AFTER_MS) return { kind: 'closed' };
  const opensAt = eventStartMs(event) - OPENS_BEFORE_MS;
  if (now < opensAt) return { kind: 'not_yet', opensAt };
  return { kind: 'open' };
}

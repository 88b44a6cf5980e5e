// A program's code of conduct (docs/safety.md), what the UI says and decides without React: how
// the server's refusals name it (a message, a call, going to an event, entering an event's room
// are refused until the member accepts the current version), what saving a new version does,
// and the refusals of the API in words.
import { ApiError, errorMessage } from '../api/client';
import type { Conduct } from '../api/types';

/** The server's words when something is refused for want of accepting the code of conduct. */
export const CONDUCT_FIRST = "accept the program's code of conduct first";

/** The longest code of conduct, as the API counts characters. */
export const MAX_CONDUCT = 20_000;

/** Where the prompt to accept is on every page (Layout), for links and focus. */
export const CONDUCT_PROMPT_ID = 'code-of-conduct';

function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/[’‘]/g, "'").replace(/\.$/, '');
}

/**
 * Whether a refusal is the code of conduct's: the chat's `conduct_required` error, or a call,
 * room or HTTP refusal (`forbidden`, 403) with its words.
 */
export function isConductRefusal(refusal: unknown): boolean {
  if (refusal instanceof ApiError) return refusal.code === 'conduct_required' || isConductRefusal(refusal.message);
  if (typeof refusal === 'string') return normalize(refusal) === CONDUCT_FIRST;
  if (typeof refusal === 'object' && refusal !== null) {
    const { code, message } = refusal as { code?: unknown; message?: unknown };
    return code === 'conduct_required' || (typeof message === 'string' && isConductRefusal(message));
  }
  return false;
}

/** What saving a changed code does, said next to the editor. */
export const NEW_VERSION_EXPLAINED =
  'Saving a changed text makes a new version: every member (coordinators aside) is asked to accept it again, on every device, before they can post a message, call their match, say they are going to an event or enter an event’s room. Reading stays open. Saving the same text again changes nothing.';

/** Why a code of conduct cannot be saved, or null. */
export function conductTextProblem(text: string): string | null {
  if (text.trim() === '') return 'Write the code of conduct first.';
  const length = Array.from(text).length;
  return length > MAX_CONDUCT ? `A code of conduct can have at most ${MAX_CONDUCT} characters; this one has ${length}.` : null;
}

/** Said after saving: a new version (which everyone accepts again), or the same one. */
export function conductSaved(before: number | null | undefined, after: Pick<Conduct, 'version'>): string {
  if (after.version == null) return 'Saved.';
  if (before != null && before === after.version) {
    return `Saved. The text did not change, so it is still version ${after.version} and nobody is asked again.`;
  }
  return `Saved as version ${after.version}. Every member will be asked to accept it before they post, call or join events.`;
}

/** The editor's line about the current version; `when` formats its date. */
export function conductVersionText(conduct: Pick<Conduct, 'version' | 'updated_at'>, when: (iso: string) => string): string {
  if (conduct.version == null) return 'This program has no code of conduct yet.';
  return conduct.updated_at ? `Version ${conduct.version}, saved ${when(conduct.updated_at)}.` : `Version ${conduct.version}.`;
}

/** Said once I accepted a program's code. */
export function acceptedText(programName: string): string {
  return `You accepted the code of conduct of ${programName}. You can post, call and join events there.`;
}

/** Why accepting did not go through: 409 when a newer version came out meanwhile. */
export function acceptErrorMessage(error: unknown, programName: string): string {
  if (error instanceof ApiError && error.status === 409) {
    return `The code of conduct of ${programName} changed while you were reading it. Read the new version and accept it.`;
  }
  return errorMessage(error);
}

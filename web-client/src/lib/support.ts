// Asking a program's coordinators for support about one's own match (POST /api/matches/{id}/support):
// what the person is told before anything is sent, the check of their optional note (the API
// takes at most 1,000 characters, counted after trimming, as here), and the outcome in words.
import type { FieldErrors } from '../api/client';

export const MAX_SUPPORT_NOTE = 1000;

/** Said before sending: who learns what. The other person of the match is never told. */
export function supportSharing(otherName: string): string {
  return `Your program’s coordinators will see that you asked, and what you write here. ${otherName} is not told.`;
}

/** The note's check, keyed `note` as the API names the field; no errors when it may be sent. */
export function validateSupportNote(note: string): FieldErrors {
  // Characters as the server counts them (code points), not UTF-16 units.
  const length = Array.from(note.trim()).length;
  if (length > MAX_SUPPORT_NOTE) return { note: `Use at most ${MAX_SUPPORT_NOTE} characters; this has ${length}.` };
  return {};
}

export const SUPPORT_SENT = 'Your coordinators were told. One of them will get in touch with you.';

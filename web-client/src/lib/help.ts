// The "get help now" panel's rules, kept apart from the components so that they can be tested.
import { MAX_HELP_TEXT } from '../api/programData';

/** What is wrong with a panel's text as the coordinator typed it, if anything. */
export function helpTextError(text: string): string | undefined {
  const length = Array.from(text.trim()).length;
  if (length > MAX_HELP_TEXT) return `Use at most ${MAX_HELP_TEXT} characters; this has ${length}.`;
  // Line breaks and tabs are kept; other control characters (pasted from elsewhere) are refused
  // by the API, so they are named here first.
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return 'Remove the invisible control characters (pasted text can carry them).';
  return undefined;
}

/** The status after saving: what members now see. */
export function helpSaved(text: string): string {
  return text.trim() === ''
    ? 'Help panel removed. Members see only the general advice under Get help now.'
    : 'Help panel saved. Every member of the program sees it under Get help now, on every page.';
}

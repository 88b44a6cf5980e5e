// Splits email text into plain text and links, keeping as links only those that point at this
// site's own origin: outbox mail is rendered as text, and a link to anywhere else stays inert.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; href: string };

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/** True when `href` is on `origin` exactly (not a longer host name, not user-info tricks). */
export function isSameOrigin(href: string, origin: string): boolean {
  if (!href.startsWith(origin)) return false;
  const next = href.charAt(origin.length);
  if (next !== '' && next !== '/' && next !== '?' && next !== '#') return false;
  try {
    return new URL(href).origin === origin;
  } catch {
    return false;
  }
}

export function linkify(text: string, origin: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  const pushText = (t: string) => {
    if (t === '') return;
    const prev = segments[segments.length - 1];
    if (prev && prev.kind === 'text') prev.text += t;
    else segments.push({ kind: 'text', text: t });
  };
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    let candidate = match[0];
    const trailing = TRAILING_PUNCTUATION.exec(candidate);
    if (trailing) candidate = candidate.slice(0, candidate.length - trailing[0].length);
    pushText(text.slice(last, start));
    if (candidate !== '' && isSameOrigin(candidate, origin)) {
      segments.push({ kind: 'link', href: candidate });
    } else {
      pushText(candidate);
    }
    last = start + candidate.length;
  }
  pushText(text.slice(last));
  return segments;
}

/**
 * The path to return to after signing in: only a same-site absolute path, never a protocol-
 * relative or absolute URL that would send the user elsewhere.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/programs'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/login')) return fallback;
  return next;
}

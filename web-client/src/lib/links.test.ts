import { describe, expect, it } from 'vitest';
import { isSameOrigin, linkify, safeNextPath } from './links';

const ORIGIN = 'http://127.0.0.1:4321';

describe('linkify', () => {
  it('links only URLs on the page origin and keeps the rest as text', () => {
    const body = `Hello,\nJoin here: ${ORIGIN}/invite/abc123.\nOr visit https://evil.example/phish now.`;
    expect(linkify(body, ORIGIN)).toEqual([
      { kind: 'text', text: 'Hello,\nJoin here: ' },
      { kind: 'link', href: `${ORIGIN}/invite/abc123` },
      { kind: 'text', text: '.\nOr visit https://evil.example/phish now.' },
    ]);
  });

  it('does not treat look-alike hosts as the same origin', () => {
    expect(isSameOrigin(`${ORIGIN}.evil.example/x`, ORIGIN)).toBe(false);
    expect(isSameOrigin(`${ORIGIN}0/x`, ORIGIN)).toBe(false);
    expect(isSameOrigin(`${ORIGIN}@evil.example/x`, ORIGIN)).toBe(false);
    expect(isSameOrigin(`${ORIGIN}/reset-password/t?x=1#y`, ORIGIN)).toBe(true);
    expect(isSameOrigin(ORIGIN, ORIGIN)).toBe(true);
  });

  it('handles text without links', () => {
    expect(linkify('no links', ORIGIN)).toEqual([{ kind: 'text', text: 'no links' }]);
    expect(linkify('', ORIGIN)).toEqual([]);
  });
});

describe('safeNextPath', () => {
  it('allows same-site paths only', () => {
    expect(safeNextPath('/programs/7?x=1')).toBe('/programs/7?x=1');
    expect(safeNextPath('//evil.example')).toBe('/programs');
    expect(safeNextPath('/\\evil.example')).toBe('/programs');
    expect(safeNextPath('https://evil.example')).toBe('/programs');
    expect(safeNextPath(null)).toBe('/programs');
    expect(safeNextPath('/login?next=/x')).toBe('/programs');
  });
});

import { describe, expect, it } from 'vitest';
import { helpSaved, helpTextError } from './help';

describe('helpTextError', () => {
  it('accepts text with line breaks, and empty text', () => {
    expect(helpTextError('Call the office:\n+1 555 0100\tweekdays')).toBeUndefined();
    expect(helpTextError('   ')).toBeUndefined();
  });

  it('counts characters as the API does, after trimming', () => {
    expect(helpTextError(`  ${'é'.repeat(4000)}  `)).toBeUndefined();
    expect(helpTextError('x'.repeat(4001))).toBe('Use at most 4000 characters; this has 4001.');
  });

  it('names control characters', () => {
    expect(helpTextError('a\u0007b')).toMatch(/control characters/);
  });
});

describe('helpSaved', () => {
  it('says whether members see a panel', () => {
    expect(helpSaved('Call us')).toMatch(/Every member/);
    expect(helpSaved('  ')).toMatch(/removed/);
  });
});

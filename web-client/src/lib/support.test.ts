import { describe, expect, it } from 'vitest';
import { MAX_SUPPORT_NOTE, supportSharing, validateSupportNote } from './support';

describe('asking for support', () => {
  it('says who learns what before anything is sent', () => {
    const text = supportSharing('Kwame');
    expect(text).toContain('coordinators will see that you asked, and what you write here');
    expect(text).toMatch(/Kwame is not told\.$/);
  });

  it('takes no note, or one of at most 1000 characters after trimming', () => {
    expect(validateSupportNote('')).toEqual({});
    expect(validateSupportNote('   ')).toEqual({});
    expect(validateSupportNote(` ${'a'.repeat(MAX_SUPPORT_NOTE)}\n`)).toEqual({});
    expect(validateSupportNote('a'.repeat(MAX_SUPPORT_NOTE + 1))).toEqual({
      note: 'Use at most 1000 characters; this has 1001.',
    });
  });

  it('counts characters as the server does, not UTF-16 units', () => {
    // Each emoji is one character but two UTF-16 units.
    expect(validateSupportNote('😀'.repeat(MAX_SUPPORT_NOTE))).toEqual({});
    expect(validateSupportNote('😀'.repeat(MAX_SUPPORT_NOTE + 1)).note).toMatch(/this has 1001\.$/);
  });
});

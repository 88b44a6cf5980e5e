import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import {
  acceptedText,
  acceptErrorMessage,
  CONDUCT_FIRST,
  conductSaved,
  conductTextProblem,
  conductVersionText,
  isConductRefusal,
  NEW_VERSION_EXPLAINED,
} from './conduct';

describe('refusals for want of accepting the code of conduct', () => {
  it('are known by the chat’s code, or by the server’s words on a call, a room or an HTTP refusal', () => {
    expect(isConductRefusal({ code: 'conduct_required', message: 'anything' })).toBe(true);
    expect(isConductRefusal({ code: 'forbidden', message: CONDUCT_FIRST })).toBe(true);
    expect(isConductRefusal({ code: 'forbidden', message: 'you cannot reach this person' })).toBe(false);
    expect(isConductRefusal(new ApiError(403, 'forbidden', "accept the program's code of conduct first"))).toBe(true);
    expect(isConductRefusal(new ApiError(403, 'forbidden', 'you do not have permission'))).toBe(false);
    // The words as a failed message keeps them, or typeset.
    expect(isConductRefusal("accept the program's code of conduct first")).toBe(true);
    expect(isConductRefusal('Accept the program’s code of conduct first.')).toBe(true);
    expect(isConductRefusal('this conversation is closed to new messages')).toBe(false);
    expect(isConductRefusal(null)).toBe(false);
  });
});

describe('the coordinators’ editor', () => {
  it('refuses an empty or too long code', () => {
    expect(conductTextProblem('  ')).toBe('Write the code of conduct first.');
    expect(conductTextProblem('Be kind.')).toBeNull();
    expect(conductTextProblem('x'.repeat(20_001))).toBe(
      'A code of conduct can have at most 20000 characters; this one has 20001.',
    );
  });

  it('says whether saving made a new version that everyone accepts again', () => {
    expect(conductSaved(null, { version: 1 })).toBe(
      'Saved as version 1. Every member will be asked to accept it before they post, call or join events.',
    );
    expect(conductSaved(1, { version: 2 })).toMatch(/^Saved as version 2\./);
    expect(conductSaved(2, { version: 2 })).toBe(
      'Saved. The text did not change, so it is still version 2 and nobody is asked again.',
    );
    expect(NEW_VERSION_EXPLAINED).toContain('every member (coordinators aside) is asked to accept it again');
  });

  it('names the current version and when it was saved', () => {
    expect(conductVersionText({ version: null, updated_at: null }, (d) => d)).toBe('This program has no code of conduct yet.');
    expect(conductVersionText({ version: 3, updated_at: '2030-01-01' }, (d) => `on ${d}`)).toBe('Version 3, saved on 2030-01-01.');
  });
});

describe('accepting', () => {
  it('thanks, and says when a newer version came out meanwhile', () => {
    expect(acceptedText('Safe Mentoring')).toBe(
      'You accepted the code of conduct of Safe Mentoring. You can post, call and join events there.',
    );
    expect(acceptErrorMessage(new ApiError(409, 'conflict', 'not the current version'), 'Safe Mentoring')).toBe(
      'The code of conduct of Safe Mentoring changed while you were reading it. Read the new version and accept it.',
    );
    expect(acceptErrorMessage(new ApiError(404, 'not_found', 'not found'), 'Safe Mentoring')).toBe('Not found');
  });
});

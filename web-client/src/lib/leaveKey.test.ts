import { describe, expect, it } from 'vitest';
import { isLeaveKey } from './leaveKey';

const key = (over: Partial<Parameters<typeof isLeaveKey>[0]>) => ({
  key: 'Escape',
  shiftKey: true,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  isComposing: false,
  ...over,
});

describe('isLeaveKey', () => {
  it('is Shift+Escape alone', () => {
    expect(isLeaveKey(key({}))).toBe(true);
    expect(isLeaveKey(key({ shiftKey: false }))).toBe(false);
    expect(isLeaveKey(key({ ctrlKey: true }))).toBe(false);
    expect(isLeaveKey(key({ altKey: true }))).toBe(false);
    expect(isLeaveKey(key({ metaKey: true }))).toBe(false);
    expect(isLeaveKey(key({ isComposing: true }))).toBe(false);
    expect(isLeaveKey(key({ key: 'Enter' }))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  blankToNull,
  isValidEmail,
  validateInvite,
  validateLogin,
  validateNewPassword,
  validateProgram,
} from './validation';

describe('validation', () => {
  it('checks emails pragmatically', () => {
    expect(isValidEmail('ada@example.org')).toBe(true);
    expect(isValidEmail(' ada@example.org ')).toBe(true);
    expect(isValidEmail('not-an-email')).toBe(false);
    expect(isValidEmail('a@b')).toBe(false);
    expect(isValidEmail('a b@c.org')).toBe(false);
  });

  it('requires both login fields', () => {
    expect(validateLogin('', '')).toEqual({ email: 'Enter your email address.', password: 'Enter your password.' });
    expect(validateLogin('x@y.org', 'pw')).toEqual({});
  });

  it('requires a long enough, confirmed new password', () => {
    expect(validateNewPassword('short', 'short').password).toMatch(/at least 10/);
    expect(validateNewPassword('long-enough-pw', 'different').confirm).toMatch(/do not match/);
    expect(validateNewPassword('long-enough-pw', '').confirm).toMatch(/again/);
    expect(validateNewPassword('long-enough-pw', 'long-enough-pw')).toEqual({});
  });

  it('validates an invitation', () => {
    expect(Object.keys(validateInvite('', 'bad'))).toEqual(['name', 'email']);
    expect(validateInvite('Ann', 'ann@example.org')).toEqual({});
  });

  it('rejects a program that ends before it starts', () => {
    expect(validateProgram('P', '2025-02-01', '2025-01-31').ends_on).toMatch(/on or after/);
    expect(validateProgram('P', '2025-01-01', '2025-01-01')).toEqual({});
    expect(validateProgram(' ', '', '').name).toBeDefined();
  });

  it('turns blank text into null', () => {
    expect(blankToNull('   ')).toBeNull();
    expect(blankToNull(' she/her ')).toBe('she/her');
  });
});

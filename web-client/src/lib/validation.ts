// Client-side checks that mirror the server's rules, so people see mistakes before a round
// trip. The server checks again and its `fields` errors are shown the same way.
import type { FieldErrors } from '../api/client';

export const MIN_PASSWORD_LENGTH = 10;

/** A pragmatic email check: something@something.tld with no spaces. */
export function isValidEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}

export function validateLogin(email: string, password: string): FieldErrors {
  const errors: FieldErrors = {};
  if (email.trim() === '') errors.email = 'Enter your email address.';
  else if (!isValidEmail(email)) errors.email = 'Enter a valid email address, like name@example.org.';
  if (password === '') errors.password = 'Enter your password.';
  return errors;
}

export function validateEmailOnly(email: string): FieldErrors {
  if (email.trim() === '') return { email: 'Enter your email address.' };
  if (!isValidEmail(email)) return { email: 'Enter a valid email address, like name@example.org.' };
  return {};
}

/** A new password and its confirmation. Errors are keyed `password` and `confirm`. */
export function validateNewPassword(password: string, confirm: string): FieldErrors {
  const errors: FieldErrors = {};
  if (password.length < MIN_PASSWORD_LENGTH) {
    errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (confirm === '') errors.confirm = 'Enter the password again.';
  else if (confirm !== password) errors.confirm = 'The passwords do not match.';
  return errors;
}

export function validateInvite(name: string, email: string): FieldErrors {
  const errors: FieldErrors = {};
  if (name.trim() === '') errors.name = 'Enter the person’s name.';
  if (email.trim() === '') errors.email = 'Enter an email address.';
  else if (!isValidEmail(email)) errors.email = 'Enter a valid email address, like name@example.org.';
  return errors;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateProgram(name: string, startsOn: string, endsOn: string): FieldErrors {
  const errors: FieldErrors = {};
  if (name.trim() === '') errors.name = 'Enter a program name.';
  if (startsOn !== '' && !DATE.test(startsOn)) errors.starts_on = 'Enter a date as YYYY-MM-DD.';
  if (endsOn !== '' && !DATE.test(endsOn)) errors.ends_on = 'Enter a date as YYYY-MM-DD.';
  // ISO dates compare correctly as strings.
  if (!errors.starts_on && !errors.ends_on && startsOn !== '' && endsOn !== '' && endsOn < startsOn) {
    errors.ends_on = 'The end date must be on or after the start date.';
  }
  return errors;
}

/** Empty or blank text becomes null, which the API takes as "clear this field". */
export function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

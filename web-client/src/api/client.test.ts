import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  errorMessage,
  fieldErrors,
  formErrorMessage,
  parseApiError,
  query,
  request,
  sentence,
  setCsrfToken,
  setFetch,
} from './client';

describe('parseApiError', () => {
  it('reads code, message and fields from the documented shape', () => {
    const e = parseApiError(
      422,
      JSON.stringify({
        error: { code: 'validation', message: 'Check the form', fields: { email: 'must be a valid email' } },
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('validation');
    expect(e.message).toBe('Check the form');
    expect(e.fields).toEqual({ email: 'must be a valid email' });
  });

  it('joins field errors given as arrays and drops non-strings', () => {
    const e = parseApiError(
      422,
      JSON.stringify({ error: { code: 'validation', message: 'x', fields: { a: ['one', 'two'], b: 3, c: [] } } }),
    );
    expect(e.fields).toEqual({ a: 'one; two' });
  });

  it('falls back to a readable message for non-JSON bodies', () => {
    const e = parseApiError(502, '<html>Bad gateway</html>');
    expect(e.code).toBe('server_error');
    expect(e.message).toMatch(/server had a problem/);
    expect(e.fields).toEqual({});
  });

  it('falls back per status when the error object is missing or empty', () => {
    expect(parseApiError(429, '{}').code).toBe('rate_limited');
    expect(parseApiError(429, '{}').message).toMatch(/Too many attempts/);
    expect(parseApiError(410, JSON.stringify({ error: { code: 'gone', message: '  ' } })).message).toBe(
      'This link is no longer valid.',
    );
    expect(parseApiError(418, '').message).toBe('The request failed (HTTP 418).');
  });
});

describe('errorMessage', () => {
  it('describes network failures in plain words', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/);
    expect(errorMessage(new ApiError(403, 'forbidden', 'Nope'))).toBe('Nope');
    expect(errorMessage('weird')).toBe('Something went wrong.');
  });
});

describe('request', () => {
  afterEach(() => setCsrfToken(null));

  function recordingFetch(status: number, body: string, calls: { url: string; init: RequestInit }[]) {
    setFetch(async (url, init) => {
      calls.push({ url, init });
      return new Response(status === 204 ? null : body, { status });
    });
  }

  it('sends the CSRF token on non-GET requests only, with same-origin credentials', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    recordingFetch(200, '{"ok":true}', calls);
    setCsrfToken('tok123');
    await request('GET', '/api/me');
    await request('PATCH', '/api/me', { json: { name: 'A' } });
    const [get, patch] = calls;
    expect((get!.init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
    expect((patch!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok123');
    expect((patch!.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(patch!.init.body).toBe('{"name":"A"}');
    expect(patch!.init.credentials).toBe('same-origin');
  });

  it('sends raw bodies with their content type', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    recordingFetch(200, '{"created":[],"errors":[]}', calls);
    await request('POST', '/api/x/import', { body: 'name,email,role\n', contentType: 'text/csv' });
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBe('text/csv');
    expect(calls[0]!.init.body).toBe('name,email,role\n');
  });

  it('returns undefined for 204 and throws ApiError for failures', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    recordingFetch(204, '', calls);
    await expect(request('POST', '/api/auth/logout')).resolves.toBeUndefined();
    recordingFetch(401, JSON.stringify({ error: { code: 'invalid_credentials', message: 'Wrong email or password' } }), calls);
    await expect(request('POST', '/api/auth/login')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
      message: 'Wrong email or password',
    });
  });
});

describe('query', () => {
  it('omits empty values and encodes the rest', () => {
    expect(query({ status: 'pending', cursor: null, limit: undefined })).toBe('?status=pending');
    expect(query({ cursor: 'a b&c' })).toBe('?cursor=a+b%26c');
    expect(query({})).toBe('');
  });
});

describe('messages for display', () => {
  it('capitalises server messages and field errors', () => {
    expect(sentence(' wrong email or password')).toBe('Wrong email or password');
    const e = parseApiError(422, JSON.stringify({ error: { code: 'validation', message: 'name: is required', fields: { name: 'is required' } } }));
    expect(fieldErrors(e)).toEqual({ name: 'Is required' });
    expect(errorMessage(e)).toBe('Name: is required');
  });

  it('points at the fields when they show every problem, else keeps the message', () => {
    const e = parseApiError(422, JSON.stringify({ error: { code: 'validation', message: 'file: bad header', fields: { file: 'bad header' } } }));
    expect(formErrorMessage(e, ['file'])).toBe('Please correct the problems marked below.');
    expect(formErrorMessage(e, ['name'])).toBe('File: bad header');
    expect(formErrorMessage(new ApiError(409, 'conflict', 'already invited'), ['name'])).toBe('Already invited');
  });
});

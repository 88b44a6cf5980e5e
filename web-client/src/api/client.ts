// The one place that talks HTTP to the Kindred API: JSON in and out, the CSRF header on every
// non-GET request, and every failure turned into an `ApiError` whose message is fit to show.

export type FieldErrors = Record<string, string>;

/** A failed API call. `message` is always human readable; `fields` maps form fields to problems. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not understood.',
  401: 'Please sign in.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with something that already exists.',
  410: 'This link is no longer valid.',
  413: 'That is too large to upload.',
  422: 'Please correct the highlighted fields.',
  429: 'Too many attempts. Please wait a minute and try again.',
};

const FALLBACK_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  422: 'validation',
  429: 'rate_limited',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds an ApiError from a response's status and body text. Tolerates bodies that are not
 * the documented `{"error": {code, message, fields?}}` shape (proxies, crashes, HTML pages)
 * so the user always gets a sensible message rather than a JSON parse error.
 */
export function parseApiError(status: number, bodyText: string): ApiError {
  const fallbackCode = FALLBACK_CODES[status] ?? (status >= 500 ? 'server_error' : 'error');
  const fallbackMessage =
    FALLBACK_MESSAGES[status] ??
    (status >= 500
      ? 'The server had a problem. Please try again in a moment.'
      : `The request failed (HTTP ${status}).`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return new ApiError(status, fallbackCode, fallbackMessage);
  }
  const err = isRecord(parsed) ? parsed.error : undefined;
  if (!isRecord(err)) return new ApiError(status, fallbackCode, fallbackMessage);
  const code = typeof err.code === 'string' && err.code !== '' ? err.code : fallbackCode;
  const message =
    typeof err.message === 'string' && err.message.trim() !== '' ? err.message : fallbackMessage;
  const fields: FieldErrors = {};
  if (isRecord(err.fields)) {
    for (const [key, value] of Object.entries(err.fields)) {
      if (typeof value === 'string') fields[key] = value;
      else if (Array.isArray(value)) {
        const texts = value.filter((v): v is string => typeof v === 'string');
        if (texts.length > 0) fields[key] = texts.join('; ');
      }
    }
  }
  return new ApiError(status, code, message, fields);
}

/** Starts a server message with a capital letter ("wrong password" → "Wrong password"). */
export function sentence(text: string): string {
  const t = text.trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Turns anything thrown into text to show the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return sentence(error.message);
  if (error instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** Field errors of an ApiError, ready to show under their fields, or none. */
export function fieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(error.fields)) out[key] = sentence(value);
  return out;
}

/**
 * The message to show above a form. When every field error will be shown next to its field
 * (the form has all of `shownFields`), a short pointer is enough; otherwise the API's message
 * is shown so nothing is lost.
 */
export function formErrorMessage(error: unknown, shownFields: readonly string[]): string {
  if (error instanceof ApiError) {
    const keys = Object.keys(error.fields);
    if (keys.length > 0 && keys.every((k) => shownFields.includes(k))) {
      return 'Please correct the problems marked below.';
    }
  }
  return errorMessage(error);
}

// The CSRF token belongs to the session cookie; it is kept here, not in storage, because it
// comes back with every session response and a page reload fetches the session anew.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface RequestOptions {
  /** A JSON body. */
  json?: unknown;
  /** A raw body (e.g. CSV text) with its content type. */
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

let fetchImpl: FetchLike = (input, init) => fetch(input, init);

/** Replaces fetch (for tests). */
export function setFetch(impl: FetchLike): void {
  fetchImpl = impl;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestWithStatus<T>(method, path, options)).data;
}

/** Like `request`, with the HTTP status of the success (e.g. 201 created vs 200 existing). */
export async function requestWithStatus<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<{ status: number; data: T }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'text/plain';
    body = options.body;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  const response = await fetchImpl(path, {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: options.signal,
  });
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw parseApiError(response.status, text);
  }
  if (response.status === 204) return { status: 204, data: undefined as T };
  const text = await response.text();
  if (text === '') return { status: response.status, data: undefined as T };
  try {
    return { status: response.status, data: JSON.parse(text) as T };
  } catch {
    throw new ApiError(response.status, 'bad_response', 'The server sent a response that could not be read.');
  }
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

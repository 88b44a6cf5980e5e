// Shared helpers for the browser tests: a real kindred server on a fresh data directory, a
// headless Debian Chromium, and per-page checks (axe-core, no horizontal scroll, no CSP
// violations or uncaught errors).
//
// Environment:
//   KINDRED_BIN      the server binary (default ../../target/debug/kindred from this folder)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium)
//   KINDRED_TEST_LOG set to 1 to echo the server's output

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const PASSWORD = 'correct-horse-battery';
export const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', password: PASSWORD };
export const COORDINATOR = { email: 'coord@example.org', name: 'Cora Coordinator', password: PASSWORD };

const kindredBin = path.resolve(here, process.env.KINDRED_BIN ?? '../../target/debug/kindred');

function run(bin, args, input, env) {
  return new Promise((resolve, reject) => {
    const options = { cwd: repoRoot, timeout: 60_000, env: { ...process.env, ...env } };
    const child = execFile(bin, args, options, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${bin} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else {
        resolve(stdout);
      }
    });
    child.stdin.end(input);
  });
}

/**
 * Starts `kindred serve` on a fresh data directory with an admin and a coordinator. Resolves
 * once the server printed its URL and answers /healthz. `env` adds environment variables for
 * the server (e.g. `KINDRED_PRESENCE_GRACE_MS`).
 */
export async function startServer({ env = {} } = {}) {
  await checkBuilds();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kindred-browser-'));
  await createStaffAccounts(dataDir, env);
  const node = await serve(dataDir, env);
  return {
    url: node.url,
    dataDir,
    output: node.output,
    createUser: (user) => createAccount(dataDir, env, user),
    async stop() {
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function checkBuilds() {
  try {
    await access(kindredBin);
  } catch {
    throw new Error(`kindred binary not found at ${kindredBin} (build it, or set KINDRED_BIN)`);
  }
  try {
    await access(path.join(repoRoot, 'web-client/dist/index.html'));
  } catch {
    throw new Error('web-client/dist/index.html is missing: run `npm ci && npm run build` in web-client/');
  }
}

async function createStaffAccounts(dataDir, env) {
  for (const [who, role] of [
    [ADMIN, 'admin'],
    [COORDINATOR, 'coordinator'],
  ]) {
    await run(
      kindredBin,
      ['--data-dir', dataDir, 'user', 'create', '--email', who.email, '--name', who.name, '--role', role, '--password-stdin'],
      `${who.password}\n`,
      env,
    );
  }
}

/**
 * Creates an account with the CLI, as `kindred user create` does; with `program`, adds it to that
 * program in its role (mentor or mentee), so call it after the program exists.
 */
async function createAccount(dataDir, env, { email, name, role, program, password = PASSWORD }) {
  const args = ['--data-dir', dataDir, 'user', 'create', '--email', email, '--name', name, '--role', role];
  if (program) args.push('--program', program);
  args.push('--password-stdin');
  await run(kindredBin, args, `${password}\n`, env);
}

/** One `kindred serve` process on 127.0.0.1 (a free port); resolves once it answers /healthz. */
async function serve(dataDir, env, label = 'kindred') {
  const child = spawn(kindredBin, ['--data-dir', dataDir, 'serve', '--bind', '127.0.0.1:0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const output = [];
  const echo = process.env.KINDRED_TEST_LOG === '1';
  const remember = (line) => {
    output.push(line);
    if (output.length > 400) output.shift();
    if (echo) console.error(`[${label}] ${line}`);
  };
  createInterface({ input: child.stderr }).on('line', remember);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kindred printed no URL in 60 s:\n${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`kindred exited early (code ${code}, signal ${signal}):\n${output.join('\n')}`));
    });
  });

  // The URL is printed once the socket is bound; /healthz says the app is ready to serve.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`kindred at ${url} never answered /healthz:\n${output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    output: () => output.join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Why a cluster cannot start here (PostgreSQL or Redis not reachable), or null when it can.
 * scripts/services.sh starts both where they are installed.
 */
export async function clusterUnavailable() {
  const postgres = (process.env.KINDRED_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, '');
  const redis = process.env.KINDRED_TEST_REDIS ?? 'redis://127.0.0.1:6379';
  try {
    await run('psql', [`${postgres}/postgres`, '-tAc', 'SELECT 1']);
  } catch (error) {
    return `PostgreSQL is not reachable at ${postgres} (${error.message.split('\n')[0]})`;
  }
  try {
    const pong = await run('redis-cli', ['-u', redis, 'ping']);
    if (!pong.includes('PONG')) return `Redis at ${redis} did not answer PING`;
  } catch (error) {
    return `Redis is not reachable at ${redis} (${error.message.split('\n')[0]})`;
  }
  return null;
}

/**
 * Starts `nodes` `kindred serve` processes sharing one fresh PostgreSQL database and one Redis
 * (with a key prefix of their own), as a multi-node deployment runs: a person may be connected to
 * any node. `KINDRED_TEST_POSTGRES` (default postgres://postgres@127.0.0.1:5432) is the server the
 * database is created on (with `psql`, dropped at the end); `KINDRED_TEST_REDIS` (default
 * redis://127.0.0.1:6379) the Redis. Resolves with each node's URL, the same `createUser` as
 * `startServer`, and `stop`.
 */
export async function startCluster({ nodes = 2, env = {} } = {}) {
  await checkBuilds();
  const postgres = (process.env.KINDRED_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, '');
  const redis = process.env.KINDRED_TEST_REDIS ?? 'redis://127.0.0.1:6379';
  const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const database = `kindred_browser_${suffix}`;
  const prefix = `kindred-browser-${suffix}:`;
  await run('psql', [`${postgres}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${database}`]);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kindred-browser-'));
  const shared = {
    ...env,
    KINDRED_DATABASE_URL: `${postgres}/${database}`,
    KINDRED_REDIS_URL: redis,
    KINDRED_REDIS_PREFIX: prefix,
  };
  const started = [];
  const cleanUp = async () => {
    for (const node of started) await node.stop();
    await rm(dataDir, { recursive: true, force: true });
    await run('psql', [`${postgres}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]).catch(() => {});
    // Best effort: the nodes' keys (presence) would expire on their own.
    await run('sh', ['-c', `redis-cli -u '${redis}' --scan --pattern '${prefix}*' | xargs -r redis-cli -u '${redis}' del`]).catch(
      () => {},
    );
  };
  try {
    // The CLI migrates the new database before the nodes start, so they do not race to.
    await run(kindredBin, ['--data-dir', dataDir, 'migrate'], '', shared);
    await createStaffAccounts(dataDir, shared);
    for (let i = 0; i < nodes; i++) started.push(await serve(dataDir, shared, `kindred ${String.fromCharCode(97 + i)}`));
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    urls: started.map((node) => node.url),
    database,
    output: () => started.map((node, i) => `--- node ${i + 1} ---\n${node.output()}`).join('\n'),
    createUser: (user) => createAccount(dataDir, shared, user),
    stop: cleanUp,
  };
}

/**
 * Debian's headless Chromium. With `media`, a fake camera and microphone stand in for real ones and
 * permission prompts are answered yes (calls).
 */
export async function launchBrowser({ media = false } = {}) {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (media) args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}

/**
 * A new browser context and page on `baseURL`. The page records uncaught errors and CSP
 * violations, which `checkPage` then fails on.
 */
export async function newPage(browser, baseURL, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width, height } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) {
      problems.push(`CSP: ${text}`);
    }
  });
  page.problems = problems;
  return { context, page };
}

function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * Checks the page as it is now: axe-core finds no violations, the document does not scroll
 * sideways, it has a title and one h1, and nothing broke the CSP or threw.
 */
export async function checkPage(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  if (results.violations.length > 0) {
    throw new Error(`axe-core found violations on ${label} (${page.url()}):\n${formatViolations(results.violations)}`);
  }
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    title: document.title,
    h1s: document.querySelectorAll('h1').length,
  }));
  if (layout.scrollWidth > layout.clientWidth) {
    throw new Error(
      `${label} scrolls horizontally: ${layout.scrollWidth}px of content in a ${layout.clientWidth}px viewport`,
    );
  }
  if (!layout.title) throw new Error(`${label} has no document title`);
  if (layout.h1s !== 1) throw new Error(`${label} has ${layout.h1s} h1 elements, expected exactly 1`);
  if (page.problems?.length) {
    throw new Error(`${label} had errors:\n  ${page.problems.join('\n  ')}`);
  }
}

/** Signs in through the login form and waits to leave /login. */
export async function signIn(page, who) {
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * Calls the JSON API as the person signed in to the page's browser context (their cookie), with
 * the CSRF token of their session on writes. Returns the parsed body; throws on an error status.
 */
export async function apiCall(page, method, path, data) {
  const request = page.context().request;
  const headers = {};
  if (method !== 'GET') {
    const session = await request.get('/api/auth/session');
    if (!session.ok()) throw new Error(`GET /api/auth/session: HTTP ${session.status()}`);
    headers['X-CSRF-Token'] = (await session.json()).csrf_token;
  }
  const response = await request.fetch(path, { method, headers, data });
  const text = await response.text();
  if (!response.ok()) throw new Error(`${method} ${path}: HTTP ${response.status()} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Polls `check` until it returns something truthy (which it returns); fails after `timeout` ms. */
export async function until(what, check, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * An active match set up through the API: a program made by the coordinator (on page `cp`), a
 * mentor (`mp`) and a mentee (`ep`) who completed the questionnaire (and, when the person has a
 * `zone`, set it as their profile's time zone), placed by the coordinator and accepted by both.
 * `others` are more members, `[person, role]`, added to the program. Resolves once the worker
 * opened the pair's channel.
 */
export async function activeMatch({ server, cp, mp, ep, mentor, mentee, program: fields, others = [] }) {
  await cp.goto('/login');
  await signIn(cp, COORDINATOR);
  const program = await apiCall(cp, 'POST', '/api/programs', { starts_on: null, ends_on: null, ...fields });
  for (const [who, role] of others) {
    await server.createUser({ email: who.email, name: who.name, role, program: program.id, password: who.password });
  }
  const answers = {
    mentor: {
      career_stage: 'attending',
      time_zone: mentor.zone ?? 'America/Chicago',
      languages: ['English'],
      tags: ['cardiology'],
      experience: 'Twenty years of cardiology practice and teaching residents.',
      capacity: 2,
      accepting: true,
    },
    mentee: {
      career_stage: 'resident',
      time_zone: mentee.zone ?? 'America/Chicago',
      languages: ['English'],
      tags: ['cardiology'],
      goals: 'Find my way into interventional cardiology.',
    },
  };
  const ids = {};
  for (const [page, who, role] of [
    [mp, mentor, 'mentor'],
    [ep, mentee, 'mentee'],
  ]) {
    await server.createUser({ email: who.email, name: who.name, role, program: program.id, password: who.password });
    await page.goto('/login');
    await signIn(page, who);
    const questionnaire = await apiCall(page, 'PUT', `/api/programs/${program.id}/questionnaire`, {
      answers: answers[role],
      complete: true,
    });
    assert.ok(questionnaire.completed_at, `the ${role}'s questionnaire is completed`);
    if (who.zone) {
      const me = await apiCall(page, 'PATCH', '/api/me', { time_zone: who.zone });
      assert.equal(me.time_zone, who.zone);
    }
    ids[role] = (await apiCall(page, 'GET', '/api/auth/session')).user.id;
  }
  const placed = await apiCall(cp, 'POST', `/api/programs/${program.id}/matching/matches`, {
    mentee_id: ids.mentee,
    mentor_id: ids.mentor,
  });
  assert.equal(placed.status, 'proposed');
  await apiCall(ep, 'POST', `/api/matches/${placed.id}/respond`, { accept: true });
  const answered = await apiCall(mp, 'POST', `/api/matches/${placed.id}/respond`, { accept: true });
  assert.equal(answered.status, 'active');
  const match = await until('the pair channel of the active match', async () => {
    const mine = (await apiCall(ep, 'GET', '/api/me/matches')).items.find((m) => m.id === placed.id);
    return mine?.channel_id ? mine : null;
  });
  return { program, match, channelId: match.channel_id, mentorId: ids.mentor, menteeId: ids.mentee };
}

/** An instant's date (`YYYY-MM-DD`) and time (`HH:MM`) on the wall clock of a time zone. */
export function wallTime(ms, zone) {
  const parts = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const p of format.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}` };
}

/** The VEVENTs of an iCalendar text (unfolded), each as a map of property to value. */
export function parseIcs(text) {
  assert.ok(text.includes('\r\n'), 'lines end with CRLF');
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.equal(lines.at(-1), 'END:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0'));
  const events = [];
  let current = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current);
      current = null;
    } else if (current) {
      const at = line.indexOf(':');
      current[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  assert.equal(current, null, 'every VEVENT ends');
  return events;
}

/** A notice in the header's live region (meeting and event reminders, proposals, cancellations). */
export function notice(page, text) {
  return page.getByRole('status', { name: 'Meeting notices' }).locator('.meeting-notice').filter({ hasText: text });
}

// Chat helpers shared by the tests of conversations (safety, moderation, moderation tools).

/** The chat frames of the page's WebSockets, parsed, each with `dir` ('sent' or 'received'). */
export function recordFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => {
    const add = (dir) => (event) => {
      try {
        frames.push({ dir, ...JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString()) });
      } catch {
        // not JSON
      }
    };
    ws.on('framesent', add('sent'));
    ws.on('framereceived', add('received'));
  });
  return frames;
}

/** The frames of `type` the page received. */
export function received(frames, type) {
  return frames.filter((f) => f.dir === 'received' && f.type === type);
}

/** The open conversation's list of messages. */
export function messageList(page) {
  return page.getByRole('list', { name: 'Messages', exact: true });
}

/** The message (or tombstone) of the open conversation that holds `text`. */
export function messageItem(page, text) {
  return messageList(page).getByRole('listitem').filter({ hasText: text });
}

/** The open conversation's composer. */
export function composer(page) {
  return page.getByLabel('Message', { exact: true });
}

/**
 * Opens a conversation and waits for the live connection (and, with `withComposer`, for its
 * composer).
 */
export async function openConversation(page, channelId, title, { withComposer = false } = {}) {
  await page.goto(`/messages/${channelId}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.locator('p.connection').filter({ hasText: /^Connected$/ }).waitFor();
  if (withComposer) await composer(page).waitFor();
}

/** Writes `text` in the open conversation's composer and sends it with Enter. */
export async function sendMessage(page, text) {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
}

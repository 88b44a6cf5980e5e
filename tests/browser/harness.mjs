// Shared helpers for the browser tests: a real kindred server on a fresh data directory, a
// headless Debian Chromium, and per-page checks (axe-core, no horizontal scroll, no CSP
// violations or uncaught errors).
//
// Environment:
//   KINDRED_BIN      the server binary (default ../../target/debug/kindred from this folder)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium)
//   KINDRED_TEST_LOG set to 1 to echo the server's output

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
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kindred-browser-'));
  for (const [who, role] of [
    [ADMIN, 'admin'],
    [COORDINATOR, 'coordinator'],
  ]) {
    await run(
      kindredBin,
      ['--data-dir', dataDir, 'user', 'create', '--email', who.email, '--name', who.name, '--role', role, '--password-stdin'],
      `${who.password}\n`,
    );
  }

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
    if (echo) console.error(`[kindred] ${line}`);
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
    dataDir,
    output: () => output.join('\n'),
    /**
     * Creates an account with the CLI, as `kindred user create` does; with `program`, adds it
     * to that program in its role (mentor or mentee), so call it after the program exists.
     */
    async createUser({ email, name, role, program, password = PASSWORD }) {
      const args = ['--data-dir', dataDir, 'user', 'create', '--email', email, '--name', name, '--role', role];
      if (program) args.push('--program', program);
      args.push('--password-stdin');
      await run(kindredBin, args, `${password}\n`, env);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
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

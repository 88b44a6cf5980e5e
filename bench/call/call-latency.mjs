// Time from pressing "Call" in the browser to the first decoded frame of the other person's video,
// including the other side's accept, over CALLS calls (default 10) between one mentee and one
// mentor in an active match, in Debian's headless Chromium with fake camera and microphone
// (tests/browser/harness.mjs: `kindred serve` on a fresh data directory, `launchBrowser`).
//
// Each call: the mentee's page presses Call; the mentor's page accepts as soon as the incoming-call
// dialog appears (a MutationObserver in the page clicks Accept, so no test-driver polling is
// counted as "human" reaction time); the mentee's page polls its RTCPeerConnection's getStats()
// every 10 ms until inbound video has framesDecoded > 0. All times are taken inside the pages
// (performance.timeOrigin + performance.now(), one clock for both pages of one browser). Then the
// mentee hangs up, and the next call starts once both pages have no call.
//
// Prints one JSON line per call and a summary line. Environment: CALLS, KINDRED_BIN (default
// target/release/kindred if built, else target/debug/kindred), CHROMIUM_PATH, KINDRED_TEST_LOG=1,
// CLUSTER=1 to run the two people on two `kindred serve` nodes (PostgreSQL + Redis).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const release = path.resolve(here, '../../target/release/kindred');
if (!process.env.KINDRED_BIN && existsSync(release)) process.env.KINDRED_BIN = release;

const { PASSWORD, activeMatch, launchBrowser, newPage, startServer, startCluster, until } = await import(
  '../../tests/browser/harness.mjs'
);

const CALLS = Number(process.env.CALLS ?? 10);
const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
const SERVER_ENV = { KINDRED_WORKER_POLL_MS: '100' };

async function openConversation(page, channelId, other) {
  await page.goto(`/messages/${channelId}`);
  await page.getByRole('heading', { level: 1, name: other.name }).waitFor();
  await page.locator('p.connection').filter({ hasText: /^Connected$/ }).waitFor();
  await page.getByText('Online', { exact: true }).waitFor();
}

/** Closes the after-call check-in dialog with "Not now" once it opens (if it does within 10 s). */
async function dismissCheckin(page) {
  const notNow = page.locator('dialog.checkin-dialog[open]').getByRole('button', { name: 'Not now' });
  try {
    await notNow.waitFor({ timeout: 10_000 });
    await notNow.click();
  } catch {
    // no check-in asked for
  }
}

/** In the mentor's page: click Accept the moment the incoming-call dialog shows; note when. */
function installAutoAccept(page) {
  return page.evaluate(() => {
    window.__bench = { acceptedAt: null };
    const tryAccept = () => {
      const dialog = document.querySelector('[role="alertdialog"]');
      const accept = dialog && [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Accept');
      if (accept && window.__bench.acceptedAt === null) {
        window.__bench.acceptedAt = performance.timeOrigin + performance.now();
        accept.click();
      }
    };
    new MutationObserver(tryAccept).observe(document.body, { childList: true, subtree: true });
  });
}

/**
 * In the mentee's page: press Call (a real click through the DOM, as a person would) and poll
 * getStats every 10 ms until the first decoded inbound video frame. Resolves with the times.
 */
function callAndWaitForVideo(page, buttonName) {
  return page.evaluate(async (buttonName) => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.getAttribute('aria-label') === buttonName || b.textContent.trim() === buttonName,
    );
    if (!button) throw new Error(`no button ${buttonName}`);
    const now = () => performance.timeOrigin + performance.now();
    const pressedAt = now();
    button.click();
    const deadline = pressedAt + 30_000;
    let connectedAt = null;
    while (now() < deadline) {
      const pc = window.__kindredCall?.pc;
      if (pc) {
        if (connectedAt === null && pc.connectionState === 'connected') connectedAt = now();
        const report = await pc.getStats();
        let decoded = 0;
        report.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') decoded = s.framesDecoded ?? 0;
        });
        if (decoded > 0) return { pressedAt, connectedAt, firstFrameAt: now() };
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no decoded remote video within 30 s');
  }, buttonName);
}

async function main() {
  const cluster = process.env.CLUSTER === '1';
  const server = cluster ? await startCluster({ nodes: 2, env: SERVER_ENV }) : await startServer({ env: SERVER_ENV });
  const [urlA, urlB] = cluster ? server.urls : [server.url, server.url];
  const browser = await launchBrowser({ media: true });
  const results = [];
  try {
    const coord = await newPage(browser, urlA);
    const mentor = await newPage(browser, urlA);
    const mentee = await newPage(browser, urlB);
    const [cp, mp, ep] = [coord.page, mentor.page, mentee.page];
    const { channelId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: 'Call latency', description: 'Benchmark.' },
    });
    await openConversation(mp, channelId, MENTEE);
    await openConversation(ep, channelId, MENTOR);
    const callName = `Call ${MENTOR.name}`;
    await ep.getByRole('button', { name: callName }).waitFor();
    for (let i = 1; i <= CALLS; i++) {
      await installAutoAccept(mp);
      const t = await callAndWaitForVideo(ep, callName);
      const acceptedAt = await mp.evaluate(() => window.__bench.acceptedAt);
      const row = {
        call: i,
        press_to_first_frame_ms: Math.round(t.firstFrameAt - t.pressedAt),
        press_to_accept_ms: acceptedAt === null ? null : Math.round(acceptedAt - t.pressedAt),
        accept_to_connected_ms: acceptedAt === null || t.connectedAt === null ? null : Math.round(t.connectedAt - acceptedAt),
        connected_to_first_frame_ms: t.connectedAt === null ? null : Math.round(t.firstFrameAt - t.connectedAt),
      };
      results.push(row);
      console.log(JSON.stringify(row));
      // Hang up and wait until neither page has a call.
      await ep.getByRole('dialog', { name: `Call with ${MENTOR.name}` }).getByRole('button', { name: 'Hang up' }).click();
      await until('both calls gone', async () => {
        const [a, b] = await Promise.all([
          ep.evaluate(() => window.__kindredCall?.pc ?? null),
          mp.evaluate(() => window.__kindredCall?.pc ?? null),
        ]);
        return a === null && b === null;
      });
      // Both joined, so each page asks how the call went: "Not now".
      await Promise.all([dismissCheckin(ep), dismissCheckin(mp)]);
      await until('the Call button again', async () => ep.getByRole('button', { name: callName }).isEnabled().catch(() => false));
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (error) {
    if (process.env.KINDRED_TEST_LOG !== '1') console.error(server.output());
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
  const times = results.map((r) => r.press_to_first_frame_ms).sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  console.log(
    JSON.stringify({
      summary: cluster ? 'two-nodes' : 'one-node',
      calls: times.length,
      median_ms: median,
      worst_ms: times[times.length - 1],
      best_ms: times[0],
      under_1500_ms: times.filter((t) => t < 1500).length,
    }),
  );
}

await main();

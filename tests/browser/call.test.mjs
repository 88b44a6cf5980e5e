// 1:1 video calls end to end, with Chromium's fake camera and microphone: a mentee and a mentor in
// an active match (placed by the coordinator, accepted by both) open their pair's chat; the mentee
// presses Call, the mentor's page rings (an alert dialog, checked with axe-core) and accepts; both
// pages then decode the other's video (getStats on the page's RTCPeerConnection, read through the
// `window.__kindredCall` debug handle); mute and camera toggle; the chat connection drops and comes
// back, and the call restarts ICE and keeps flowing; the mentee hangs up, both see why the call
// ended, and the coordinator's call records show one call that both joined, with a duration.
//
// The second test runs the same call with the two people on two `kindred serve` nodes sharing a
// PostgreSQL database and Redis (harness `startCluster`), so signaling crosses nodes.
//
// WebRTC between the two pages uses host candidates on the machine's non-loopback address
// (Chromium does not gather loopback ones); the pages themselves stay on http://127.0.0.1, a secure
// context, which getUserMedia requires.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD,
  activeMatch,
  apiCall,
  checkPage,
  clusterUnavailable,
  launchBrowser,
  newPage,
  startCluster,
  startServer,
  until,
} from './harness.mjs';

const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
/** A short poll keeps the worker's jobs (opening the pair's channel) quick. */
const SERVER_ENV = { KINDRED_WORKER_POLL_MS: '100' };

let browser;
const cleanups = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await browser?.close();
});

async function getBrowser() {
  browser ??= await launchBrowser({ media: true });
  return browser;
}

/** Call frames the page's WebSockets carried (parsed), to check that the server refused none. */
function recordCallFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => {
    const add = (dir) => (event) => {
      try {
        const frame = JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString());
        if (typeof frame.type === 'string' && /^(call_|sdp_|ice_)/.test(frame.type)) frames.push({ dir, ...frame });
      } catch {
        // not JSON
      }
    };
    ws.on('framesent', add('sent'));
    ws.on('framereceived', add('received'));
  });
  return frames;
}

/** The page's call, as its RTCPeerConnection reports it. */
function callStats(page) {
  return page.evaluate(async () => {
    const pc = window.__kindredCall?.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    const out = { connectionState: pc.connectionState, video: null, audio: null };
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        out.video = { framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0, width: s.frameWidth ?? 0 };
      } else if (s.kind === 'audio') {
        out.audio = { packetsReceived: s.packetsReceived ?? 0 };
      }
    });
    return out;
  });
}

/** Waits for decoded inbound video, then checks that framesDecoded keeps rising over ~2 s. */
async function assertVideoFlows(t, page, label) {
  const first = await until(`${label}: inbound video decoding`, async () => {
    const s = await callStats(page);
    return s && s.connectionState === 'connected' && s.video && s.video.framesDecoded > 0 ? s : null;
  });
  await new Promise((r) => setTimeout(r, 2000));
  const second = await callStats(page);
  t.diagnostic(
    `${label}: framesDecoded ${first.video.framesDecoded} → ${second.video.framesDecoded} over 2 s ` +
      `(${second.video.width}px wide), audio packets ${first.audio?.packetsReceived ?? 0} → ${second.audio?.packetsReceived ?? 0}`,
  );
  assert.ok(second.video.framesDecoded > first.video.framesDecoded, `${label}: framesDecoded rises`);
  assert.ok((second.audio?.packetsReceived ?? 0) > (first.audio?.packetsReceived ?? 0), `${label}: audio arrives`);
  return second.video.framesDecoded - first.video.framesDecoded;
}

/** The ICE username fragment of the page's current local description (it changes on an ICE restart). */
function localUfrag(page) {
  return page.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.__kindredCall?.pc?.localDescription?.sdp ?? '')?.[1] ?? null);
}

/** Whether the local track of a kind is being sent enabled. */
function senderEnabled(page, kind) {
  return page.evaluate(
    (kind) => window.__kindredCall?.pc?.getSenders().find((s) => s.track?.kind === kind)?.track?.enabled ?? null,
    kind,
  );
}

/** The label of the local track of a kind being sent (the fake devices name the screen `screen:…`). */
function senderLabel(page, kind) {
  return page.evaluate(
    (kind) => window.__kindredCall?.pc?.getSenders().find((s) => s.track?.kind === kind)?.track?.label ?? null,
    kind,
  );
}

/** The chat connection's status ("Connected", "Offline"…), not the call's. */
function chatStatus(page, text) {
  return page.locator('p.connection').filter({ hasText: new RegExp(`^${text}$`) });
}

/** Opens the pair's conversation and waits for the live connection. */
async function openConversation(page, channelId, other) {
  await page.goto(`/messages/${channelId}`);
  await page.getByRole('heading', { level: 1, name: other.name }).waitFor();
  await chatStatus(page, 'Connected').waitFor();
  await page.getByText('Online', { exact: true }).waitFor();
}

/** The whole call; `full` adds the accessibility checks, the toggles and the reconnect. */
async function runCall(t, { urls, server, full, programName }) {
  const b = await getBrowser();
  const coord = await newPage(b, urls.coordinator);
  const mentor = await newPage(b, urls.mentor);
  const mentee = await newPage(b, urls.mentee);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const mentorFrames = recordCallFrames(mp);
  const menteeFrames = recordCallFrames(ep);
  const started = Date.now();
  try {
    const { program, channelId, mentorId, menteeId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: programName, description: 'Mentoring with video calls.' },
    });
    await openConversation(mp, channelId, MENTEE);
    await openConversation(ep, channelId, MENTOR);
    const callButton = ep.getByRole('button', { name: `Call ${MENTOR.name}` });
    await callButton.waitFor();
    assert.ok(await callButton.isEnabled(), 'Call is enabled in the pair conversation');
    if (full) await checkPage(ep, 'pair conversation with the Call button (mentee)');

    // The mentee calls: their call screen opens at once, calling, then ringing.
    await callButton.click();
    const menteeScreen = ep.getByRole('dialog', { name: `Call with ${MENTOR.name}` });
    await menteeScreen.waitFor();
    await menteeScreen.getByRole('status').filter({ hasText: `Ringing ${MENTOR.name}…` }).waitFor();

    // The mentor's page rings: an alert dialog with the focus on Accept.
    const ringing = mp.getByRole('alertdialog', { name: 'Incoming video call' });
    await ringing.waitFor();
    await ringing.getByText(`${MENTEE.name} is calling you.`).waitFor();
    assert.equal(await mp.evaluate(() => document.activeElement?.textContent), 'Accept', 'focus starts on Accept');
    if (full) {
      await checkPage(mp, 'incoming call dialog (mentor)');
      await checkPage(ep, 'call screen while ringing (mentee)');
    }
    assert.ok(
      menteeFrames.some((f) => f.dir === 'received' && f.type === 'call_ringing'),
      'the mentor’s page said it rings (call_ringing reached the caller)',
    );
    const answeredAt = Date.now();
    await ringing.getByRole('button', { name: 'Accept' }).click();

    // Both are connected and decode each other's video.
    const mentorScreen = mp.getByRole('dialog', { name: `Call with ${MENTEE.name}` });
    await mentorScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    await menteeScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    t.diagnostic(`connected ${Date.now() - answeredAt} ms after Accept`);
    const menteeGain = await assertVideoFlows(t, ep, 'mentee');
    const mentorGain = await assertVideoFlows(t, mp, 'mentor');
    assert.ok(menteeGain > 0 && mentorGain > 0);

    // The connection's quality, in words.
    for (const [page, screen] of [
      [ep, menteeScreen],
      [mp, mentorScreen],
    ]) {
      const quality = screen.locator('.call-quality');
      await until('a quality reading', async () => /Connection quality: (Good|Fair|Poor)/.test(await quality.innerText()));
      t.diagnostic(`${page === ep ? 'mentee' : 'mentor'}: ${await quality.innerText()}`);
    }

    if (full) {
      await checkPage(ep, 'call screen in a call (mentee)');
      await checkPage(mp, 'call screen in a call (mentor)');

      // Microphone and camera toggle, and the sent tracks follow.
      const mute = menteeScreen.getByRole('button', { name: 'Mute', exact: true });
      const camera = menteeScreen.getByRole('button', { name: 'Camera off', exact: true });
      assert.equal(await mute.getAttribute('aria-pressed'), 'false');
      await mute.click();
      assert.equal(await mute.getAttribute('aria-pressed'), 'true');
      assert.equal(await senderEnabled(ep, 'audio'), false, 'the microphone track is muted');
      await menteeScreen.getByText('You, muted').waitFor();
      await mute.click();
      assert.equal(await mute.getAttribute('aria-pressed'), 'false');
      assert.equal(await senderEnabled(ep, 'audio'), true);
      assert.equal(await camera.getAttribute('aria-pressed'), 'false');
      await camera.click();
      assert.equal(await camera.getAttribute('aria-pressed'), 'true');
      assert.equal(await senderEnabled(ep, 'video'), false, 'the camera track is off');
      await menteeScreen.getByText('You (camera off)').waitFor();
      await camera.click();
      assert.equal(await camera.getAttribute('aria-pressed'), 'false');
      assert.equal(await senderEnabled(ep, 'video'), true);

      // The device choices list the fake camera and microphone.
      const cameras = await menteeScreen.getByLabel('Camera', { exact: true }).locator('option').allInnerTexts();
      const microphones = await menteeScreen.getByLabel('Microphone', { exact: true }).locator('option').allInnerTexts();
      t.diagnostic(`devices: cameras ${JSON.stringify(cameras)}, microphones ${JSON.stringify(microphones)}`);
      assert.ok(cameras.length >= 1 && microphones.length >= 1);
      if (microphones.length > 1) {
        // Another microphone: its track replaces the first one's, without renegotiating.
        const other = microphones.find((label) => label !== microphones[0]);
        await menteeScreen.getByLabel('Microphone', { exact: true }).selectOption({ label: other });
        await until(`the ${other} track being sent`, async () => (await senderLabel(ep, 'audio')) === other);
      }

      // Sharing the screen replaces the camera's track; stopping brings the camera back.
      const cameraLabel = await senderLabel(ep, 'video');
      await menteeScreen.getByRole('button', { name: 'Share screen' }).click();
      await menteeScreen.getByRole('button', { name: 'Stop sharing' }).waitFor();
      await menteeScreen.getByText('You (sharing your screen)').waitFor();
      await until('the screen track being sent', async () => (await senderLabel(ep, 'video'))?.startsWith('screen'));
      await assertVideoFlows(t, mp, 'mentor, while the mentee shares the screen');
      await menteeScreen.getByRole('button', { name: 'Stop sharing' }).click();
      await menteeScreen.getByRole('button', { name: 'Share screen' }).waitFor();
      await until('the camera track being sent again', async () => (await senderLabel(ep, 'video')) === cameraLabel);

      // The chat connection drops and comes back: the call restarts ICE and keeps flowing.
      const ufragBefore = await localUfrag(ep);
      const peerUfragBefore = await localUfrag(mp);
      await mentee.context.setOffline(true);
      await chatStatus(ep, 'Offline').waitFor();
      await mentee.context.setOffline(false);
      await chatStatus(ep, 'Connected').waitFor();
      await until('new ICE credentials after the reconnect', async () => {
        const [a, b] = [await localUfrag(ep), await localUfrag(mp)];
        return a && b && a !== ufragBefore && b !== peerUfragBefore;
      });
      await menteeScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
      t.diagnostic(`ICE restarted after the socket came back: ufrag ${ufragBefore} → ${await localUfrag(ep)}`);
      await assertVideoFlows(t, ep, 'mentee after the reconnect');
      await assertVideoFlows(t, mp, 'mentor after the reconnect');
    }

    // The mentee hangs up: both calls end, and both see why.
    await menteeScreen.getByRole('button', { name: 'Hang up' }).click();
    await ep.getByRole('status').filter({ hasText: `Call with ${MENTOR.name}: Call ended` }).waitFor();
    await mp.getByRole('status').filter({ hasText: `Call with ${MENTEE.name}: They hung up` }).waitFor();
    assert.equal(await menteeScreen.count(), 0, 'the call screen closed');
    assert.equal(await mentorScreen.count(), 0);
    assert.equal(await ep.evaluate(() => window.__kindredCall?.pc ?? null), null, 'the peer connection is gone');
    assert.equal(await mp.evaluate(() => window.__kindredCall?.pc ?? null), null);
    if (full) await checkPage(mp, 'conversation after the call (mentor)');

    // The coordinator's records: one call, both joined, with a duration.
    const calls = await until('the call record', async () => {
      const list = await apiCall(cp, 'GET', `/api/programs/${program.id}/calls`);
      return list.items.length === 1 && !list.items[0].live ? list : null;
    });
    const record = calls.items[0];
    t.diagnostic(`call record: ${JSON.stringify(record)}`);
    assert.equal(record.caller_id, menteeId);
    assert.equal(record.callee_id, mentorId);
    assert.equal(record.caller_joined, true);
    assert.equal(record.callee_joined, true);
    assert.equal(record.end_reason, 'hung_up');
    assert.ok(record.duration_ms > 0, 'the call lasted');
    assert.ok(record.started_at !== null && record.ended_at !== null);

    // Nothing the pages sent was refused.
    const refusals = [...mentorFrames, ...menteeFrames].filter((f) => f.dir === 'received' && f.type === 'call_error');
    assert.deepEqual(refusals, [], 'no call_error frames');
    const count = (frames, type) => frames.filter((f) => f.dir === 'sent' && f.type === type).length;
    t.diagnostic(
      `frames sent — mentee: ${count(menteeFrames, 'sdp_offer')} offers, ${count(menteeFrames, 'sdp_answer')} answers, ` +
        `${count(menteeFrames, 'ice_candidate')} candidates; mentor: ${count(mentorFrames, 'sdp_offer')} offers, ` +
        `${count(mentorFrames, 'sdp_answer')} answers, ${count(mentorFrames, 'ice_candidate')} candidates`,
    );
    for (const page of [mp, ep]) {
      if (page.problems.length) assert.fail(`page errors: ${page.problems.join('; ')}`);
    }
    t.diagnostic(`whole scenario: ${Date.now() - started} ms`);
  } catch (error) {
    // What each page's call was doing: the frames (without SDP) and its peer connection.
    for (const [label, page, frames] of [
      ['mentee', ep, menteeFrames],
      ['mentor', mp, mentorFrames],
    ]) {
      const summary = frames.map((f) => `${f.dir === 'sent' ? '→' : '←'} ${f.type}${f.state ? ` ${f.state}` : ''}${f.code ? ` ${f.code}` : ''}`);
      t.diagnostic(`${label} call frames: ${summary.join(', ')}`);
      const pc = await page
        .evaluate(() => {
          const pc = window.__kindredCall?.pc;
          return pc
            ? { phase: window.__kindredCall.phase, signaling: pc.signalingState, ice: pc.iceConnectionState, connection: pc.connectionState }
            : { phase: window.__kindredCall?.phase ?? null };
        })
        .catch((e) => String(e));
      t.diagnostic(`${label} peer connection: ${JSON.stringify(pc)}; page problems: ${JSON.stringify(page.problems)}`);
    }
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
}

test('mentee calls mentor: ringing, accept, video both ways, controls, reconnect, hang up, the record', async (t) => {
  const server = await startServer({ env: SERVER_ENV });
  cleanups.push(() => server.stop());
  await runCall(t, {
    server,
    full: true,
    programName: 'Heart Mentoring 2033',
    urls: { coordinator: server.url, mentor: server.url, mentee: server.url },
  });
});

test('the same call with the two people on two nodes (shared PostgreSQL and Redis)', async (t) => {
  // scripts/test starts PostgreSQL and Redis; without them this test fails, saying why.
  const unavailable = await clusterUnavailable();
  assert.equal(unavailable, null, `${unavailable}; start them with scripts/services.sh`);
  const cluster = await startCluster({ nodes: 2, env: SERVER_ENV });
  cleanups.push(() => cluster.stop());
  const [a, b] = cluster.urls;
  t.diagnostic(`nodes: ${a} (mentor, coordinator) and ${b} (mentee); database ${cluster.database}`);
  await runCall(t, {
    server: cluster,
    full: false,
    programName: 'Heart Mentoring Across Nodes',
    urls: { coordinator: a, mentor: a, mentee: b },
  });
});

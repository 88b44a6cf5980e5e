// The live room of a group event end to end, with Chromium's fake camera and microphone. The
// coordinator creates an event (through the API) starting in ten minutes, so its room is open,
// for two mentees with a mentor as speaker. Four pages (the host, the speaker, two people in the
// audience) open the event's page and join the live room: everyone but the host waits in the
// lobby until the host opens the room. The speaker publishes camera and microphone to the SFU
// (simulcast), and both audience pages decode the speaker's video and receive the sound (getStats
// on the subscribe connection, read through the `window.__kindredRoom` debug handle, each `mid`
// mapped to its person by the server's `room_offer`; and the speaker's <video> playing). One of
// the audience raises her hand, the host brings her on stage, and the other audience member and
// the host then decode her video and hear her. The host removes the other one (after confirming):
// his page says so, and he cannot join again. The host ends the event; the pages still in the room
// say it has ended (and so does the page opened afresh, with no Join), and the attendance lists the
// four people. axe-core checks the lobby, the live room as host and as audience with a raised hand.
//
// Media goes to the SFU's one UDP port on the machine's own addresses (it announces 127.0.0.1 and
// the default route's address); the pages stay on http://127.0.0.1, a secure context.
//
// The active speaker comes from the audio levels the publishers send. Chromium's fake microphone
// is a 20 ms beep every 500 ms, far too quiet on average to count as speech (the SFU wants a mean
// loudness over a second), so the speaker's page runs in a second browser whose fake microphone
// plays a voice-like file (a gliding, never silent tone, written by this test): the audience must
// then caption "Speaking: Kwame Speaker", and nobody else, since the others only beep.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { COORDINATOR, PASSWORD, apiCall, checkPage, launchBrowser, newPage, signIn, startServer, until } from './harness.mjs';

const PROGRAM = 'Live Events Program 2035';
const TITLE = 'Panel: paths into cardiology';
const SPEAKER = { email: 'kwame@example.org', name: 'Kwame Speaker', password: PASSWORD, role: 'mentor' };
const AUDIENCE_A = { email: 'nia@example.org', name: 'Nia Audience', password: PASSWORD, role: 'mentee' };
const AUDIENCE_B = { email: 'sam@example.org', name: 'Sam Audience', password: PASSWORD, role: 'mentee' };

let browser;
let voiceBrowser;
const cleanups = [];

/** A 16-bit mono WAV of `seconds` of a voice-like sound: a tone gliding 220–660 Hz, its loudness swaying, never silent. */
function voiceWav(seconds = 4, rate = 48_000) {
  const n = rate * seconds;
  const wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + n * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(n * 2, 40);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (440 + 220 * Math.sin(2 * Math.PI * 0.7 * t))) / rate;
    const loudness = 0.25 + 0.2 * Math.sin(2 * Math.PI * 3.3 * t);
    wav.writeInt16LE(Math.round(32767 * loudness * Math.sin(phase)), 44 + i * 2);
  }
  return wav;
}

/**
 * A second headless Chromium like the harness's `launchBrowser({ media: true })`, whose fake
 * microphone plays `wavPath` (looped) instead of beeping.
 */
function launchVoiceBrowser(wavPath) {
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
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}`,
    ],
  });
}

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await voiceBrowser?.close();
  await browser?.close();
});

/** The room frames a page's WebSockets carried (parsed), in order. */
function recordRoomFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => {
    const add = (dir) => (event) => {
      try {
        const frame = JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString());
        if (typeof frame.type === 'string' && frame.type.startsWith('room_')) frames.push({ dir, at: Date.now(), ...frame });
      } catch {
        // not JSON
      }
    };
    ws.on('framesent', add('sent'));
    ws.on('framereceived', add('received'));
  });
  return frames;
}

/** The tracks of the latest `room_offer` the page received: mid → {user, kind, source}. */
function offeredTracks(frames) {
  const offer = frames.findLast((f) => f.dir === 'received' && f.type === 'room_offer');
  return offer?.tracks ?? [];
}

/** Inbound stats of the page's subscribe connection, per mid. */
function subscribeStats(page) {
  return page.evaluate(async () => {
    const pc = window.__kindredRoom?.subscribe;
    if (!pc) return null;
    const mids = {};
    for (const transceiver of pc.getTransceivers()) {
      if (!transceiver.mid) continue;
      const report = await transceiver.receiver.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        mids[transceiver.mid] = {
          kind: s.kind,
          packetsReceived: s.packetsReceived ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          frameWidth: s.frameWidth ?? 0,
          totalAudioEnergy: s.totalAudioEnergy ?? 0,
        };
      });
    }
    return { connectionState: pc.connectionState, mids };
  });
}

/** What the page receives from one person: their camera's and microphone's inbound stats. */
async function mediaFrom(page, frames, user) {
  const stats = await subscribeStats(page);
  if (!stats) return null;
  const tracks = offeredTracks(frames).filter((t) => t.user === user);
  const video = tracks.find((t) => t.kind === 'video' && t.source === 'camera');
  const audio = tracks.find((t) => t.kind === 'audio');
  return {
    connectionState: stats.connectionState,
    video: video ? (stats.mids[video.mid] ?? null) : null,
    audio: audio ? (stats.mids[audio.mid] ?? null) : null,
  };
}

/**
 * Waits until the page decodes `who`'s camera and receives their sound, then until both keep
 * coming (framesDecoded and packetsReceived rise further), all bounded.
 */
async function assertReceives(t, page, frames, who, label) {
  const startedAt = Date.now();
  const first = await until(
    `${label}: decoding ${who.name}'s video and receiving their audio`,
    async () => {
      const m = await mediaFrom(page, frames, who.id);
      return m && m.connectionState === 'connected' && m.video?.framesDecoded > 0 && m.audio?.packetsReceived > 0 ? m : null;
    },
    30_000,
  );
  const firstAt = Date.now();
  const later = await until(`${label}: ${who.name}'s video and audio keep arriving`, async () => {
    const m = await mediaFrom(page, frames, who.id);
    const moreFrames = m?.video?.framesDecoded >= first.video.framesDecoded + 20;
    const morePackets = m?.audio?.packetsReceived >= first.audio.packetsReceived + 20;
    return moreFrames && morePackets ? m : null;
  });
  const seconds = (Date.now() - firstAt) / 1000;
  const frameGain = later.video.framesDecoded - first.video.framesDecoded;
  const packetGain = later.audio.packetsReceived - first.audio.packetsReceived;
  t.diagnostic(
    `${label}: ${who.name}'s media after ${firstAt - startedAt} ms; then ${frameGain} frames decoded ` +
      `(${later.video.frameWidth}px wide), ${packetGain} audio packets in ${seconds.toFixed(1)} s; ` +
      `audio energy ${later.audio.totalAudioEnergy.toFixed(4)}`,
  );
  return later;
}

/** The <video> of a person's camera on the page plays: it has a size and its time advances. */
async function assertVideoPlays(page, name, label) {
  const video = page.locator(`video[aria-label="${name}’s camera"]`);
  const read = () => video.evaluate((v) => ({ width: v.videoWidth, height: v.videoHeight, time: v.currentTime }));
  const first = await until(`${label}: ${name}'s video has a picture`, async () => {
    if ((await video.count()) !== 1) return null;
    const r = await read();
    return r.width > 0 ? r : null;
  });
  await until(`${label}: ${name}'s video keeps playing`, async () => (await read()).time > first.time + 0.5);
  return first;
}

/** The outbound stats of the page's publish connection: packets sent per kind. */
function publishStats(page) {
  return page.evaluate(async () => {
    const pc = window.__kindredRoom?.publish;
    if (!pc) return null;
    const out = { connectionState: pc.connectionState, video: 0, audio: 0, layers: [] };
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      out[s.kind] += s.packetsSent ?? 0;
      if (s.kind === 'video' && s.rid) out.layers.push(`${s.rid}:${s.frameWidth ?? 0}px`);
    });
    return out;
  });
}

/** Waits until the page's publish connection is connected and sends both; says how long each step took since `since`. */
async function assertPublishing(t, page, frames, since, label) {
  const sent = await until(
    `${label} sends camera and microphone`,
    async () => {
      const s = await publishStats(page);
      return s && s.connectionState === 'connected' && s.video > 0 && s.audio > 0 ? s : null;
    },
    30_000,
  );
  const offered = frames.find((f) => f.dir === 'sent' && f.type === 'room_publish');
  const answered = frames.find((f) => f.dir === 'received' && f.type === 'room_publish_answer');
  t.diagnostic(
    `${label} publishes: offer +${offered ? offered.at - since : '?'} ms, answer +${answered ? answered.at - since : '?'} ms, ` +
      `sending by +${Date.now() - since} ms (${sent.video} video, ${sent.audio} audio packets; layers ${sent.layers.join(' ')})`,
  );
}

/** The live room's section of the event page. */
function room(page) {
  return page.getByRole('region', { name: 'Live room' });
}

function roomStatus(page, text) {
  return room(page).locator('p.room-status').filter({ hasText: text });
}

async function openEvent(page, eventId) {
  await page.goto(`/events/${eventId}`);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
}

async function join(page) {
  const button = room(page).getByRole('button', { name: 'Join the live room' });
  await until('the Join button is enabled (the chat connection is up)', () => button.isEnabled());
  await button.click();
}

test('a live event: lobby, open, a speaker to the audience, a hand raised and brought on stage, remove, end', async (t) => {
  const started = Date.now();
  const server = await startServer();
  cleanups.push(() => server.stop());
  const media = await mkdtemp(path.join(tmpdir(), 'kindred-room-media-'));
  cleanups.push(() => rm(media, { recursive: true, force: true }));
  const wavPath = path.join(media, 'voice.wav');
  await writeFile(wavPath, voiceWav());
  browser = await launchBrowser({ media: true });
  voiceBrowser = await launchVoiceBrowser(wavPath);
  const contexts = [];
  const open = async (on = browser) => {
    const made = await newPage(on, server.url);
    contexts.push(made.context);
    return made.page;
  };
  const hp = await open();
  const sp = await open(voiceBrowser);
  const ap = await open();
  const bp = await open();
  const pages = [
    ['host', hp],
    ['speaker', sp],
    ['audience A', ap],
    ['audience B', bp],
  ];
  const frames = new Map(pages.map(([label, page]) => [page, recordRoomFrames(page)]));
  const host = { ...COORDINATOR };
  const speaker = { ...SPEAKER };
  const a = { ...AUDIENCE_A };
  const b = { ...AUDIENCE_B };
  let eventId = null;
  try {
    // The program, its people, and the event (ten minutes ahead: the room is open).
    await hp.goto('/login');
    await signIn(hp, COORDINATOR);
    host.id = (await apiCall(hp, 'GET', '/api/auth/session')).user.id;
    const program = await apiCall(hp, 'POST', '/api/programs', {
      name: PROGRAM,
      description: 'Mentoring with live panels.',
      starts_on: null,
      ends_on: null,
    });
    for (const [page, who] of [
      [sp, speaker],
      [ap, a],
      [bp, b],
    ]) {
      await server.createUser({ ...who, program: program.id });
      await page.goto('/login');
      await signIn(page, who);
      who.id = (await apiCall(page, 'GET', '/api/auth/session')).user.id;
    }
    const event = await apiCall(hp, 'POST', `/api/programs/${program.id}/events`, {
      title: TITLE,
      description: 'Two cardiologists on how they got there.',
      starts_at: new Date(Date.now() + 10 * 60_000).toISOString(),
      duration_min: 60,
      capacity: 10,
      audience: 'people',
      invitees: [a.id, b.id],
      speakers: [speaker.id],
    });
    eventId = event.id;
    assert.equal(event.host.user_id, host.id);
    assert.deepEqual(event.speakers.map((s) => s.name), [SPEAKER.name]);

    // The speaker and the audience join first: they wait in the lobby.
    for (const [page, who] of [
      [sp, speaker],
      [ap, a],
      [bp, b],
    ]) {
      await openEvent(page, eventId);
      await join(page);
      await roomStatus(page, 'Waiting for the host to let you in.').waitFor();
      await room(page).getByText('The host lets people in when the event starts.').waitFor();
      assert.equal(await page.evaluate(() => window.__kindredRoom?.phase), 'lobby', `${who.name} is in the lobby`);
    }
    assert.equal(await room(ap).getByRole('group', { name: 'Your controls' }).count(), 0, 'no controls in the lobby');
    await checkPage(ap, 'live room lobby (audience)');

    // The host joins: straight in, and sees the three waiting.
    await openEvent(hp, eventId);
    await join(hp);
    await roomStatus(hp, 'You are in the room, on stage. It is not open to the others yet.').waitFor();
    const hostControls = room(hp).getByRole('region', { name: 'Host controls' });
    await hostControls.getByRole('heading', { name: 'Waiting in the lobby (3)' }).waitFor();
    for (const who of [speaker, a, b]) {
      await hostControls.getByRole('button', { name: `Admit ${who.name}` }).waitFor();
    }
    // Still waiting until the host opens the room.
    await roomStatus(ap, 'Waiting for the host to let you in.').waitFor();
    const openedAt = Date.now();
    await hostControls.getByRole('button', { name: 'Open the room' }).click();
    await hostControls.getByRole('heading', { name: 'Waiting in the lobby (0)' }).waitFor();
    await roomStatus(hp, 'You are in the live room, on stage.').waitFor();
    await roomStatus(sp, 'You are in the live room, on stage.').waitFor();
    await roomStatus(ap, 'You are in the live room, in the audience.').waitFor();
    await roomStatus(bp, 'You are in the live room, in the audience.').waitFor();

    // The speaker (and the host, who is on stage too) publish; the audience decodes the speaker.
    await assertPublishing(t, sp, frames.get(sp), openedAt, 'the speaker');
    await assertPublishing(t, hp, frames.get(hp), openedAt, 'the host');
    for (const [label, page] of [
      ['audience A', ap],
      ['audience B', bp],
    ]) {
      const fromSpeaker = await assertReceives(t, page, frames.get(page), speaker, label);
      assert.ok(fromSpeaker.audio.totalAudioEnergy > 0, `${label}: the speaker's sound is not silence`);
      const shown = await assertVideoPlays(page, SPEAKER.name, label);
      t.diagnostic(`${label}: the speaker's <video> plays at ${shown.width}×${shown.height}`);
      await assertReceives(t, page, frames.get(page), host, `${label} (the host)`);
    }
    t.diagnostic(`both audience pages checked (speaker and host) ${Date.now() - openedAt} ms after the room opened`);
    const stage = room(ap).getByRole('list', { name: 'People on stage' });
    await stage.getByText(SPEAKER.name).waitFor();

    // The active speaker, from the audio levels of what the stage sends: only the speaker's
    // microphone sounds like speech, so both audience pages caption him, and his tile says so.
    for (const [label, page] of [
      ['audience A', ap],
      ['audience B', bp],
    ]) {
      await until(
        `${label}: the caption "Speaking: ${SPEAKER.name}"`,
        async () => (await room(page).locator('.room-caption').innerText()).trim() === `Speaking: ${SPEAKER.name}`,
        10_000,
      );
      const tiles = room(page).getByRole('list', { name: 'People on stage' });
      const tile = tiles.getByRole('listitem').filter({ hasText: SPEAKER.name });
      await tile.getByText('· speaking').waitFor();
      const named = frames.get(page).find((f) => f.dir === 'received' && f.type === 'room_speaker');
      assert.equal(named?.user, speaker.id, `${label}: room_speaker names the speaker`);
    }
    t.diagnostic(`the active speaker is captioned ${Date.now() - openedAt} ms after the room opened`);

    await checkPage(hp, 'live room as host, with the host controls');

    // Audience A raises her hand; the host sees it and brings her on stage.
    await room(ap).getByRole('button', { name: 'Raise my hand' }).click();
    await room(ap).getByText('Your hand is raised: the host can bring you on stage.').waitFor();
    await room(ap).getByRole('button', { name: 'Lower my hand' }).waitFor();
    const people = room(hp).getByRole('region', { name: 'People in the room' });
    await people.getByRole('heading', { name: 'Audience (2 people, 1 hand raised)' }).waitFor();
    const aRow = people.getByRole('listitem').filter({ hasText: AUDIENCE_A.name });
    await aRow.getByRole('img', { name: 'Hand raised' }).waitFor();
    await checkPage(ap, 'live room as audience, with a raised hand');

    const broughtAt = Date.now();
    await aRow.getByRole('button', { name: `Bring ${AUDIENCE_A.name} on stage` }).click();
    await roomStatus(ap, 'You are in the live room, on stage.').waitFor();
    await people.getByRole('heading', { name: 'On stage (3)' }).waitFor();
    await people.getByRole('heading', { name: 'Audience (1 person)' }).waitFor();
    assert.equal(await room(ap).getByRole('button', { name: /my hand/ }).count(), 0, 'no hand on stage');
    await room(ap).getByRole('button', { name: 'Mute my microphone' }).waitFor();
    await assertPublishing(t, ap, frames.get(ap), broughtAt, 'audience A, on stage');

    // B and the host now decode A's video and hear her.
    await assertReceives(t, bp, frames.get(bp), a, 'audience B (A on stage)');
    await assertVideoPlays(bp, AUDIENCE_A.name, 'audience B');
    await assertReceives(t, hp, frames.get(hp), a, 'host (A on stage)');
    await assertVideoPlays(hp, AUDIENCE_A.name, 'host');
    // A's video is one more track: B decodes the host's, the speaker's and A's.
    const bStats = await subscribeStats(bp);
    const bVideos = Object.values(bStats.mids).filter((m) => m.kind === 'video' && m.framesDecoded > 0);
    assert.ok(bVideos.length >= 3, `audience B decodes the host, the speaker and A (${bVideos.length} videos decoding)`);

    // One key to leave: the room says so, and Shift+Escape from anywhere on the page leaves it at
    // once (plain Escape does not); B then joins again.
    await room(bp).getByText('Shift+Esc leaves', { exact: false }).waitFor();
    await bp.locator('body').press('Escape');
    assert.equal(await room(bp).getByRole('button', { name: 'Leave the room' }).count(), 1, 'Escape does not leave');
    await bp.keyboard.press('Shift+Escape');
    await room(bp).getByRole('button', { name: 'Join the live room' }).waitFor();
    await people.getByRole('heading', { name: 'Audience (0 people)' }).waitFor();
    assert.ok(frames.get(bp).some((f) => f.dir === 'sent' && f.type === 'room_leave'), 'B sent room_leave');
    await join(bp);
    await roomStatus(bp, 'You are in the live room, in the audience.').waitFor();
    await people.getByRole('heading', { name: 'Audience (1 person)' }).waitFor();

    // The host removes B, after confirming.
    const bRow = people.getByRole('listitem').filter({ hasText: AUDIENCE_B.name });
    await bRow.getByRole('button', { name: `Remove ${AUDIENCE_B.name}` }).click();
    await bRow.getByText(`Remove ${AUDIENCE_B.name} from this event? They cannot come back.`).waitFor();
    await bRow.getByRole('button', { name: `Yes, remove ${AUDIENCE_B.name}` }).click();
    await room(bp).getByRole('alert').filter({ hasText: 'The host removed you from this event.' }).waitFor();
    assert.equal(await room(bp).getByRole('button', { name: /Join the live room/ }).count(), 0, 'no Join button after removal');
    await until('audience B’s media stopped', async () => {
      return (await bp.evaluate(() => window.__kindredRoom?.subscribe ?? null)) === null;
    });
    await people.getByRole('heading', { name: 'Audience (0 people)' }).waitFor();
    assert.equal(await people.getByText(AUDIENCE_B.name).count(), 0, 'B is no longer listed for the host');
    assert.ok(
      frames.get(bp).some((f) => f.dir === 'received' && f.type === 'room_left' && f.reason === 'removed'),
      'B got room_left removed',
    );

    // B cannot come back: after a reload the join is refused, and there is no Join button again.
    await openEvent(bp, eventId);
    await join(bp);
    await room(bp)
      .getByRole('alert')
      .filter({ hasText: 'The host removed you from this event, so you cannot join it again.' })
      .waitFor();
    assert.equal(await room(bp).getByRole('button', { name: /Join the live room/ }).count(), 0, 'no Join button when refused');
    assert.ok(
      frames.get(bp).some((f) => f.dir === 'received' && f.type === 'room_error' && f.code === 'removed'),
      'the join was refused as removed',
    );
    assert.equal(await bp.evaluate(() => window.__kindredRoom?.phase), 'idle');

    // The host ends the event; the pages still in the room say so.
    await hostControls.getByRole('button', { name: 'End the event' }).click();
    await hostControls.getByRole('button', { name: 'Yes, end the event' }).click();
    for (const [label, page] of [
      ['host', hp],
      ['speaker', sp],
      ['audience A', ap],
    ]) {
      await room(page).getByRole('alert').filter({ hasText: 'The event has ended.' }).waitFor();
      const joins = await room(page).getByRole('button', { name: /Join the live room/ }).count();
      assert.equal(joins, 0, `${label}: no Join after the end`);
      assert.equal(await page.evaluate(() => window.__kindredRoom?.publish ?? null), null, `${label}: publishing stopped`);
      assert.equal(await page.evaluate(() => window.__kindredRoom?.subscribe ?? null), null, `${label}: media stopped`);
    }

    // Opened again after the end (a reload, a reminder email's link), the page says so too and
    // offers no Join, which the server would refuse (`not_open`).
    const ended = await until('the event view’s ended_at', async () => {
      return (await apiCall(sp, 'GET', `/api/events/${eventId}`)).ended_at;
    });
    t.diagnostic(`ended_at ${ended}`);
    await openEvent(sp, eventId);
    await room(sp).getByText('The event has ended.').waitFor();
    const joins = await room(sp).getByRole('button', { name: /Join the live room/ }).count();
    assert.equal(joins, 0, 'no Join on a reloaded ended event');

    // The attendance lists the four people, every stay closed.
    const attendance = await until('the attendance of the four people, closed', async () => {
      const list = await apiCall(hp, 'GET', `/api/events/${eventId}/attendance`);
      const names = new Set(list.items.map((i) => i.user.name));
      return names.size === 4 && list.items.every((i) => i.left_at !== null) ? list : null;
    });
    t.diagnostic(`attendance: ${JSON.stringify(attendance.items.map((i) => [i.user.name, i.minutes]))}`);
    assert.deepEqual(
      [...new Set(attendance.items.map((i) => i.user.user_id))].sort(),
      [host.id, speaker.id, a.id, b.id].sort(),
    );

    // Nothing a page sent while in the room was refused (B's join after the removal aside), and
    // the end is one `room_left` for everyone: no re-offer or state change on the way out.
    for (const [label, page] of pages) {
      let ending = false;
      const refusals = [];
      const afterEnd = [];
      for (const f of frames.get(page)) {
        if (f.dir === 'sent' && f.type === 'room_end') ending = true;
        if (f.dir !== 'received') continue;
        if (f.type === 'room_left' && f.reason === 'ended') ending = true;
        if (f.type === 'room_error' && !(label === 'audience B' && f.code === 'removed')) refusals.push(f);
        if (ending && (f.type === 'room_offer' || f.type === 'room_state')) afterEnd.push(f.type);
      }
      assert.deepEqual(refusals, [], `${label}: no room_error frames while in the room`);
      assert.deepEqual(afterEnd, [], `${label}: nothing but room_left when the event ends`);
    }
    for (const [label, page] of pages) {
      if (page.problems.length) assert.fail(`${label} page errors: ${page.problems.join('; ')}`);
    }
    t.diagnostic(`whole scenario: ${Date.now() - started} ms`);
  } catch (error) {
    for (const [label, page] of pages) {
      const list = frames.get(page) ?? [];
      const summary = list.map(
        (f) =>
          `${f.dir === 'sent' ? '→' : '←'} ${f.type}${f.status ? ` ${f.status}` : ''}${f.reason ? ` ${f.reason}` : ''}` +
          `${f.code ? ` ${f.code}` : ''}${f.tracks ? ` [${f.tracks.map((x) => `${x.mid}:${x.kind}`).join(',')}]` : ''}`,
      );
      t.diagnostic(`${label} room frames: ${summary.join(', ')}`);
      const state = await page
        .evaluate(() => {
          const r = window.__kindredRoom;
          return {
            phase: r?.phase ?? null,
            subscribe: r?.subscribe ? { ice: r.subscribe.iceConnectionState, connection: r.subscribe.connectionState } : null,
            publish: r?.publish ? { ice: r.publish.iceConnectionState, connection: r.publish.connectionState } : null,
          };
        })
        .catch((e) => String(e));
      const text = await room(page).innerText().catch((e) => String(e));
      t.diagnostic(`${label} (${page.url()}): ${JSON.stringify(state)}; problems ${JSON.stringify(page.problems)}\n${text}`);
    }
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    for (const context of contexts) await context.close();
  }
});

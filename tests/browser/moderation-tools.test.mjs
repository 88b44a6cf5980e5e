// Coordinators' moderation tools end to end (docs/safety.md, "Moderating group channels",
// "Suspending someone"), and the one key that leaves a call.
//
// 1. A coordinator, a mentee, a mentor and a third member in a group channel. The coordinator
//    removes the mentor's message (the mentee sees "Removed by a coordinator"), locks the group
//    (the mentee's composer gives way to the locked note; unlocking brings it back), sets slow
//    mode (the mentee's second quick message is refused in its words; Off lifts it), mutes the
//    mentor for an hour from the channel (his next message there is refused with the mute's
//    wording; lifting the mute from Program data → Members lets Retry through), takes the third
//    member out of the group (it leaves their list and their open conversation says so), and
//    suspends the mentor from Program data → Members (his Messages page loses the program's
//    channels without a reload), then reinstates him (they come back); last, takes the mentee
//    out of an event from its page (she no longer sees it). axe-core checks each dialog, the
//    Members view, the slow mode control and the event page's section.
// 2. In a 1:1 call, Shift+Escape hangs up for both; the call screen says so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD,
  activeMatch,
  apiCall,
  checkPage,
  composer,
  launchBrowser,
  messageItem,
  newPage,
  openConversation,
  sendMessage,
  signIn,
  startServer,
  until,
} from './harness.mjs';

const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
const THIRD = { email: 'tess@example.org', name: 'Tess Third', password: PASSWORD };
const GROUP = 'Cardiology circle';
const LOCKED = 'A coordinator locked this channel; you can read it.';

let server;
let browser;

before(async () => {
  server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100' } });
  // The call at the end: a fake camera and microphone answer getUserMedia.
  browser = await launchBrowser({ media: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Sends a message and waits until the other page shows it. */
async function say(from, to, text) {
  await sendMessage(from, text);
  await messageItem(to, text).waitFor();
}

/** The conversations in the page's list. */
function conversations(page) {
  return page.getByRole('navigation', { name: 'Conversations' });
}

/** A moderation dialog, by its title (a question until done). */
function modDialog(page, title) {
  return page.getByRole('dialog', { name: new RegExp(`^${title}\\??$`) });
}

/** Fills in and sends a moderation dialog; returns once it says it is done (`done`) and is closed. */
async function confirmDialog(page, dialog, { reason, submit, check, done }) {
  if (check) await checkPage(page, check);
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByRole('button', { name: submit }).click();
  await dialog.getByRole('status').filter({ hasText: done }).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
}

test('coordinators remove a message, lock a group, mute, take out, suspend and reinstate from the web client', async () => {
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const third = await newPage(browser, server.url);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const tp = third.page;
  try {
    const { program, channelId, mentorId, menteeId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: 'Moderated Mentoring', description: 'Mentoring with moderated groups.' },
      others: [[THIRD, 'mentee']],
    });
    await tp.goto('/login');
    await signIn(tp, THIRD);
    const thirdId = (await apiCall(tp, 'GET', '/api/auth/session')).user.id;
    const group = await apiCall(cp, 'POST', `/api/programs/${program.id}/channels`, {
      kind: 'group',
      name: GROUP,
      members: [menteeId, mentorId, thirdId],
    });

    for (const page of [cp, mp, ep, tp]) await openConversation(page, group.id, GROUP, { withComposer: true });
    // Nobody but the coordinator is offered the tools.
    assert.equal(await ep.getByRole('button', { name: 'Lock the channel' }).count(), 0, 'no Lock for a mentee');

    // 1. The coordinator removes the mentor's message; everyone sees who removed it.
    const unkind = 'Nobody here will make it into cardiology.';
    await say(mp, ep, unkind);
    await messageItem(cp, unkind).waitFor();
    cp.once('dialog', (d) => {
      assert.match(d.message(), /Removed by a coordinator/);
      void d.accept();
    });
    await messageItem(cp, unkind).getByRole('button', { name: /^Remove the message from Kwame Mentor/ }).click();
    await messageItem(ep, 'Removed by a coordinator').waitFor();
    assert.equal(await messageItem(ep, unkind).count(), 0, 'the text is gone for the mentee');
    await messageItem(mp, 'Removed by a coordinator').waitFor();

    // 2. Lock: the mentee's composer gives way to the locked note; unlock brings it back.
    const lock = cp.getByRole('button', { name: 'Lock the channel' });
    await lock.click();
    await cp.getByRole('button', { name: 'Unlock the channel' }).waitFor();
    assert.equal(
      await cp.evaluate(() => document.activeElement?.textContent),
      'Unlock the channel',
      'the focus stays on the lock button',
    );
    await ep.locator('.read-only-note').getByText(LOCKED).waitFor();
    assert.equal(await composer(ep).count(), 0, 'no composer for the mentee while locked');
    await composer(cp).waitFor();
    await cp.getByRole('button', { name: 'Unlock the channel' }).click();
    await composer(ep).waitFor();
    await cp.getByRole('button', { name: 'Lock the channel' }).waitFor();

    // 2b. Slow mode, 1 min: the mentee reads why, and her second quick message is refused in the
    // server's words; Off lets her post freely again. The focus stays on the button.
    assert.equal(await ep.getByLabel('Slow mode').count(), 0, 'no slow mode control for a mentee');
    await cp.getByLabel('Slow mode').selectOption({ label: '1 min' });
    const setSlow = cp.getByRole('button', { name: 'Set slow mode' });
    await setSlow.click();
    await cp.getByRole('status').filter({ hasText: 'Slow mode is on: members post at most one message every 1 min.' }).waitFor();
    assert.equal(await cp.evaluate(() => document.activeElement?.textContent), 'Set slow mode', 'the focus stays on the button');
    await checkPage(cp, 'slow mode control (coordinator)');
    await ep.getByText('Slow mode: one message every 1 min').waitFor();
    const slowFirst = 'First thought on the reading.';
    await say(ep, cp, slowFirst);
    const slowSecond = 'And a second one right away.';
    await sendMessage(ep, slowSecond);
    await ep
      .locator('.message-pending')
      .filter({ hasText: slowSecond })
      .getByText(/this channel is in slow mode: wait \d+ s before your next message/)
      .waitFor();
    await cp.getByLabel('Slow mode').selectOption({ label: 'Off' });
    await setSlow.click();
    await cp.getByRole('status').filter({ hasText: 'Slow mode is off' }).waitFor();
    await ep.getByText('Slow mode: one message every 1 min').waitFor({ state: 'detached' });
    await ep.locator('.message-pending').filter({ hasText: slowSecond }).getByRole('button', { name: 'Retry not sent' }).click();
    await messageItem(cp, slowSecond).waitFor();

    // 3. Mute the mentor for an hour from the channel.
    const before = 'Sorry, that came out wrong.';
    await say(mp, cp, before);
    const third1 = 'Hello everyone, Tess here.';
    await say(tp, cp, third1);
    // Not offered for oneself.
    assert.equal(await cp.getByRole('button', { name: /^Mute Cora/ }).count(), 0);
    await messageItem(cp, before).getByRole('button', { name: 'Mute Kwame Mentor in this program…' }).click();
    const mute = modDialog(cp, 'Mute Kwame Mentor in this program');
    await mute.waitFor();
    // The reason is required.
    await mute.getByRole('radio', { name: '1 hour' }).check();
    await mute.getByRole('button', { name: 'Mute Kwame Mentor for 1 hour' }).click();
    await mute.getByText('Say why: it goes in the audit log, for the other coordinators.').waitFor();
    await confirmDialog(cp, mute, {
      check: 'mute dialog (coordinator)',
      reason: 'Unkind remark in the group',
      submit: 'Mute Kwame Mentor for 1 hour',
      done: /^Kwame Mentor is muted until /,
    });
    const muted = 'Can I say something?';
    await sendMessage(mp, muted);
    const refused = mp.locator('.message-pending').filter({ hasText: muted });
    await refused.getByText(/Not sent: a coordinator muted you in this program's group channels until/).waitFor();

    // Unmute from Program data → Members; Retry goes through.
    await cp.goto(`/programs/${program.id}/data?section=members`);
    await cp.getByRole('heading', { level: 2, name: 'Members' }).waitFor();
    const mentorRow = cp.getByRole('row', { name: new RegExp(`^${MENTOR.name}`) });
    await mentorRow.getByText(/^Muted until /).waitFor();
    await checkPage(cp, 'Program data → Members with a muted member');
    assert.equal(
      await cp.getByRole('row', { name: /^Cora Coordinator/ }).getByRole('button').count(),
      0,
      'no actions on a coordinator',
    );
    await mentorRow.getByRole('button', { name: `Unmute ${MENTOR.name}…` }).click();
    const unmute = modDialog(cp, `Lift ${MENTOR.name}’s mute`);
    await unmute.waitFor();
    await confirmDialog(cp, unmute, { check: 'unmute dialog', reason: 'We talked it over', submit: 'Lift the mute', done: 'mute is lifted' });
    await mentorRow.getByText('Active').waitFor();
    await refused.getByRole('button', { name: 'Retry not sent' }).click();
    await messageItem(ep, muted).waitFor();

    // 4. Take the third member out of the group: it leaves her list, and her open page says so.
    await openConversation(cp, group.id, GROUP, { withComposer: true });
    await conversations(tp).getByRole('link', { name: new RegExp(GROUP) }).waitFor();
    await messageItem(cp, third1).getByRole('button', { name: `Take ${THIRD.name} out of this channel…` }).click();
    const takeOut = modDialog(cp, `Take ${THIRD.name} out of ${GROUP}`);
    await takeOut.waitFor();
    await confirmDialog(cp, takeOut, { check: 'take-out dialog', reason: 'Not part of this circle', submit: `Take ${THIRD.name} out`, done: 'is no longer in this channel' });
    await tp.getByText('You are no longer in this channel.').waitFor();
    await conversations(tp).getByRole('link', { name: new RegExp(GROUP) }).waitFor({ state: 'detached' });

    // 5. Suspend the mentor from Program data → Members: his list loses the program's channels.
    await mp.goto('/messages');
    await mp.locator('p.connection').filter({ hasText: /^Connected$/ }).waitFor();
    const mentorGroup = conversations(mp).getByRole('link', { name: new RegExp(GROUP) });
    const mentorPair = conversations(mp).getByRole('link', { name: new RegExp(MENTEE.name) });
    await mentorGroup.waitFor();
    await mentorPair.waitFor();
    await cp.goto(`/programs/${program.id}/data?section=members`);
    await mentorRow.getByRole('button', { name: `Suspend ${MENTOR.name}…` }).click();
    const suspend = modDialog(cp, `Suspend ${MENTOR.name} from this program`);
    await suspend.waitFor();
    await suspend.getByText(/reinstating restores everything/).waitFor();
    await confirmDialog(cp, suspend, { check: 'suspend dialog', reason: 'Repeated unkindness', submit: `Suspend ${MENTOR.name}`, done: 'is suspended from this program' });
    await mentorRow.getByText(/^Suspended since /).waitFor();
    await mentorGroup.waitFor({ state: 'detached' });
    await mentorPair.waitFor({ state: 'detached' });
    assert.equal(mp.url().endsWith('/messages'), true, 'no reload or navigation: the same page');

    // Reinstate: the channels come back.
    await mentorRow.getByRole('button', { name: `Reinstate ${MENTOR.name}…` }).click();
    const reinstate = modDialog(cp, `Reinstate ${MENTOR.name}`);
    await reinstate.waitFor();
    await confirmDialog(cp, reinstate, { check: 'reinstate dialog', reason: 'Apologised', submit: `Reinstate ${MENTOR.name}`, done: 'is reinstated' });
    await mentorRow.getByText('Active').waitFor();
    await mentorGroup.waitFor();
    await mentorPair.waitFor();

    // 6. Take the mentee out of an event from its page: she no longer sees it.
    const EVENT = 'Cardiology Q&A';
    const event = await apiCall(cp, 'POST', `/api/programs/${program.id}/events`, {
      title: EVENT,
      starts_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
      duration_min: 60,
      capacity: 10,
      audience: 'program',
      speakers: [mentorId],
    });
    const seen = (page) => page.evaluate(async (id) => (await fetch(`/api/events/${id}`)).status, event.id);
    assert.equal(await seen(ep), 200, 'the mentee is invited');
    await cp.goto(`/events/${event.id}`);
    await cp.getByRole('heading', { level: 2, name: 'Take someone out of this event' }).waitFor();
    await cp.getByRole('button', { name: `Take ${MENTOR.name} out of this event…` }).waitFor();
    await cp.getByLabel('Person').selectOption({ label: MENTEE.name });
    await checkPage(cp, 'event page, taking someone out (coordinator)');
    await cp.getByRole('button', { name: 'Take out of this event…' }).click();
    const outOfEvent = modDialog(cp, `Take ${MENTEE.name} out of “${EVENT}”`);
    await outOfEvent.waitFor();
    await outOfEvent.getByText(/is no longer invited to/).waitFor();
    await confirmDialog(cp, outOfEvent, {
      check: 'take-out-of-event dialog',
      reason: 'Asked to leave this session',
      submit: `Take ${MENTEE.name} out`,
      done: 'is no longer in this event',
    });
    assert.notEqual(await seen(ep), 200, 'the mentee no longer sees the event');
    void channelId;
  } finally {
    await Promise.all([coord, mentor, mentee, third].map((p) => p.context.close()));
  }
});

test('Shift+Escape hangs up a 1:1 call for both', async () => {
  const M2 = { email: 'ola@example.org', name: 'Ola Mentor', password: PASSWORD };
  const E2 = { email: 'ines@example.org', name: 'Ines Mentee', password: PASSWORD };
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  try {
    const { channelId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: M2,
      mentee: E2,
      program: { name: 'Calling Mentoring', description: 'Mentoring with calls.' },
    });
    await openConversation(mp, channelId, E2.name);
    await openConversation(ep, channelId, M2.name);
    await ep.getByRole('button', { name: `Call ${M2.name}` }).click();
    const menteeScreen = ep.getByRole('dialog', { name: `Call with ${M2.name}` });
    await menteeScreen.waitFor();
    const ringing = mp.getByRole('alertdialog', { name: 'Incoming video call' });
    await ringing.getByRole('button', { name: 'Accept' }).click();
    const mentorScreen = mp.getByRole('dialog', { name: `Call with ${E2.name}` });
    await mentorScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    await menteeScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    await menteeScreen.getByText('Shift+Esc leaves', { exact: false }).waitFor();
    assert.ok(await menteeScreen.getByText('Shift+Esc leaves', { exact: false }).isVisible(), 'the call screen says so');

    // Plain Escape does not end the call.
    await ep.keyboard.press('Escape');
    assert.equal(await menteeScreen.count(), 1, 'Escape keeps the call');
    // Shift+Escape, with the focus on the page's own controls, hangs up.
    await ep.keyboard.press('Shift+Escape');
    await ep.getByRole('status').filter({ hasText: `Call with ${M2.name}: Call ended` }).waitFor();
    await mp.getByRole('status').filter({ hasText: `Call with ${E2.name}: They hung up` }).waitFor();
    assert.equal(await menteeScreen.count(), 0);
    assert.equal(await mentorScreen.count(), 0);
    await until('no call left', async () => (await ep.evaluate(() => window.__kindredCall?.pc ?? null)) === null);
  } finally {
    await Promise.all([coord, mentor, mentee].map((p) => p.context.close()));
  }
});

// Real-time chat end to end: a coordinator opens a pair channel from the program page; the
// mentor (desktop) and the mentee (phone) see it appear live, chat, see each other typing, edit
// and delete; the mentee drops offline and comes back to exactly the messages they missed;
// read receipts and presence follow; history pages backwards; an announcement channel is
// read-only for the mentee. axe-core checks every state of the Messages page for both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COORDINATOR, PASSWORD, apiCall, checkPage, launchBrowser, newPage, signIn, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  // A short presence grace keeps the offline check quick (the default is 4 s).
  server = await startServer({ env: { KINDRED_PRESENCE_GRACE_MS: '500' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
const XSS = '<img src=x onerror=alert(1)>';

/**
 * Records the chat frames of the page's WebSockets (parsed), to check the protocol itself:
 * what the client said on reconnecting, and that the server never refused a frame.
 */
function recordFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => {
    const add = (dir) => (event) => {
      try {
        frames.push({ dir, ...JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString()) });
      } catch {
        frames.push({ dir, type: 'unparsable', payload: String(event.payload) });
      }
    };
    ws.on('framesent', add('sent'));
    ws.on('framereceived', add('received'));
  });
  return frames;
}

/** Error frames received, except rate limiting of the test's own seeding socket. */
function errorFrames(frames) {
  return frames.filter(
    (f) => f.dir === 'received' && f.type === 'error' && !(f.code === 'rate_limited' && String(f.ref).startsWith('seed-')),
  );
}

/** Another page in a context, recording problems the way `newPage` does. */
async function anotherPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`uncaught error: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
      page.problems.push(`CSP: ${msg.text()}`);
    }
  });
  handleDialogs(page);
  page.frames = recordFrames(page);
  return page;
}

/** Accepts confirmations (deleting a message) and fails the page on any other dialog. */
function handleDialogs(page) {
  page.on('dialog', async (dialog) => {
    if (dialog.type() === 'confirm') {
      await dialog.accept();
    } else {
      page.problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      await dialog.dismiss();
    }
  });
}

function messageList(page) {
  return page.getByRole('list', { name: 'Messages', exact: true });
}

function messageItem(page, text) {
  return messageList(page).getByRole('listitem').filter({ hasText: text });
}

function connection(page, label) {
  return page.getByRole('status').filter({ hasText: new RegExp(`^${label}$`) });
}

async function waitForCount(locator, expected, what) {
  const deadline = Date.now() + 15_000;
  let count = -1;
  while (Date.now() < deadline) {
    count = await locator.count();
    if (count === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(count, expected, what);
}

/** Sends messages on a raw WebSocket from the page (its cookie), one at a time, each acknowledged. */
async function seedMessages(page, channel, bodies) {
  await page.evaluate(
    async ({ channel, bodies }) => {
      const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
      const frames = [];
      let wake = () => {};
      ws.onmessage = (e) => {
        frames.push(JSON.parse(e.data));
        wake();
      };
      const next = (match) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no reply in 10 s')), 10_000);
          const look = () => {
            const i = frames.findIndex(match);
            if (i >= 0) {
              clearTimeout(timer);
              resolve(frames.splice(i, 1)[0]);
            } else {
              wake = look;
            }
          };
          look();
        });
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('could not connect'));
      });
      ws.send(JSON.stringify({ type: 'hello', v: 1 }));
      await next((f) => f.type === 'welcome');
      for (const [i, body] of bodies.entries()) {
        const ref = `seed-${i}`;
        const frame = { type: 'send', ref, channel, client_id: crypto.randomUUID(), body };
        for (;;) {
          ws.send(JSON.stringify(frame));
          const reply = await next((f) => f.ref === ref);
          if (reply.type === 'ack') break;
          if (reply.code !== 'rate_limited') throw new Error(`send refused: ${JSON.stringify(reply)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      ws.close(1000);
    },
    { channel, bodies },
  );
}

test('coordinator opens a pair channel; mentor and mentee chat live, recover from going offline, page back through history', async (t) => {
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url, { width: 375, height: 812 });
  let menteePage = mentee.page;
  try {
    for (const p of [coord.page, mentor.page, menteePage]) {
      handleDialogs(p);
      p.frames = recordFrames(p);
    }
    const pages = [coord.page, mentor.page, menteePage];

    // Set-up: the coordinator creates a program; the mentor and mentee join it (CLI).
    const cp = coord.page;
    await cp.goto('/login');
    await signIn(cp, COORDINATOR);
    const program = await apiCall(cp, 'POST', '/api/programs', {
      name: 'Chat Pilot 2031',
      description: 'Mentoring with real-time chat.',
      starts_on: null,
      ends_on: null,
    });
    for (const [who, role] of [
      [MENTOR, 'mentor'],
      [MENTEE, 'mentee'],
    ]) {
      await server.createUser({ email: who.email, name: who.name, role, program: program.id, password: who.password });
    }

    // The mentor (desktop) and the mentee (phone) sign in and open Messages: nothing yet.
    const mp = mentor.page;
    for (const [page, who, label] of [
      [mp, MENTOR, 'mentor'],
      [menteePage, MENTEE, 'mentee'],
    ]) {
      await page.goto('/login');
      await signIn(page, who);
      await page.getByRole('link', { name: /^Messages/ }).click();
      await page.waitForURL('**/messages');
      await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
      await connection(page, 'Connected').waitFor();
      await page.getByText('No conversations yet.', { exact: false }).waitFor();
      await checkPage(page, `messages, empty (${label})`);
    }

    // The coordinator opens their pair channel from the program page.
    await cp.goto(`/programs/${program.id}`);
    const channels = cp.getByRole('region', { name: 'Channels' });
    await channels.getByLabel('First person', { exact: true }).selectOption({ label: `${MENTOR.name} (Mentor)` });
    await channels.getByLabel('Second person', { exact: true }).selectOption({ label: `${MENTEE.name} (Mentee)` });
    await checkPage(cp, 'program page with the channels section');
    await channels.getByRole('button', { name: 'Open pair channel' }).click();
    await channels.getByRole('status').filter({ hasText: `Pair channel “${MENTOR.name} & ${MENTEE.name}” opened` }).waitFor();
    // Opening it again changes nothing and says so.
    await channels.getByRole('button', { name: 'Open pair channel' }).click();
    await channels.getByRole('status').filter({ hasText: 'already have a channel' }).waitFor();
    // The same person twice is caught before asking the server.
    await channels.getByLabel('Second person', { exact: true }).selectOption({ label: `${MENTOR.name} (Mentor)` });
    await channels.getByRole('button', { name: 'Open pair channel' }).click();
    await channels.getByText('Choose two different people.').waitFor();
    await checkPage(cp, 'program page, pair form error');

    // The channel appears live for both, with the other person shown online.
    const toMentee = mp.getByRole('link', { name: new RegExp(`^${MENTEE.name} \\(online\\)`) });
    const toMentor = menteePage.getByRole('link', { name: new RegExp(`^${MENTOR.name} \\(online\\)`) });
    await toMentee.waitFor();
    await toMentor.waitFor();
    await checkPage(mp, 'messages list with the pair (mentor)');
    await checkPage(menteePage, 'messages list with the pair (mentee, phone)');

    await toMentee.click();
    await mp.getByRole('heading', { level: 1, name: MENTEE.name }).waitFor();
    await mp.getByText('Online', { exact: true }).waitFor();
    const channelId = new URL(mp.url()).pathname.split('/').pop();
    await toMentor.click();
    await menteePage.getByRole('heading', { level: 1, name: MENTOR.name }).waitFor();
    await menteePage.getByText('No messages yet.', { exact: false }).waitFor();
    await checkPage(mp, 'empty conversation (mentor)');
    await checkPage(menteePage, 'empty conversation (mentee, phone)');

    // The mentor writes; the mentee sees it live.
    const mentorBox = mp.getByLabel('Message', { exact: true });
    const menteeBox = menteePage.getByLabel('Message', { exact: true });
    await mentorBox.fill('Hello Nia! How is your week going?');
    await mentorBox.press('Enter');
    assert.equal(await mentorBox.inputValue(), '', 'the composer empties after sending');
    await messageItem(menteePage, 'Hello Nia! How is your week going?').waitFor();
    await messageItem(menteePage, 'Hello Nia!').getByText(MENTOR.name).waitFor();

    // The mentee types: the mentor sees it; then the message arrives.
    await menteeBox.pressSequentially('Hi Kwame', { delay: 20 });
    await mp.getByText(`${MENTEE.name} is typing…`).waitFor();
    await menteeBox.press('Enter');
    await messageItem(mp, 'Hi Kwame').waitFor();

    // Shift+Enter starts a new line; newlines are kept.
    await menteeBox.pressSequentially('Line one');
    await menteeBox.press('Shift+Enter');
    await menteeBox.pressSequentially('Line two');
    await menteeBox.press('Enter');
    const twoLines = messageItem(mp, 'Line one');
    await twoLines.waitFor();
    assert.match(await twoLines.locator('.message-body').innerText(), /Line one\nLine two/);

    // Markup in a message is text, never HTML.
    await mentorBox.fill(XSS);
    await mentorBox.press('Enter');
    await messageList(menteePage).getByText(XSS, { exact: true }).waitFor();
    await messageList(mp).getByText(XSS, { exact: true }).waitFor();
    assert.equal(await messageList(menteePage).locator('img').count(), 0, 'no <img> in the mentee’s message list');
    assert.equal(await messageList(mp).locator('img').count(), 0, 'no <img> in the mentor’s message list');

    // The mentee edits a message; the mentor sees the new text, marked edited.
    const hi = messageItem(menteePage, 'Hi Kwame');
    await hi.getByRole('button', { name: /^Edit/ }).click();
    const editBox = menteePage.getByLabel('Edit your message', { exact: true });
    assert.ok(await editBox.evaluate((el) => el === document.activeElement), 'the edit box has focus');
    await checkPage(menteePage, 'editing a message (mentee, phone)');
    await editBox.fill('Hi Kwame, great to meet you');
    await editBox.press('Enter');
    const edited = messageItem(mp, 'Hi Kwame, great to meet you');
    await edited.waitFor();
    await edited.getByText('(edited)').waitFor();
    await messageItem(menteePage, 'Hi Kwame, great to meet you').getByText('(edited)').waitFor();
    assert.ok(
      await messageItem(menteePage, 'Hi Kwame, great to meet you')
        .getByRole('button', { name: /^Edit/ })
        .evaluate((el) => el === document.activeElement),
      'focus returns to the Edit button',
    );

    // ... and deletes another: the mentor sees a tombstone instead.
    await messageItem(menteePage, 'Line one').getByRole('button', { name: /^Delete/ }).click();
    await messageItem(mp, 'Message deleted').waitFor();
    await waitForCount(messageItem(mp, 'Line one'), 0, 'the deleted text is gone for the mentor');
    await messageItem(menteePage, 'Message deleted').waitFor();
    await checkPage(mp, 'conversation with messages (mentor)');
    await checkPage(menteePage, 'conversation with messages (mentee, phone)');

    // The mentee goes offline. The mentor writes three messages; the mentee writes one.
    await mentee.context.setOffline(true);
    await connection(menteePage, 'Offline').waitFor();
    const missed = ['Missed one: are you free Thursday?', 'Missed two: 5 pm works for me', 'Missed three: see you then'];
    for (const text of missed) {
      await mentorBox.fill(text);
      await mentorBox.press('Enter');
      await messageItem(mp, text).locator('.message-status').waitFor({ state: 'detached' });
    }
    await menteeBox.fill('Written while offline');
    await menteeBox.press('Enter');
    await messageItem(menteePage, 'Written while offline').getByText('Waiting for the connection…').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await messageItem(menteePage, 'Missed one').count(), 0, 'nothing arrives while offline');
    await checkPage(menteePage, 'conversation while offline (mentee, phone)');

    // Back online: exactly the missed messages, once each, and the queued one sent once.
    const framesBefore = menteePage.frames.length;
    await mentee.context.setOffline(false);
    await connection(menteePage, 'Connected').waitFor();
    for (const text of missed) await messageItem(menteePage, text).first().waitFor();
    await messageItem(mp, 'Written while offline').waitFor();
    await messageItem(menteePage, 'Written while offline').locator('.message-status').waitFor({ state: 'detached' });
    await new Promise((r) => setTimeout(r, 1000));
    for (const text of missed) {
      assert.equal(await messageItem(menteePage, text).count(), 1, `mentee sees "${text}" once`);
    }
    assert.equal(await messageItem(mp, 'Written while offline').count(), 1, 'the queued message arrives once');
    assert.equal(await messageItem(menteePage, 'Written while offline').count(), 1, 'and shows once for its sender');
    // Hello, the edited one, the tombstone, the markup, 3 missed, the one written offline.
    const expected = 8;
    assert.equal(await messageList(menteePage).getByRole('listitem').count(), expected, 'mentee: no duplicates');
    assert.equal(await messageList(mp).getByRole('listitem').count(), expected, 'mentor: no duplicates');

    // On the wire: the new connection resumed from the last seq the page had applied, and the
    // message written offline went once, with the client id it was given.
    const resumed = menteePage.frames.slice(framesBefore);
    const hello = resumed.find((f) => f.dir === 'sent' && f.type === 'hello');
    assert.ok(hello, 'a hello on the new connection');
    assert.ok(hello.last_seq?.[channelId] > 0, `hello resumes the channel: ${JSON.stringify(hello)}`);
    const offlineSends = menteePage.frames.filter((f) => f.dir === 'sent' && f.type === 'send' && f.body === 'Written while offline');
    assert.equal(new Set(offlineSends.map((f) => f.client_id)).size, 1, 'one client id for the queued message');
    const caughtUp = resumed.filter((f) => f.dir === 'received' && f.type === 'event' && f.body.startsWith('Missed'));
    assert.equal(caughtUp.length, 3, 'the catch-up brings the three missed messages');

    // The mentee has read them: the mentor sees "Seen" under their last message.
    await messageItem(mp, 'Missed three').getByText('Seen', { exact: true }).waitFor();

    // Presence: the mentee closes the page and goes offline for the mentor...
    await mp.getByText('Online', { exact: true }).waitFor();
    await menteePage.close();
    await mp.getByText('Offline', { exact: true }).waitFor();
    await mp.getByRole('link', { name: new RegExp(`^${MENTEE.name} \\(offline\\)`) }).waitFor();
    await checkPage(mp, 'conversation, the other person offline (mentor)');

    // ... the mentor writes while the mentee is away ...
    await mentorBox.fill('Ping me when you are back');
    await mentorBox.press('Enter');
    await messageItem(mp, 'Ping me when you are back').locator('.message-status').waitFor({ state: 'detached' });
    assert.equal(await messageItem(mp, 'Ping me when you are back').getByText('Seen', { exact: true }).count(), 0);

    // ... and a new page finds everything once, with an unread count until it is opened.
    menteePage = await anotherPage(mentee.context);
    pages.push(menteePage);
    await menteePage.goto('/messages');
    const unreadLink = menteePage.getByRole('link', { name: new RegExp(`^${MENTOR.name} \\(online\\)\\s*1 unread$`) });
    await unreadLink.waitFor();
    await menteePage.getByRole('link', { name: /^Messages\s*1 unread$/ }).waitFor();
    await checkPage(menteePage, 'messages list with an unread count (mentee, phone)');
    await mp.getByText('Online', { exact: true }).waitFor();
    await unreadLink.click();
    await messageItem(menteePage, 'Ping me when you are back').waitFor();
    for (const text of missed) assert.equal(await messageItem(menteePage, text).count(), 1, `after reload: "${text}" once`);
    assert.equal(await messageList(menteePage).getByRole('listitem').count(), expected + 1);
    await messageItem(mp, 'Ping me when you are back').getByText('Seen', { exact: true }).waitFor();
    await menteePage.getByRole('link', { name: 'Messages', exact: true }).waitFor();
    await checkPage(menteePage, 'conversation after reload (mentee, phone)');

    // History pages backwards: 60 more messages, then a fresh page shows the newest 50 and
    // loads the rest on request, each exactly once.
    const seeded = Array.from({ length: 60 }, (_, i) => `Seed message #${String(i + 1).padStart(2, '0')}.`);
    await seedMessages(mp, channelId, seeded);
    await messageItem(mp, seeded[59]).waitFor();
    await menteePage.close();
    menteePage = await anotherPage(mentee.context);
    await menteePage.goto(`/messages/${channelId}`);
    await messageItem(menteePage, seeded[59]).waitFor();
    const total = expected + 1 + seeded.length;
    assert.equal(await messageList(menteePage).getByRole('listitem').count(), 50, 'the first page has 50 messages');
    await menteePage.getByRole('button', { name: 'Load earlier messages' }).click();
    await menteePage.getByText('This is the beginning of the conversation.').waitFor();
    const region = menteePage.getByRole('region', { name: `Messages with ${MENTOR.name}` });
    assert.ok(await region.evaluate((el) => el === document.activeElement), 'focus stays in the conversation');
    assert.equal(await messageList(menteePage).getByRole('listitem').count(), total, 'all messages after loading more');
    for (const text of [...seeded.slice(0, 3), missed[0], 'Hello Nia!']) {
      assert.equal(await messageItem(menteePage, text).count(), 1, `"${text}" once`);
    }
    await messageItem(menteePage, 'Message deleted').waitFor();
    await checkPage(menteePage, 'conversation with all history (mentee, phone)');

    // An announcement channel for the whole program: the coordinator posts, the mentee reads.
    await cp.reload();
    const createForm = cp.getByRole('form', { name: 'Create a group or announcement channel' });
    await createForm.getByLabel('Kind', { exact: true }).selectOption('announcement');
    await createForm.getByLabel('Channel name', { exact: true }).fill('Program news');
    await createForm.getByRole('button', { name: 'Create channel' }).click();
    await createForm.getByText('Choose members, or make the channel program-wide.').waitFor();
    await createForm.getByLabel('Everyone in the program', { exact: true }).check();
    await createForm.getByRole('button', { name: 'Create channel' }).click();
    await createForm.getByRole('status').filter({ hasText: 'Announcement channel “Program news” created.' }).waitFor();
    await checkPage(cp, 'program page after creating an announcement channel');
    await createForm.getByRole('link', { name: 'Open “Program news” in Messages' }).click();
    await cp.getByRole('heading', { level: 1, name: 'Program news' }).waitFor();
    await cp.getByLabel('Message', { exact: true }).fill('Welcome to the program!\nFirst group call on Monday.');
    await cp.getByLabel('Message', { exact: true }).press('Enter');
    await messageItem(cp, 'Welcome to the program!').locator('.message-status').waitFor({ state: 'detached' });
    await checkPage(cp, 'announcement channel (coordinator)');

    // On a phone the list is one step back.
    await menteePage.getByRole('link', { name: 'All conversations' }).click();
    await menteePage.getByRole('link', { name: /^Program news/ }).click();
    await menteePage.getByRole('heading', { level: 1, name: 'Program news' }).waitFor();
    await messageItem(menteePage, 'Welcome to the program!').waitFor();
    await menteePage.getByText('Only coordinators post in this channel.', { exact: false }).waitFor();
    assert.equal(await menteePage.getByLabel('Message', { exact: true }).count(), 0, 'no composer in announcements');
    await checkPage(menteePage, 'announcement channel (mentee, phone)');

    // No frame of the app was refused by the server.
    for (const page of [...pages, menteePage]) {
      assert.deepEqual(errorFrames(page.frames ?? []), [], 'no error frames from the server');
    }
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

test('someone in many conversations sees the most recent first, shows older ones, and an old one with a new message comes to the top', async (t) => {
  const coord = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  try {
    const cp = coord.page;
    const ep = mentee.page;
    handleDialogs(ep);
    ep.frames = recordFrames(ep);
    await cp.goto('/login');
    await signIn(cp, COORDINATOR);
    const program = await apiCall(cp, 'POST', '/api/programs', {
      name: 'National Study Groups',
      description: '',
      starts_on: null,
      ends_on: null,
    });
    const member = { email: 'amara@example.org', name: 'Amara Many', password: PASSWORD };
    await server.createUser({ ...member, role: 'mentee', program: program.id });
    const members = await apiCall(cp, 'GET', `/api/programs/${program.id}/members`);
    const amara = members.items.find((m) => m.email === member.email);
    assert.ok(amara, 'the mentee is a member');
    // 60 study groups, oldest first: Amara is in more than a welcome carries (50).
    const groups = [];
    for (let i = 0; i < 60; i++) {
      const name = `Study group ${String(i).padStart(2, '0')}`;
      groups.push(
        await apiCall(cp, 'POST', `/api/programs/${program.id}/channels`, {
          kind: 'group',
          name,
          members: [amara.user_id ?? amara.id],
        }),
      );
    }

    await ep.goto('/login');
    await signIn(ep, member);
    await ep.goto('/messages');
    await connection(ep, 'Connected').waitFor();
    const list = ep.getByRole('navigation', { name: 'Conversations' });
    const links = list.getByRole('link');
    await waitForCount(links, 50, 'the 50 most recent conversations');
    assert.match(await links.first().innerText(), /Study group 59/, 'the newest first');
    assert.equal(await list.getByRole('link', { name: /Study group 09/ }).count(), 0, 'an old one is not loaded yet');
    await checkPage(ep, 'messages, many conversations');
    await list.getByRole('button', { name: 'Show older conversations' }).click();
    await waitForCount(links, 60, 'every conversation after showing older ones');
    assert.match(await links.last().innerText(), /Study group 00/, 'the oldest last');
    assert.equal(await list.getByRole('button', { name: 'Show older conversations' }).count(), 0, 'nothing older');

    // A fresh page loads the newest 50 again; a message in an old group brings it to the top,
    // with its unread count, though it was not loaded.
    await ep.reload();
    await connection(ep, 'Connected').waitFor();
    await waitForCount(links, 50, 'the 50 most recent conversations after a reload');
    await seedMessages(cp, groups[3].id, ['Anyone up for a mock interview on Friday?']);
    await list.getByRole('link', { name: /Study group 03/ }).waitFor();
    assert.match(await links.first().innerText(), /Study group 03[\s\S]*1/, 'on top, one unread');
    await waitForCount(links, 51, 'the one old conversation added');

    // A conversation opened by its link loads on its own; one that is not hers is not found.
    await ep.goto(`/messages/${groups[1].id}`);
    await ep.getByRole('heading', { level: 1, name: 'Study group 01' }).waitFor();
    await ep.goto(`/messages/${crypto.randomUUID()}`);
    await ep.getByRole('heading', { level: 1, name: 'Conversation not found' }).waitFor();
    await ep.getByRole('alert').filter({ hasText: 'you are not in it' }).waitFor();
    await checkPage(ep, 'messages, a conversation that is not hers');
    assert.deepEqual(errorFrames(ep.frames), [], 'no error frames from the server');
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentee.context.close();
  }
});

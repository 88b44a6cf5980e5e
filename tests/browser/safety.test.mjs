// Blocking a person end to end (docs/safety.md): a mentee and a mentor in an active match, both
// signed in, and a group channel of the two with their coordinator. The mentee blocks the mentor
// from the header of their pair conversation, after a confirmation dialog that says what blocking
// does (checked with axe-core). At once the mentee's composer gives way to the closed note; the
// mentor, who is told nothing, writes anyway and reads the server's neutral words where the
// message failed, then calls and reads "you cannot reach this person". His message in the group
// channel is hidden for the mentee and shown to the coordinator; the mentee can still post there.
// Under Settings → Blocked people (checked with axe-core) the mentee finds him and unblocks him:
// both composers come back without a reload, his group message shows again, and the match stays
// ended.

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
  messageList,
  newPage,
  openConversation,
  recordFrames,
  sendMessage,
  startServer,
  until,
} from './harness.mjs';

const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
const CLOSED = 'This conversation is closed to new messages.';

let server;
let browser;

before(async () => {
  // Quick worker jobs (the pair's channel) and a short presence grace (offline shows quickly).
  server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100', KINDRED_PRESENCE_GRACE_MS: '500' } });
  // The mentor calls: a fake camera and microphone answer getUserMedia.
  browser = await launchBrowser({ media: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The note that stands in for the composer. */
function closedNote(page) {
  return page.locator('.read-only-note');
}

/** Opens a conversation from the list of conversations, without loading the page again. */
async function openFromList(page, title) {
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

const send = sendMessage;

test('blocking someone closes the conversation both ways, stops calls, hides them in groups, and unblocking restores contact', async (t) => {
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const mentorFrames = recordFrames(mp);
  const menteeFrames = recordFrames(ep);
  try {
    const { program, match, channelId, mentorId, menteeId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: 'Safe Mentoring', description: 'Mentoring where anyone can block anyone.' },
    });
    const group = await apiCall(cp, 'POST', `/api/programs/${program.id}/channels`, {
      kind: 'group',
      name: 'Cardiology circle',
      members: [menteeId, mentorId],
    });

    // My matches offers to block the other person of an active match too.
    await mp.goto('/matches');
    await mp.getByRole('article', { name: `${MENTEE.name}, your mentee` }).getByRole('button', { name: `Block ${MENTEE.name}` }).waitFor();

    await openConversation(mp, channelId, MENTEE.name);
    await openConversation(ep, channelId, MENTOR.name);
    await ep.locator('.conversation-presence').getByText('Online', { exact: true }).waitFor();
    await composer(mp).waitFor();

    // The mentee blocks the mentor from their conversation's header: first a dialog that says
    // what blocking does, the focus on Cancel.
    await ep.getByRole('button', { name: `Block ${MENTOR.name}` }).click();
    const dialog = ep.getByRole('alertdialog', { name: `Block ${MENTOR.name}?` });
    await dialog.waitFor();
    await dialog.getByText(`Your conversation with ${MENTOR.name} closes to new messages, for both of you.`).waitFor();
    await dialog.getByText(`${MENTOR.name} is not told that you blocked them.`, { exact: false }).waitFor();
    await dialog.getByText('the match ends quietly, and you will both be matched with someone else', { exact: false }).waitFor();
    await dialog.getByText(`you will not see ${MENTOR.name}’s messages there`, { exact: false }).waitFor();
    await dialog.getByText('Settings → Blocked people', { exact: false }).first().waitFor();
    assert.equal(await ep.evaluate(() => document.activeElement?.textContent), 'Cancel', 'focus starts on Cancel');
    await checkPage(ep, 'the block confirmation dialog (mentee)');
    await dialog.getByRole('button', { name: `Block ${MENTOR.name}`, exact: true }).click();
    const done = ep.getByRole('alertdialog', { name: `You blocked ${MENTOR.name}` });
    await done.getByRole('status').filter({ hasText: `You blocked ${MENTOR.name}.` }).waitFor();
    assert.equal(await ep.evaluate(() => document.activeElement?.textContent), 'Close', 'focus moves to Close');
    await done.getByRole('button', { name: 'Close' }).click();
    await done.waitFor({ state: 'detached' });

    // The mentee's conversation is closed at once, without a reload; she sees him offline, and
    // can no longer call him from here.
    await closedNote(ep).getByText(CLOSED, { exact: true }).waitFor();
    await closedNote(ep).getByText(`You blocked ${MENTOR.name}.`, { exact: false }).waitFor();
    assert.equal(await composer(ep).count(), 0, 'no composer for the mentee');
    await ep.locator('.conversation-presence').getByText('Offline', { exact: true }).waitFor();
    assert.equal(await ep.getByRole('button', { name: `Call ${MENTOR.name}` }).count(), 0, 'no Call button');
    assert.equal(await ep.getByRole('button', { name: `Block ${MENTOR.name}` }).count(), 0, 'no second Block');
    assert.ok(
      menteeFrames.some((f) => f.dir === 'received' && f.type === 'block' && f.user_id === mentorId && f.blocked === true),
      'the mentee’s page got the block frame',
    );
    assert.ok(
      !mentorFrames.some((f) => f.dir === 'received' && f.type === 'block'),
      'the mentor’s page got no block frame',
    );

    // The mentor is told nothing: he writes, and reads the server's neutral words where his
    // message failed; then the composer gives way to the same note, without his name.
    const refused = 'Are we still on for Thursday?';
    await send(mp, refused);
    await messageItem(mp, refused).getByText('Not sent: this conversation is closed to new messages').waitFor();
    await closedNote(mp).getByText(CLOSED, { exact: true }).waitFor();
    assert.equal(await closedNote(mp).getByText('You blocked', { exact: false }).count(), 0, 'the mentor is not told who');
    assert.equal(await composer(mp).count(), 0, 'no composer for the mentor');
    const errors = mentorFrames.filter((f) => f.dir === 'received' && f.type === 'error');
    assert.deepEqual(
      errors.map((f) => [f.code, f.message]),
      [['read_only', 'this conversation is closed to new messages']],
      'one refusal, in the neutral words',
    );

    // His call is refused the same way, in words the page shows.
    await mp.getByRole('button', { name: `Call ${MENTEE.name}` }).click();
    await mp.getByRole('status').filter({ hasText: `Call with ${MENTEE.name}: You cannot reach this person` }).waitFor();
    const callErrors = mentorFrames.filter((f) => f.dir === 'received' && f.type === 'call_error');
    assert.deepEqual(
      callErrors.map((f) => [f.code, f.message]),
      [['forbidden', 'you cannot reach this person']],
    );
    assert.ok(
      !menteeFrames.some((f) => f.dir === 'received' && f.type === 'call_invite'),
      'the mentee’s page never rang',
    );

    // The match ended quietly: for the mentor without a reason.
    const mentorsMatch = (await apiCall(mp, 'GET', '/api/me/matches')).items.find((m) => m.id === match.id);
    assert.equal(mentorsMatch.status, 'ended');
    assert.equal(mentorsMatch.reason, null, 'the blocked person is not told why');

    // In the group channel the mentor's message is hidden for the mentee and shown to the
    // coordinator; the mentee can still post there, and everyone sees it.
    // (The two pages go there by the conversation list: what they learned live stays.)
    await openConversation(cp, group.id, 'Cardiology circle');
    await openFromList(ep, 'Cardiology circle');
    await openFromList(mp, 'Cardiology circle');
    const hello = 'Hello circle, Kwame here';
    await send(mp, hello);
    await messageItem(cp, hello).waitFor();
    await messageItem(ep, 'Message hidden (you blocked this person)').waitFor();
    assert.equal(await messageList(ep).getByText(hello).count(), 0, 'the mentee does not see his message');
    assert.equal(await ep.getByRole('button', { name: `Block ${MENTOR.name}` }).count(), 0, 'nothing to block him again with');
    const reply = 'Hello everyone';
    await send(ep, reply);
    await messageItem(cp, reply).waitFor();
    await messageItem(mp, reply).waitFor();
    await checkPage(ep, 'a group channel with a hidden message (mentee)');

    // Settings → Blocked people, from the closed conversation's note.
    await openConversation(ep, channelId, MENTOR.name);
    await closedNote(ep).getByRole('link', { name: 'Manage the people you blocked in Settings' }).click();
    await ep.waitForURL((u) => u.pathname === '/settings' && u.hash === '#blocked-people');
    const section = ep.getByRole('region', { name: 'Blocked people' });
    const listed = section.getByRole('list', { name: 'Blocked people' }).getByRole('listitem');
    await listed.filter({ hasText: MENTOR.name }).waitFor();
    assert.equal(await listed.count(), 1, 'one person blocked');
    await section.getByText('It does not bring back a match that the block ended.', { exact: false }).waitFor();
    assert.equal(
      await ep.evaluate(() => document.activeElement?.id),
      'blocked-people-heading',
      'the link leads the focus to the section',
    );
    await checkPage(ep, 'settings, blocked people (mentee)');

    await section.getByRole('button', { name: `Unblock ${MENTOR.name}` }).click();
    await section.getByRole('status').filter({ hasText: `You unblocked ${MENTOR.name}.` }).waitFor();
    await section.getByText('You have not blocked anyone.').waitFor();
    await checkPage(ep, 'settings, nobody blocked (mentee)');

    // Contact is back for both, without a reload: the mentor's page (in the group channel) learns
    // it from the mentee's presence; the match stays ended.
    await ep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await openFromList(ep, 'Cardiology circle');
    await messageItem(ep, hello).waitFor();
    assert.equal(await messageList(ep).getByText('Message hidden', { exact: false }).count(), 0, 'nothing hidden now');
    await openFromList(ep, MENTOR.name);
    await composer(ep).waitFor();
    await openFromList(mp, MENTEE.name);
    await composer(mp).waitFor();
    const again = 'Thank you for unblocking me';
    await send(mp, again);
    await messageItem(ep, again).waitFor();
    await ep.locator('.conversation-presence').getByText('Online', { exact: true }).waitFor();
    const menteesMatch = (await apiCall(ep, 'GET', '/api/me/matches')).items.find((m) => m.id === match.id);
    assert.equal(menteesMatch.status, 'ended', 'unblocking does not bring the match back');
    const blocks = await apiCall(ep, 'GET', '/api/me/blocks');
    assert.deepEqual(blocks.items, []);
    assert.ok(
      menteeFrames.some((f) => f.dir === 'received' && f.type === 'block' && f.user_id === mentorId && f.blocked === false),
      'the mentee’s page got the unblock frame',
    );
    const channelView = await until('the mentor may post again', async () => {
      const view = await apiCall(mp, 'GET', `/api/channels/${channelId}`);
      return view.can_post ? view : null;
    });
    assert.equal(channelView.can_post, true);
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

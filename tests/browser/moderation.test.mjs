// Reports, the moderation queue and the code of conduct end to end (docs/safety.md).
//
// 1. A mentee and her mentor in an active match; he writes something unkind. She reports that
//    message from their conversation, sharing it and one earlier message (not her own reply),
//    after a dialog that says what the coordinators will see (checked with axe-core); a second
//    report of the same message is refused in words. The coordinator, whose Reports tab is open,
//    sees the report arrive live with exactly those two copies (axe-core), and warns the mentor
//    with a reason and words (a reason is required first). The mentor reads the warning in his
//    conversation with the coordinator and gets no report frame; the mentee, on Settings → My
//    reports (axe-core), sees her report turn Reviewed live with a polite notice, and never what
//    was done. She then reports him as a person from My matches; the coordinator's new card lists
//    the earlier report and how it was closed.
// 2. The coordinator sets a code of conduct in Program data (an empty one is refused; axe-core
//    on the editor); the mentee's next message is refused in the server's words and the prompt
//    with the code (line breaks kept) shows above her page (axe-core); after "I accept", Retry
//    sends the same message, which her mentor receives.

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
  openConversation as openChat,
  received,
  recordFrames,
  sendMessage,
  startServer,
  until,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  // Quick worker jobs: the pair's channel opens soon after the match is active.
  server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a conversation and waits for the live connection and its composer. */
function openConversation(page, channelId, title) {
  return openChat(page, channelId, title, { withComposer: true });
}

const send = sendMessage;

/** Sends a message and waits until the other page shows it (stored and delivered). */
async function say(from, to, text) {
  await send(from, text);
  await messageItem(to, text).waitFor();
}

async function focusedText(page) {
  return page.evaluate(() => document.activeElement?.textContent ?? null);
}

test('a reported message reaches the coordinators with exactly the shared copies; a warning goes to the person alone; the reporter sees it reviewed', async (t) => {
  const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
  const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
  const PROGRAM = 'Kind Mentoring';
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const coordFrames = recordFrames(cp);
  const mentorFrames = recordFrames(mp);
  const menteeFrames = recordFrames(ep);
  try {
    const { program, channelId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: PROGRAM, description: 'Mentoring with a way to report.' },
    });

    // The coordinator keeps the queue open: the report arrives live.
    await cp.goto(`/programs/${program.id}/data?section=reports`);
    await cp.getByRole('heading', { level: 2, name: 'Reports' }).waitFor();
    await cp.getByText('No open reports.').waitFor();

    await openConversation(mp, channelId, MENTEE.name);
    await openConversation(ep, channelId, MENTOR.name);
    const hello = 'Hi Nia, welcome to the program.';
    const unkind = 'Honestly, you will never make it in cardiology.';
    const reply = 'That was unkind.';
    await say(mp, ep, hello);
    await say(mp, ep, unkind);
    await say(ep, mp, reply);
    const seqOf = async (text) => Number(await messageItem(ep, text).getAttribute('data-seq'));
    const helloSeq = await seqOf(hello);
    const unkindSeq = await seqOf(unkind);

    // Nothing to report on her own message.
    assert.equal(await messageItem(ep, reply).getByRole('button', { name: /^Report/ }).count(), 0, 'no Report on my own message');

    // The mentee reports his message: the dialog opens on its title and says what will be seen.
    await messageItem(ep, unkind).getByRole('button', { name: `Report the message from ${MENTOR.name}`, exact: false }).click();
    const dialog = ep.getByRole('dialog', { name: `Report a message from ${MENTOR.name}` });
    await dialog.waitFor();
    assert.equal(await focusedText(ep), `Report a message from ${MENTOR.name}`, 'focus starts on the title');
    await dialog.getByText(`Your report goes to the coordinators of ${PROGRAM}`, { exact: false }).waitFor();
    const checklist = dialog.getByRole('group', { name: 'Share these messages with the coordinators' });
    const boxes = checklist.getByRole('checkbox');
    // The reported message first and ticked; the others loaded, not ticked (Kindred's welcome is not offered).
    assert.deepEqual(
      await boxes.evaluateAll((els) => els.map((el) => [el.labels[0].textContent, el.checked])),
      [
        [await boxLabel(checklist, unkind), true],
        [await boxLabel(checklist, hello), false],
        [await boxLabel(checklist, reply), false],
      ],
    );
    assert.match(await boxLabel(checklist, unkind), /\(the message you report\)/);
    const sees = dialog.getByRole('list', { name: 'What the coordinators will see' });
    await sees.getByText(`Who you are, and who you report: ${MENTOR.name}.`).waitFor();
    await sees.getByText('Copies of exactly the message you ticked, and nothing else from your conversations.').waitFor();
    await dialog.getByText(`${MENTOR.name} is not told who reported them.`).waitFor();

    // A reason is required.
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Choose what this is about.').waitFor();
    assert.equal(
      await ep.evaluate(() => document.activeElement?.getAttribute('type')),
      'radio',
      'focus moves to the reasons',
    );
    await checkPage(ep, 'the report dialog, with an error (mentee)');

    await dialog.getByRole('radio', { name: 'Harassment or bullying' }).check();
    const words = 'He said this after I asked about the fellowship.';
    await dialog.getByLabel('In your own words (optional)').fill(words);
    await dialog.getByText(`${words.length} of 2000 characters`, { exact: false }).waitFor();
    await checklist.getByRole('checkbox', { name: hello, exact: false }).check();
    await sees.getByText('Copies of exactly the 2 messages you ticked, and nothing else from your conversations.').waitFor();
    await checkPage(ep, 'the report dialog (mentee)');
    const posted = ep.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/reports');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    const body = (await posted).postDataJSON();
    assert.deepEqual(body, {
      kind: 'message',
      category: 'harassment',
      note: words,
      channel_id: channelId,
      seq: unkindSeq,
      share: [helloSeq, unkindSeq].sort((a, b) => a - b),
    });
    const sent = ep.getByRole('dialog', { name: 'Report sent' });
    await sent.getByRole('status').filter({ hasText: `Thank you. The coordinators of ${PROGRAM} have your report.` }).waitFor();
    assert.equal(await focusedText(ep), 'Close', 'focus moves to Close');
    await sent.getByRole('button', { name: 'Close' }).click();
    await sent.waitFor({ state: 'detached' });

    // The same report again is refused in words.
    await messageItem(ep, unkind).getByRole('button', { name: `Report the message from ${MENTOR.name}`, exact: false }).click();
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'Harassment or bullying' }).check();
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'You already reported this; the coordinators have it.' })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The coordinator's queue shows it without a reload: who, why, her words, exactly the two copies.
    const card = cp.getByRole('article', { name: /^Harassment, severity \d of 5/ });
    await card.waitFor();
    assert.ok(
      received(coordFrames, 'report').some((f) => f.program_id === program.id && f.status === 'open'),
      'the coordinator’s page got the report frame',
    );
    await card.getByText(`${MENTEE.name} → reported ${MENTOR.name}`).waitFor();
    await card.getByText(words).waitFor();
    const copies = card.getByRole('list', { name: `Messages shared by ${MENTEE.name} (copies)` }).getByRole('listitem');
    assert.deepEqual(
      await copies.locator('blockquote').allTextContents(),
      [hello, unkind],
      'exactly the shared messages, in the conversation’s order',
    );
    assert.equal(await cp.getByText(reply).count(), 0, 'the message she did not share is nowhere');
    await checkPage(cp, 'the moderation queue (coordinator)');

    // The mentee follows it under Settings → My reports: open.
    await ep.goto('/settings#my-reports');
    const myReports = ep.getByRole('region', { name: 'My reports' });
    const mine = myReports.getByRole('list', { name: 'My reports' }).getByRole('listitem');
    await mine.filter({ hasText: MENTOR.name }).getByText('Open', { exact: true }).waitFor();
    assert.equal(await ep.evaluate(() => document.activeElement?.id), 'my-reports-heading', 'the link leads the focus there');

    // Warning needs a reason, then the words the mentor reads.
    const close = card.getByRole('form', { name: /Close this report/ });
    await card.getByRole('radio', { name: `Warn ${MENTOR.name}` }).check();
    const warning = 'Please keep your messages respectful and encouraging.';
    await card.getByLabel(`Warning for ${MENTOR.name}`).fill(warning);
    await card.getByRole('button', { name: `Send the warning to ${MENTOR.name}` }).click();
    await close.getByText('Say why: it goes in the audit log, for the other coordinators.').waitFor();
    assert.equal(await cp.evaluate(() => document.activeElement?.getAttribute('name')), 'reason', 'focus moves to the reason');
    await checkPage(cp, 'the close form with an error (coordinator)');
    const reason = 'A discouraging remark, shown in the shared copies.';
    await card.getByLabel('Reason', { exact: true }).fill(reason);
    await card.getByRole('button', { name: `Send the warning to ${MENTOR.name}` }).click();
    await cp
      .getByRole('status')
      .filter({ hasText: `Your warning was sent to ${MENTOR.name}, and the report is closed.` })
      .waitFor();
    await card.waitFor({ state: 'detached' });
    await cp.getByText('No open reports.').waitFor();
    assert.equal(
      await cp.evaluate(() => document.activeElement?.className),
      'status-anchor',
      'focus stays on the outcome',
    );
    await cp.getByLabel('Show closed reports too').check();
    const closed = cp.getByRole('article', { name: /^Harassment, severity \d of 5/ });
    await closed.getByText(/^Closed .*: Warning sent$/).waitFor();
    await closed.getByText(reason).waitFor();
    assert.equal(await closed.getByRole('form').count(), 0, 'nothing more to do with a closed report');
    await checkPage(cp, 'the moderation queue with closed reports (coordinator)');

    // The mentor reads the warning alone, in his conversation with the coordinator; nobody told
    // him who reported him, and his page never got a report frame.
    await mp.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /Cora Coordinator/ }).click();
    await mp.getByRole('heading', { level: 1, name: /Cora Coordinator/ }).waitFor();
    await messageItem(mp, `A warning from the program's coordinators: ${warning}`).waitFor();
    assert.equal(await messageList(mp).getByText(MENTEE.name).count(), 0, 'the warning does not name the reporter');
    assert.deepEqual(received(mentorFrames, 'report'), [], 'the reported person gets no report frame');

    // The mentee's report turns Reviewed live, with a polite notice, and nothing of what was done.
    await mine.filter({ hasText: MENTOR.name }).getByText('Reviewed', { exact: true }).waitFor();
    const notices = ep.getByRole('status', { name: 'Report notices' });
    await notices.getByText(`The coordinators reviewed your report about ${MENTOR.name}. Thank you for telling them.`).waitFor();
    assert.ok(
      received(menteeFrames, 'report').some((f) => f.status === 'reviewed'),
      'the mentee’s page got the reviewed frame',
    );
    const text = await myReports.innerText();
    assert.doesNotMatch(text, /warn|dismiss|match ended/i, 'My reports never says what was done');
    assert.doesNotMatch(text, new RegExp(reason), 'nor why');
    const api = await apiCall(ep, 'GET', '/api/me/reports');
    assert.deepEqual(
      api.items.map((r) => [r.status, r.subject.name, 'outcome' in r]),
      [['reviewed', MENTOR.name, false]],
    );
    await checkPage(ep, 'settings, my reports (mentee)');
    await notices.getByRole('button', { name: 'Dismiss this notice' }).click();
    await notices.getByText('reviewed', { exact: false }).waitFor({ state: 'detached' });

    // Once closed, she can report him again, as a person, from My matches: the coordinator's
    // queue shows it with the earlier report about him (and how it was closed).
    await ep.goto('/matches');
    await ep
      .getByRole('article', { name: `${MENTOR.name}, your mentor` })
      .getByRole('button', { name: `Report ${MENTOR.name}` })
      .click();
    const personDialog = ep.getByRole('dialog', { name: `Report ${MENTOR.name}` });
    await personDialog.getByText('No messages from your conversations.').waitFor();
    assert.equal(await personDialog.getByRole('checkbox').count(), 0, 'a person report shares no messages');
    await personDialog.getByRole('radio', { name: 'Something else' }).check();
    await personDialog.getByRole('button', { name: 'Send report' }).click();
    const personSent = ep.getByRole('dialog', { name: 'Report sent' });
    await personSent.getByRole('link', { name: 'Settings → My reports' }).click();
    await personSent.waitFor({ state: 'detached' });
    await mine.filter({ hasText: `A person: ${MENTOR.name}` }).getByText('Open', { exact: true }).waitFor();
    await cp.getByLabel('Show closed reports too').uncheck();
    const second = cp.getByRole('article', { name: /^Other, severity \d of 5/ });
    await second.waitFor();
    await second
      .getByRole('list', { name: `Earlier reports about ${MENTOR.name}` })
      .getByText(`Harassment (a message), reported by ${MENTEE.name}: warning sent`, { exact: false })
      .waitFor();
    assert.equal(await second.getByRole('list', { name: /copies/ }).count(), 0, 'a person report carries no copies');
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

/** The label of the checklist's box whose message is `text`. */
async function boxLabel(checklist, text) {
  return checklist.locator('label').filter({ hasText: text }).textContent();
}

test('a code of conduct is shown to members, who cannot post until they accept it', async (t) => {
  const MENTOR = { email: 'tomas@example.org', name: 'Tomas Mentor', password: PASSWORD };
  const MENTEE = { email: 'ama@example.org', name: 'Ama Mentee', password: PASSWORD };
  const PROGRAM = 'Careful Mentoring';
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const menteeFrames = recordFrames(ep);
  try {
    const { program, channelId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: PROGRAM, description: 'Mentoring with a code of conduct.' },
    });
    await openConversation(mp, channelId, MENTEE.name);
    await openConversation(ep, channelId, MENTOR.name);
    await say(ep, mp, 'Hello before any code.');

    // The coordinator writes the code: an empty one is refused first.
    await cp.goto(`/programs/${program.id}/data?section=conduct`);
    const editor = cp.getByRole('tabpanel');
    await editor.getByRole('heading', { level: 2, name: 'Code of conduct' }).waitFor();
    await editor.getByText('This program has no code of conduct yet.').waitFor();
    await editor.getByText('every member (coordinators aside) is asked to accept it again', { exact: false }).waitFor();
    await editor.getByRole('button', { name: 'Save code of conduct' }).click();
    await editor.getByText('Write the code of conduct first.').waitFor();
    assert.equal(await cp.evaluate(() => document.activeElement?.getAttribute('name')), 'text', 'focus moves to the text');
    await checkPage(cp, 'the code of conduct editor, with an error (coordinator)');
    const code = 'Be kind and respectful.\nNo harassment of any kind.\nKeep what others share with you private.';
    await editor.getByLabel('Code of conduct text').fill(code);
    await editor.getByRole('button', { name: 'Save code of conduct' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: 'Saved as version 1. Every member will be asked to accept it' })
      .waitFor();
    await editor.getByText(/^Version 1, saved /).waitFor();
    assert.equal(
      await editor.getByRole('region', { name: 'What members read now' }).innerText(),
      code,
      'shown as plain text, line breaks kept',
    );
    await checkPage(cp, 'the code of conduct editor (coordinator)');

    // The mentee, whose page was open all along, writes: refused in the server's words, and the
    // code shows above her page.
    const hello = 'Hello Tomas, shall we meet on Friday?';
    await send(ep, hello);
    await messageItem(ep, hello).getByText("Not sent: accept the program's code of conduct first").waitFor();
    assert.deepEqual(
      received(menteeFrames, 'error').map((f) => [f.code, f.message]),
      [['conduct_required', "accept the program's code of conduct first"]],
    );
    const prompt = ep.getByRole('region', { name: `Code of conduct of ${PROGRAM}`, exact: true });
    await prompt.waitFor();
    assert.equal(await prompt.getByRole('region', { name: `The code of conduct of ${PROGRAM}`, exact: true }).innerText(), code);
    await prompt.getByText(`Until you do, you cannot post messages`, { exact: false }).waitFor();
    await messageItem(ep, hello).getByRole('button', { name: 'Read the code of conduct' }).click();
    assert.equal(await focusedText(ep), `Code of conduct of ${PROGRAM}`, 'the way to the code leads the focus there');
    await checkPage(ep, 'the code of conduct prompt (mentee)');
    const history = await apiCall(mp, 'GET', `/api/channels/${channelId}/messages`);
    assert.ok(!history.items.some((m) => m.body === hello), 'the refused message was not stored');

    // She accepts; the prompt goes, and the same message goes through on Retry.
    await prompt.getByRole('button', { name: `I accept the code of conduct of ${PROGRAM}` }).click();
    await ep.getByRole('status').filter({ hasText: `You accepted the code of conduct of ${PROGRAM}.` }).waitFor();
    await prompt.waitFor({ state: 'detached' });
    assert.equal(await ep.evaluate(() => document.activeElement?.className), 'status-anchor', 'focus on the outcome');
    assert.deepEqual((await apiCall(ep, 'GET', '/api/me/conduct')).items, []);
    await messageItem(ep, hello).getByRole('button', { name: 'Retry' }).click();
    await messageItem(mp, hello).waitFor();
    await until('the message is stored', async () => {
      const after = await apiCall(mp, 'GET', `/api/channels/${channelId}/messages`);
      return after.items.some((m) => m.body === hello);
    });
    await messageItem(ep, hello).getByText('Not sent', { exact: false }).waitFor({ state: 'detached' });

    // The mentor, who has not accepted, is shown it on his next page, and the coordinator is not.
    await mp.goto('/matches');
    await mp.getByRole('region', { name: `Code of conduct of ${PROGRAM}`, exact: true }).waitFor();
    assert.equal(await cp.getByRole('region', { name: `Code of conduct of ${PROGRAM}`, exact: true }).count(), 0);
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

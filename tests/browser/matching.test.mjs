// Matching end to end: a coordinator's program has an interest taxonomy and a mentor who has
// completed the questionnaire; an invited mentee fills in the intake questionnaire step by step
// and submits it; the coordinator runs a round in the matching console, reviews the proposal and
// its reasons and approves it; the mentee sees the proposal live on My matches and accepts, the
// mentor accepts, and the mentee follows the active match to the pair's channel with Kindred's
// welcome message. axe-core checks the questionnaire, the console and My matches.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COORDINATOR, PASSWORD, apiCall, checkPage, launchBrowser, newPage, signIn, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  // A short poll keeps the matching worker's jobs (publishing, opening the channel) quick.
  server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PROGRAM = 'Bridges Mentoring 2032';
const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: 'mentee-password-456' };
const INTERESTS = ['Global health', 'Health equity', 'Surgery', 'Medical education'];
const GOALS = 'I want to build a career in global health research and learn how to run studies abroad.';

/** The matches of `match` frames the page receives on its WebSockets (to tell live updates from refetches). */
function recordMatchFrames(page) {
  const matches = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (event) => {
      try {
        const frame = JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString());
        if (frame.type === 'match') matches.push(frame.match);
      } catch {
        // not JSON: not a match frame
      }
    });
  });
  return matches;
}

test('mentee completes the questionnaire; coordinator runs and approves a round; both accept and the pair chat opens', async (t) => {
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  try {
    // Set-up (API): a program with an interest taxonomy, a mentor who completed the questionnaire,
    // and an invitation for the mentee.
    const cp = coord.page;
    await cp.goto('/login');
    await signIn(cp, COORDINATOR);
    const program = await apiCall(cp, 'POST', '/api/programs', {
      name: PROGRAM,
      description: 'Pairs residents with attendings across institutions.',
      starts_on: null,
      ends_on: null,
    });
    const interests = {};
    for (const label of INTERESTS) {
      interests[label] = (await apiCall(cp, 'POST', `/api/programs/${program.id}/interests`, { label })).id;
    }
    await server.createUser({ email: MENTOR.email, name: MENTOR.name, role: 'mentor', program: program.id });
    const mp = mentor.page;
    await mp.goto('/login');
    await signIn(mp, MENTOR);
    const mentorQuestionnaire = await apiCall(mp, 'PUT', `/api/programs/${program.id}/questionnaire`, {
      answers: {
        career_stage: 'attending',
        institution: 'Lakeside Medical Center',
        time_zone: 'America/Chicago',
        languages: ['English', 'Spanish'],
        interests: [interests['Global health'], interests['Surgery']],
        experience: 'Fifteen years of global health research: I ran surgical studies abroad in Ghana and Peru.',
        expertise: 'Global health research, running studies abroad, grant writing.',
        capacity: 2,
        hours_per_month: 4,
        accepting: true,
      },
      complete: true,
    });
    assert.ok(mentorQuestionnaire.completed_at, 'the mentor’s questionnaire is completed');
    const invitation = await apiCall(cp, 'POST', `/api/programs/${program.id}/invitations`, {
      name: MENTEE.name,
      email: MENTEE.email,
      role: 'mentee',
    });
    assert.ok(invitation.link, 'the new invitation has a link');

    // The mentee accepts the invitation and goes to My matches: no match yet, a questionnaire to fill in.
    const page = mentee.page;
    const matchFrames = recordMatchFrames(page);
    await page.goto(new URL(invitation.link).pathname);
    await page.getByRole('heading', { level: 1, name: `Join ${PROGRAM}` }).waitFor();
    await page.getByLabel('Choose a password', { exact: true }).fill(MENTEE.password);
    await page.getByLabel('Password again', { exact: true }).fill(MENTEE.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('link', { name: 'My matches', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'My matches' }).waitFor();
    await page.getByText('You have no match yet.').waitFor();
    await checkPage(page, 'my matches, none yet (mentee)');
    await page.getByRole('link', { name: `Your questionnaire for ${PROGRAM} (mentee)` }).click();
    await page.waitForURL(`**/programs/${program.id}/questionnaire`);

    // Step 1 of 4: about you.
    await page.getByRole('heading', { level: 1, name: 'Mentee questionnaire' }).waitFor();
    const form = page.getByRole('form', { name: 'About you' });
    await form.waitFor();
    await page.getByText('Not submitted yet.').waitFor();
    await page.getByText('Step 1 of 4', { exact: true }).waitFor();
    await form.getByLabel('Career stage', { exact: true }).selectOption({ label: 'Resident' });
    await form.getByLabel('Institution', { exact: true }).fill('Example University');
    await form.getByLabel('Time zone', { exact: true }).selectOption('America/Chicago');
    await form.getByLabel('Languages', { exact: true }).fill('Spanish');
    await checkPage(page, 'questionnaire, about you (mentee)');
    await form.getByRole('button', { name: 'Next' }).click();

    // Step 2: interests and goals. The first step was saved as a draft.
    await page.getByRole('status').filter({ hasText: 'Draft saved. Step 2 of 4: Interests and goals.' }).waitFor();
    const interestsForm = page.getByRole('form', { name: 'Interests and goals' });
    const group = interestsForm.getByRole('group', { name: 'Interests' });
    for (const label of INTERESTS) await group.getByRole('checkbox', { name: label, exact: true }).waitFor();
    let draft = await apiCall(page, 'GET', `/api/programs/${program.id}/questionnaire`);
    assert.equal(draft.role, 'mentee');
    assert.equal(draft.completed_at, null, 'a draft is not completed');
    assert.equal(draft.answers.career_stage, 'resident');
    assert.equal(draft.answers.time_zone, 'America/Chicago');
    assert.deepEqual(draft.answers.languages, ['Spanish']);
    await group.getByRole('checkbox', { name: 'Global health', exact: true }).check();
    await interestsForm.getByLabel('Your goals', { exact: true }).fill(GOALS);
    await checkPage(page, 'questionnaire, interests and goals (mentee)');
    await interestsForm.getByRole('button', { name: 'Next' }).click();

    // Step 3: background and preferences (optional): ask for a mentor from another institution.
    await page.getByRole('status').filter({ hasText: 'Draft saved. Step 3 of 4: Background and preferences.' }).waitFor();
    const backgroundForm = page.getByRole('form', { name: 'Background and preferences' });
    await backgroundForm.getByRole('checkbox', { name: 'A mentor from another institution' }).check();
    await backgroundForm.getByRole('button', { name: 'Next' }).click();

    // Step 4: review, then submit.
    await page.getByRole('status').filter({ hasText: 'Draft saved. Step 4 of 4: Review.' }).waitFor();
    const review = page.getByRole('form', { name: 'Review' });
    await review.getByText('Everything needed is answered. Check your answers, then submit.').waitFor();
    const answers = review.getByRole('region', { name: 'Interests and goals' });
    await answers.getByText('Global health', { exact: true }).waitFor();
    await answers.getByText(GOALS).waitFor();
    await review.getByRole('region', { name: 'About you' }).getByText('America/Chicago', { exact: true }).waitFor();
    draft = await apiCall(page, 'GET', `/api/programs/${program.id}/questionnaire`);
    assert.deepEqual(draft.answers.interests, [interests['Global health']], 'the interest was saved with the draft');
    assert.equal(draft.answers.prefer_other_institution, true);
    assert.equal(draft.completed_at, null);
    await checkPage(page, 'questionnaire, review (mentee)');
    await review.getByRole('button', { name: 'Submit questionnaire' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Questionnaire submitted. Thank you! You will hear when you have a match.' })
      .waitFor();
    await page.getByText('You can change your answers at any time', { exact: false }).waitFor();
    await page.getByRole('navigation', { name: 'Questionnaire steps' }).getByText('submitted', { exact: true }).waitFor();
    await review.getByRole('button', { name: 'Submit changes' }).waitFor();
    const submitted = await apiCall(page, 'GET', `/api/programs/${program.id}/questionnaire`);
    assert.ok(submitted.completed_at, 'the questionnaire is completed');
    await checkPage(page, 'questionnaire, submitted (mentee)');

    // ... and waits on My matches, which stays open while the coordinator works.
    await page.getByRole('link', { name: 'See your matches' }).click();
    await page.getByRole('heading', { level: 1, name: 'My matches' }).waitFor();
    await page.getByText('You have no match yet.').waitFor();

    // The coordinator opens the matching console from the program page.
    await cp.goto(`/programs/${program.id}`);
    await cp.getByRole('link', { name: 'Matching console' }).click();
    await cp.waitForURL(`**/programs/${program.id}/matching`);
    await cp.getByRole('heading', { level: 1, name: `Matching: ${PROGRAM}` }).waitFor();
    assert.equal(await cp.getByRole('tab', { name: 'Round' }).getAttribute('aria-selected'), 'true');
    const round = cp.getByRole('tabpanel');
    await round.getByText('No round has been run in this program yet.').waitFor();
    await checkPage(cp, 'matching console, round section, no round yet');

    // ... runs a round: one pair proposed, with its reasons; nobody is told yet.
    await round.getByRole('button', { name: 'Run a round' }).click();
    await round.getByRole('status').filter({ hasText: 'Round run: 1 pair proposed, 0 people left waiting.' }).waitFor();
    await round.getByText('Preview — not published; nobody has been told').waitFor();
    const proposals = round.getByRole('table', { name: 'Proposed pairs' });
    const row = proposals.getByRole('row').filter({ hasText: MENTEE.name });
    await row.waitFor();
    await row.getByRole('cell', { name: MENTOR.name, exact: true }).waitFor();
    await row.getByText('You share an interest: Global health').waitFor();
    const reasons = await row.locator('ul.cell-list').first().locator('li').allInnerTexts();
    t.diagnostic(`proposal reasons in the console: ${JSON.stringify(reasons)}`);
    assert.ok(reasons.length >= 1 && reasons.length <= 3, 'one to three top reasons are shown');
    const approveBox = row.getByRole('checkbox', { name: `Approve ${MENTEE.name} with ${MENTOR.name}` });
    assert.ok(await approveBox.isChecked(), 'the proposal is chosen for approval');
    await round.getByText('1 of 1 chosen for approval.').waitFor();
    await round.getByText('Every mentee considered has a proposal.').waitFor();
    const load = round.getByRole('table', { name: /capacity, open matches and proposals/ });
    await load.getByRole('row', { name: new RegExp(MENTOR.name) }).getByRole('cell', { name: 'Accepting' }).waitFor();
    assert.equal((await apiCall(page, 'GET', '/api/me/matches')).items.length, 0, 'a preview proposes nothing yet');
    await checkPage(cp, 'matching console, round in preview');

    // ... and approves it.
    await round.getByRole('button', { name: 'Approve selected (1)' }).click();
    await round.getByRole('status').filter({ hasText: 'Approved 1 match. Both people in each pair are asked to accept.' }).waitFor();
    await round.getByText('Approved — the chosen pairs were proposed to both people').waitFor();
    await row.getByRole('cell', { name: 'Yes', exact: true }).waitFor();
    await checkPage(cp, 'matching console, round approved');

    // The weights section, and a preview of the saved weights' effect.
    await cp.getByRole('tab', { name: 'Weights' }).click();
    await cp.waitForURL('**/matching?section=weights');
    const weights = cp.getByRole('tabpanel');
    await weights.getByRole('heading', { name: 'Weights' }).waitFor();
    assert.equal(await weights.getByLabel('Interests', { exact: true }).inputValue(), '3');
    assert.equal(await weights.getByLabel('Goals', { exact: true }).inputValue(), '3');
    await checkPage(cp, 'matching console, weights section');
    await weights.getByRole('button', { name: 'Preview effect' }).click();
    await weights.getByRole('status').filter({ hasText: 'Preview ready' }).waitFor();
    await weights.getByRole('table', { name: 'Effect of the edited weights (preview, not saved)' }).waitFor();
    await checkPage(cp, 'matching console, weights preview');

    // The mentee sees the proposal arrive live, with why they were matched.
    const proposed = page.getByRole('region', { name: 'Proposed matches' });
    const card = proposed.getByRole('article', { name: `${MENTOR.name}, your mentor` });
    await card.waitFor();
    await card.locator('.match-meta').getByText('Proposed', { exact: true }).waitFor();
    await card.getByRole('heading', { name: 'Why you were matched' }).waitFor();
    await card.getByRole('listitem').filter({ hasText: 'You share an interest: Global health' }).waitFor();
    const explanation = await card.locator('ul.reasons li').allInnerTexts();
    t.diagnostic(`the mentee’s explanation: ${JSON.stringify(explanation)}`);
    assert.equal(await page.getByText('You have no match yet.').count(), 0);
    assert.ok(
      matchFrames.some((m) => m.status === 'proposed'),
      'the proposal came live, as a match frame on the page’s connection',
    );
    await checkPage(page, 'my matches, a proposal (mentee)');

    // The mentee accepts; the mentor has not answered yet.
    await card.getByRole('button', { name: `Accept the match with ${MENTOR.name}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `You accepted the match with ${MENTOR.name}. You will be told when they answer.` })
      .waitFor();
    await card.getByRole('definition').filter({ hasText: /^Accepted$/ }).waitFor();
    assert.equal(await card.getByRole('button', { name: /^Accept/ }).count(), 0, 'no Accept button after answering');
    await checkPage(page, 'my matches, accepted, waiting for the mentor (mentee)');

    // The mentor accepts (API): the match is active, and the worker opens the pair's channel.
    const mentorMatches = await apiCall(mp, 'GET', '/api/me/matches');
    assert.equal(mentorMatches.items.length, 1);
    const match = mentorMatches.items[0];
    assert.equal(match.status, 'proposed');
    assert.equal(match.mentee_response, 'accepted');
    assert.equal(match.mentor_response, 'pending');
    const answered = await apiCall(mp, 'POST', `/api/matches/${match.id}/respond`, { accept: true });
    assert.equal(answered.status, 'active');

    // The mentee's page shows the match as active, live, with a link to the chat.
    const active = page.getByRole('region', { name: 'Active matches' });
    const activeCard = active.getByRole('article', { name: `${MENTOR.name}, your mentor` });
    await activeCard.locator('.match-meta').getByText('Active', { exact: true }).waitFor();
    await activeCard.getByText('Active since').waitFor();
    const chatLink = activeCard.getByRole('link', { name: `Open your chat with ${MENTOR.name}` });
    await chatLink.waitFor();
    assert.equal(await page.getByRole('region', { name: 'Proposed matches' }).count(), 0, 'no proposal left');
    assert.ok(
      matchFrames.some((m) => m.status === 'active' && m.channel_id),
      'the active match, with its channel, came live as a match frame',
    );
    await checkPage(page, 'my matches, active (mentee)');

    // Following it opens the pair's channel with the welcome message from Kindred.
    await chatLink.click();
    await page.waitForURL('**/messages/*');
    const channelId = new URL(page.url()).pathname.split('/').pop();
    await page.getByRole('heading', { level: 1, name: MENTOR.name }).waitFor();
    const welcome = page
      .getByRole('list', { name: 'Messages', exact: true })
      .getByRole('listitem')
      .filter({ hasText: `Welcome, ${MENTEE.name} and ${MENTOR.name}!` });
    await welcome.waitFor();
    await welcome.getByText('Kindred', { exact: true }).waitFor();
    await welcome.getByText('Why Kindred suggested you to each other', { exact: false }).waitFor();
    t.diagnostic(`welcome message: ${JSON.stringify(await welcome.locator('.message-body').innerText())}`);
    await checkPage(page, 'pair channel with the welcome message (mentee)');
    const final = (await apiCall(mp, 'GET', '/api/me/matches')).items[0];
    assert.equal(final.channel_id, channelId, 'the link opens the match’s channel');
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

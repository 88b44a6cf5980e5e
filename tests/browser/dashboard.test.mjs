// Program data end to end: a program with an active pair (placed by the coordinator, accepted by
// both) and a mentee still to fill in the questionnaire; the coordinator builds a fit-check survey
// in the survey builder and dates another survey (API) that goes out at once; the mentee answers
// it on the Surveys page (first without answers, to see the errors next to the questions), the
// mentor through the API; the coordinator's dashboard then charts the program, and the test reads
// the numbers from the tables beside the charts; the mentee's "not a good fit" raised an alert,
// which names her: the coordinator writes to her alone (the mentor is not in that conversation)
// and resolves it; a de-identified export has no names
// and shows in the admin's audit log; the mentee turns an email off in Settings; an unsubscribe
// link with a forged token says so; the coordinator sets the program's help panel and the mentee
// finds it under "Get help now" in the header; the other mentee deletes their account and is
// signed out.
// axe-core checks the builder, the survey form, the dashboard, alerts, settings and more.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN,
  COORDINATOR,
  PASSWORD,
  activeMatch,
  apiCall,
  checkPage,
  launchBrowser,
  newPage,
  signIn,
  startServer,
  until,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  // Quick worker polls and program-data sweeps: the dated survey goes out within a second.
  server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100', KINDRED_SWEEP_MS: '300' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PROGRAM = 'Pathways Data 2033';
const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD };
const NEWCOMER = { email: 'ade@example.org', name: 'Ade Newcomer', password: PASSWORD };
const SURVEY = 'Mid-program check-in';
const Q_SCALE = 'How is your mentorship going?';
const Q_FIT = 'Is this pairing working for you?';
const Q_TOPICS = 'What did you talk about?';
const Q_NOTES = 'Anything else to tell us?';

/** A table's body as text: one array of cells (the row header first) per row. */
function tableRows(table) {
  return table.evaluate((t) =>
    [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim())),
  );
}

/** The rows of the table captioned `caption` inside `scope`, as {label: value} of its first column. */
async function tableValues(scope, caption) {
  const rows = await tableRows(scope.getByRole('table', { name: caption, exact: true }));
  return Object.fromEntries(rows.map(([label, value]) => [label, Number(value)]));
}

test('a mentee answers a survey; the coordinator’s dashboard charts the program with its tables', async (t) => {
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url);
  const newcomer = await newPage(browser, server.url);
  const admin = await newPage(browser, server.url);
  try {
    // Set-up (API): the program, its people, and an active match of Nia and Kwame.
    const cp = coord.page;
    const mp = mentor.page;
    const ep = mentee.page;
    const { program, mentorId, menteeId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: PROGRAM, description: 'Evaluating a mentoring program with its own data.' },
      others: [[NEWCOMER, 'mentee']],
    });

    // The coordinator finds the program's data from the program page and builds a fit check.
    await cp.goto(`/programs/${program.id}`);
    await cp.getByRole('link', { name: 'Program data' }).click();
    await cp.getByRole('heading', { level: 1, name: `Program data: ${PROGRAM}` }).waitFor();
    await cp.getByRole('tab', { name: 'Surveys' }).click();
    await cp.getByText('No surveys yet. Build the first one below.').waitFor();
    const builder = cp.getByRole('form', { name: 'New survey' });
    await builder.getByRole('button', { name: 'Create survey' }).click();
    await builder.getByText('Give the survey a title.').waitFor();
    await builder.getByText('Write the question.').waitFor();
    await checkPage(cp, 'survey builder with errors');
    await builder.getByLabel('Title').fill('Fit check');
    await builder.getByLabel('When it goes out').selectOption('fit_check');
    await builder.getByLabel('Question 1 text').fill('Is your mentor a good fit?');
    await builder.getByLabel('Question 1 kind').selectOption('single');
    await builder.getByLabel('Question 1 options').fill('Yes\nNot sure\nNot a good fit');
    await builder.getByRole('group', { name: 'Question 1: options that flag the pair at risk' }).getByLabel('Not a good fit').check();
    await builder.getByRole('button', { name: 'Add a question' }).click();
    await builder.getByLabel('Question 2 text').fill('How useful was your first meeting?');
    await builder.getByLabel('Question 2 must be answered').uncheck();
    await builder.getByRole('button', { name: 'Create survey' }).click();
    await cp.getByRole('status').filter({ hasText: 'Survey “Fit check” created.' }).waitFor();
    const surveys = await apiCall(cp, 'GET', `/api/programs/${program.id}/surveys`);
    const fit = surveys.items.find((s) => s.title === 'Fit check');
    assert.equal(fit.trigger, 'fit_check');
    assert.deepEqual(
      fit.questions.map((q) => [q.kind, q.required, q.options ?? [], q.at_risk_options ?? []]),
      [
        ['single', true, ['Yes', 'Not sure', 'Not a good fit'], ['Not a good fit']],
        ['scale', false, [], []],
      ],
    );
    await checkPage(cp, 'surveys section with the new survey');

    // A dated survey for both people of each active pair, due a minute ago, so it goes out now.
    await apiCall(cp, 'POST', `/api/programs/${program.id}/surveys`, {
      title: SURVEY,
      trigger: 'date',
      due_at: new Date(Date.now() - 60_000).toISOString(),
      audience: 'both',
      anonymous: false,
      questions: [
        { id: 'going', kind: 'scale', prompt: Q_SCALE, required: true },
        { id: 'fit', kind: 'single', prompt: Q_FIT, required: true, options: ['Yes', 'Not a good fit'], at_risk_options: ['Not a good fit'] },
        { id: 'topics', kind: 'multiple', prompt: Q_TOPICS, required: false, options: ['Research', 'Career', 'Life'] },
        { id: 'notes', kind: 'text', prompt: Q_NOTES, required: false },
      ],
    });

    // The mentee answers on the Surveys page.
    await ep.goto('/programs');
    await ep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Surveys' }).click();
    await ep.getByRole('heading', { level: 1, name: 'Surveys' }).waitFor();
    const answer = ep.getByRole('button', { name: `Answer “${SURVEY}”` });
    // Live (a `survey` frame refreshes the list) or, if it went out before the page opened, at once.
    await answer.waitFor({ timeout: 20_000 });
    await checkPage(ep, 'surveys list (mentee)');
    await answer.click();
    const form = ep.getByRole('form', { name: SURVEY });
    await form.getByRole('button', { name: 'Send answers' }).click();
    await form.getByText('Please answer the questions marked below.').waitFor();
    const scale = form.getByRole('radiogroup', { name: `1. ${Q_SCALE}` });
    await scale.getByText('Choose a number from 1 to 5.').waitFor();
    await form.getByRole('radiogroup', { name: `2. ${Q_FIT}` }).getByText('Choose one answer.').waitFor();
    assert.equal(await scale.getAttribute('aria-invalid'), 'true');
    // Focus went to the first unanswered question.
    assert.equal(await ep.evaluate(() => document.activeElement?.getAttribute('type')), 'radio');
    await checkPage(ep, 'survey form with errors (mentee)');
    await scale.getByLabel('4', { exact: true }).check();
    await form.getByRole('radiogroup', { name: `2. ${Q_FIT}` }).getByLabel('Not a good fit').check();
    const topics = form.getByRole('group', { name: `3. ${Q_TOPICS}` });
    await topics.getByLabel('Career').check();
    await topics.getByLabel('Research').check();
    await form.getByLabel(`4. ${Q_NOTES}`).fill('We meet every two weeks.');
    await form.getByRole('button', { name: 'Send answers' }).click();
    await ep.getByRole('status').filter({ hasText: `Thank you: your answers to “${SURVEY}” were sent.` }).waitFor();
    await ep.getByText('You have no surveys to answer. Thank you!').waitFor();

    // The mentor answers through the API; answering twice is refused.
    const invitation = await until('the mentor’s invitation', async () =>
      (await apiCall(mp, 'GET', '/api/me/surveys')).items.find((s) => s.title === SURVEY),
    );
    await apiCall(mp, 'POST', `/api/me/surveys/${invitation.id}/response`, { answers: { going: 2, fit: 'Yes', topics: ['Research'] } });
    await assert.rejects(
      apiCall(mp, 'POST', `/api/me/surveys/${invitation.id}/response`, { answers: { going: 2, fit: 'Yes' } }),
      /HTTP 409/,
    );

    // The coordinator's dashboard: charts with their tables, and the numbers in them.
    await cp.goto(`/programs/${program.id}/data`);
    const dashboard = cp.getByRole('tabpanel');
    await dashboard.getByRole('heading', { level: 2, name: 'Dashboard' }).waitFor();
    await dashboard.getByRole('table', { name: 'Participants by role', exact: true }).waitFor();
    assert.deepEqual(await tableValues(dashboard, 'Participants by role'), { Coordinator: 1, Mentee: 2, Mentor: 1 });
    assert.equal(
      await dashboard.getByRole('img', { name: /^Participants by role\./ }).getAttribute('aria-label'),
      'Participants by role. Coordinator 1, Mentee 2, Mentor 1.',
    );
    assert.deepEqual(await tableValues(dashboard, 'Participants by status'), { Matched: 2, 'Questionnaire pending': 1 });
    const weeks = await tableRows(dashboard.getByRole('table', { name: 'Matches over time', exact: true }));
    assert.deepEqual(
      weeks.reduce((sum, [, activated, ended]) => [sum[0] + Number(activated), sum[1] + Number(ended)], [0, 0]),
      [1, 0],
      'one match activated, none ended',
    );
    assert.deepEqual(await tableValues(dashboard, 'Meetings per pair'), { 0: 1, 1: 0, 2: 0, '3-5': 0, '6+': 0 });
    assert.deepEqual(await tableValues(dashboard, 'Open alerts by rule'), { 'Not a good fit': 1 });
    assert.deepEqual(await tableValues(dashboard, `1. ${Q_SCALE}`), { 1: 0, 2: 1, 3: 0, 4: 1, 5: 0 });
    await dashboard.getByText('Average 3.0 from 2 answers.').waitFor();
    assert.deepEqual(await tableValues(dashboard, `2. ${Q_FIT}`), { Yes: 1, 'Not a good fit': 1 });
    assert.deepEqual(await tableValues(dashboard, `3. ${Q_TOPICS}`), { Research: 2, Career: 1, Life: 0 });
    await dashboard.getByRole('region', { name: `4. ${Q_NOTES}` }).getByText('We meet every two weeks.').waitFor();
    // Every chart is an image with a summary, and has its table.
    const charts = await dashboard.getByRole('img').count();
    const tables = await dashboard.getByRole('table').count();
    t.diagnostic(`dashboard: ${charts} charts, ${tables} tables`);
    assert.ok(charts >= 8, 'the dashboard draws its charts');
    assert.equal(charts, tables, 'each chart has its table');
    await checkPage(cp, 'dashboard');

    // Filtering by a cohort nobody is in empties the counts.
    await apiCall(cp, 'PATCH', `/api/programs/${program.id}/members/${mentorId}`, { cohort: 'Spring' });
    await cp.reload();
    await dashboard.getByRole('table', { name: 'Participants by role', exact: true }).waitFor();
    await dashboard.getByLabel('Cohort').selectOption('Spring');
    await dashboard.getByRole('button', { name: 'Apply filters' }).click();
    await until('the Spring cohort’s counts', async () => {
      const values = await tableValues(dashboard, 'Participants by role').catch(() => null);
      return values && JSON.stringify(values) === JSON.stringify({ Mentor: 1 });
    });

    // Engagement per pair: counts only.
    await cp.getByRole('tab', { name: 'Engagement' }).click();
    const engagement = await tableRows(cp.getByRole('table', { name: 'Engagement per pair' }));
    assert.equal(engagement.length, 1);
    assert.equal(engagement[0][0], `${MENTEE.name} with ${MENTOR.name}`);
    assert.equal(engagement[0][3], '0', 'no meetings yet');
    assert.equal(engagement[0][7], 'Not a good fit');
    await checkPage(cp, 'engagement');

    // The alert: raised by the mentee's named answer, so it is followed up with her alone (what
    // she answered is not her mentor's to read); then resolved.
    await cp.getByRole('tab', { name: 'Alerts' }).click();
    const card = cp.getByRole('article', { name: `${MENTEE.name} and ${MENTOR.name}: Not a good fit` });
    await card.waitFor();
    await card.locator('dt:has-text("Raised by") + dd').getByText(MENTEE.name, { exact: true }).waitFor();
    const [raised] = (await apiCall(cp, 'GET', `/api/programs/${program.id}/alerts`)).items;
    assert.deepEqual(raised.raised_by, { user_id: menteeId, name: MENTEE.name });
    await card.getByText(`${MENTOR.name} does not see it.`).waitFor();
    await checkPage(cp, 'alerts');
    const send = card.getByRole('button', { name: `Send to ${MENTEE.name} alone` });
    await send.click();
    await card.getByText('Write a message first.').waitFor();
    await card.getByLabel(`Message to ${MENTEE.name} alone`).fill('Hello Nia, shall we talk about how it is going?');
    await send.click();
    await card.getByRole('status').filter({ hasText: `Message sent to ${MENTEE.name} alone.` }).waitFor();
    const followUp = card.getByRole('link', { name: `Open the conversation with ${MENTEE.name}` });
    const channel = (await followUp.getAttribute('href')).split('/').pop();
    // The conversation is the coordinator's and the mentee's: the mentor cannot open it.
    const { members: inFollowUp } = await apiCall(cp, 'GET', `/api/channels/${channel}`);
    assert.deepEqual(inFollowUp.map((m) => m.name).sort(), [COORDINATOR.name, MENTEE.name].sort());
    await apiCall(ep, 'GET', `/api/channels/${channel}`);
    await assert.rejects(apiCall(mp, 'GET', `/api/channels/${channel}`), /HTTP 404/);
    await card.getByRole('button', { name: 'Rematch…' }).click();
    await card.getByText('End this match?').waitFor();
    await checkPage(cp, 'alerts, rematch confirmation');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await card.getByRole('button', { name: 'Mark resolved' }).click();
    await cp.getByRole('status').filter({ hasText: `The alert about ${MENTEE.name} and ${MENTOR.name} is resolved.` }).waitFor();
    await cp.getByText('No open alerts. Every pair seems fine.').waitFor();
    const all = await apiCall(cp, 'GET', `/api/programs/${program.id}/alerts?all=true`);
    assert.deepEqual(all.items.map((a) => [a.rule, a.resolution]), [['not_a_good_fit', 'resolved']]);

    // Risk settings save.
    await cp.getByRole('tab', { name: 'Risk settings' }).click();
    const days = cp.getByLabel('No contact: days without a message or a meeting');
    await days.fill('0');
    await cp.getByRole('button', { name: 'Save risk settings' }).click();
    await cp.getByText('Enter a whole number of days from 1 to 365.').waitFor();
    await days.fill('10');
    await cp.getByRole('button', { name: 'Save risk settings' }).click();
    await cp.getByRole('status').filter({ hasText: 'Risk settings saved.' }).waitFor();
    assert.equal((await apiCall(cp, 'GET', `/api/programs/${program.id}/risk-settings`)).no_contact_days, 10);
    await checkPage(cp, 'risk settings');

    // The help panel: too long first, then saved; the mentee finds it under "Get help now" in
    // the header of whatever page is open.
    await ep.goto('/surveys');
    await ep.getByRole('heading', { level: 1, name: 'Surveys' }).waitFor();
    await ep.getByRole('link', { name: 'Get help now' }).click();
    await ep.getByRole('heading', { level: 1, name: 'Get help now' }).waitFor();
    await ep.getByText('None of your programs has set up its own help information yet.').waitFor();
    await cp.getByRole('tab', { name: 'Help panel' }).click();
    const helpText = cp.getByLabel('Get help now: what members see');
    await helpText.fill('x'.repeat(4001));
    await cp.getByRole('button', { name: 'Save help panel' }).click();
    await cp.getByText('Use at most 4000 characters; this has 4001.').waitFor();
    const words = 'Something wrong? Call the program office: +1 555 0100 (weekdays 9 to 5).\nAfter hours: the on-call line, +1 555 0199.';
    await helpText.fill(words);
    await cp.getByRole('button', { name: 'Save help panel' }).click();
    await cp.getByRole('status').filter({ hasText: 'Help panel saved.' }).waitFor();
    await checkPage(cp, 'help panel (coordinator)');
    await ep.reload();
    const panel = ep.getByRole('region', { name: PROGRAM });
    await panel.getByText('After hours: the on-call line, +1 555 0199.').waitFor();
    assert.match(await panel.innerText(), /program office: \+1 555 0100[\s\S]*on-call line/);
    await ep.getByText('If you or someone else is in immediate danger, call your local emergency number now.').waitFor();
    await checkPage(ep, 'get help now (mentee)');

    // Exports: download links; the de-identified participants file has pseudonyms, no names.
    await cp.getByRole('tab', { name: 'Exports' }).click();
    const link = cp.getByRole('link', { name: 'Download participants (de-identified)' });
    const href = await link.getAttribute('href');
    assert.equal(href, `/api/programs/${program.id}/exports/participants?deidentified=true`);
    await checkPage(cp, 'exports');
    const csv = await (await coord.context.request.get(href)).text();
    assert.match(csv, /p-[0-9a-f]{12}/);
    assert.ok(!csv.includes(MENTEE.name) && !csv.includes(MENTEE.email), 'no names or emails');
    await cp.getByLabel('De-identified').uncheck();
    await cp.getByRole('link', { name: 'Download participants', exact: true }).waitFor();

    // The admin's audit log shows the export.
    const ap = admin.page;
    await ap.goto('/login');
    await signIn(ap, ADMIN);
    await ap.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await ap.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const audit = await tableRows(ap.getByRole('table', { name: 'Audit log entries' }));
    t.diagnostic(`audit log: ${JSON.stringify(audit)}`);
    assert.ok(audit.some((row) => row[1] === COORDINATOR.name && /export/i.test(row.join(' '))), 'the export is in the audit log');
    await checkPage(ap, 'audit log');

    // Settings: the mentee turns survey emails off.
    await ep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await ep.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await ep.getByLabel('Survey invitations').uncheck();
    await ep.getByRole('button', { name: 'Save notification settings' }).click();
    await ep.getByRole('status').filter({ hasText: 'Notification settings saved.' }).waitFor();
    assert.deepEqual(await apiCall(ep, 'GET', '/api/me/notifications'), {
      message_digest: true,
      meeting_reminders: true,
      survey_invitations: false,
      match_proposals: true,
    });
    assert.equal(await ep.getByRole('link', { name: 'Download my data' }).getAttribute('href'), '/api/me/export');
    await checkPage(ep, 'settings (mentee)');

    // An unsubscribe link with a forged token.
    await ep.goto('/unsubscribe?token=forged.token');
    await ep.getByRole('heading', { level: 1, name: 'Unsubscribe' }).waitFor();
    await ep.getByRole('button', { name: 'Unsubscribe' }).click();
    await ep.getByRole('alert').filter({ hasText: /not valid/ }).waitFor();
    await checkPage(ep, 'unsubscribe, forged token');

    // The newcomer deletes their account: a wrong password first, then signed out to the login page.
    const np = newcomer.page;
    await np.goto('/login');
    await signIn(np, NEWCOMER);
    await np.goto('/settings');
    await np.getByRole('heading', { level: 2, name: 'Delete my account' }).waitFor();
    await np.getByLabel('I understand that my account and data will be deleted for good').check();
    await np.getByLabel('Your password').fill('not-the-password');
    await np.getByRole('button', { name: 'Delete my account' }).click();
    await np.getByText('The password is not right').waitFor();
    await np.getByLabel('Your password').fill(NEWCOMER.password);
    await np.getByRole('button', { name: 'Delete my account' }).click();
    await np.waitForURL((u) => u.pathname === '/login');
    await np.getByText('Your account was deleted.').waitFor();
    const members = await apiCall(cp, 'GET', `/api/programs/${program.id}/members`);
    assert.ok(!members.items.some((m) => m.email === NEWCOMER.email), 'the deleted account’s email is gone');
  } catch (error) {
    t.diagnostic(`server log:\n${server.output()}`);
    throw error;
  } finally {
    for (const who of [coord, mentor, mentee, newcomer, admin]) await who.context.close();
  }
});

// The first journey end to end: a coordinator creates a program and invites people from a CSV
// file (one row is bad and is reported), the invitation email is read from the admin outbox,
// the mentee accepts it on a phone-sized screen, and fills in a profile that survives a reload.
// Every page visited is checked with axe-core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, COORDINATOR, checkPage, launchBrowser, newPage, signIn, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PROGRAM = 'Pathways Mentoring 2030';
const MENTEE = { name: 'Mina Mentee', email: 'mina@example.org', password: 'mentee-password-123' };

test('coordinator invites by CSV, mentee accepts and fills in a profile', async (t) => {
  const coord = await newPage(browser, server.url);
  const admin = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url, { width: 375, height: 812 });
  try {
    let page = coord.page;

    // Coordinator signs in.
    await page.goto('/login');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Kindred' }).waitFor();
    await checkPage(page, 'login');
    await signIn(page, COORDINATOR);
    await page.waitForURL('**/programs');
    await page.getByRole('heading', { level: 1, name: 'Your programs' }).waitFor();
    await page.getByText(COORDINATOR.name).first().waitFor();
    await checkPage(page, 'programs (coordinator, empty)');

    // ... creates a program ...
    await page.getByLabel('Program name').fill(PROGRAM);
    await page.getByLabel('Description').fill('A year of mentoring for trainees\nacross institutions.');
    await page.getByLabel('Start date').fill('2030-01-15');
    await page.getByLabel('End date').fill('2030-12-15');
    await page.getByRole('button', { name: 'Create program' }).click();
    await page.getByRole('heading', { level: 1, name: PROGRAM }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/programs\/[^/]+$/);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.getByRole('cell', { name: COORDINATOR.email }).waitFor();
    await checkPage(page, 'program detail (coordinator)');

    // ... and uploads a CSV with one good and one bad row.
    const csv = `name,email,role\n${MENTEE.name},${MENTEE.email},mentee\nBad Row,not-an-email,mentee\n`;
    await page.getByLabel('CSV file').setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Upload and invite' }).click();
    await page.getByRole('status').filter({ hasText: '1 invited.' }).waitFor();
    const badRows = page.getByRole('table', { name: 'Rows that were not imported' });
    await badRows.waitFor();
    const rows = badRows.locator('tbody tr');
    assert.equal(await rows.count(), 1, 'exactly one bad row is reported');
    const [line, reason] = await rows.first().locator('td').allInnerTexts();
    assert.equal(line.trim(), '3', `the bad row is reported at line 3 of the file (got ${line})`);
    assert.ok(reason.trim().length > 0, 'the bad row has a reason');
    t.diagnostic(`bad row reason: ${reason}`);
    // The pending invitations tab now lists the mentee.
    await page.getByRole('tabpanel').getByRole('cell', { name: MENTEE.email }).waitFor();
    await checkPage(page, 'program detail after CSV upload');

    // The other tabs work too.
    await page.getByRole('tab', { name: 'Accepted' }).click();
    await page.getByRole('tabpanel').getByText('No accepted invitations.').waitFor();
    await page.getByRole('tab', { name: 'Pending' }).click();
    await page.getByRole('tabpanel').getByRole('cell', { name: MENTEE.email }).waitFor();

    // The admin finds the invitation email in the outbox.
    page = admin.page;
    await page.goto('/admin/outbox');
    await page.waitForURL('**/login?next=*');
    await checkPage(page, 'login (redirected from outbox)');
    await signIn(page, ADMIN);
    await page.waitForURL('**/admin/outbox');
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    const mail = page.getByRole('article').filter({ hasText: MENTEE.email });
    await mail.first().waitFor();
    await checkPage(page, 'admin outbox');
    const body = await mail.first().innerText();
    const match = /\/invite\/([A-Za-z0-9_~.%-]+)/.exec(body);
    assert.ok(match, `the invitation email contains an /invite/ link:\n${body}`);
    const invitePath = `/invite/${match[1]}`;
    // If the server's public URL is this origin, the link is rendered clickable.
    const links = await mail.first().getByRole('link').count();
    t.diagnostic(`invite path ${invitePath}; ${links} clickable link(s) in the mail`);

    // The mentee opens the link on a phone-sized screen and creates an account.
    page = mentee.page;
    await page.goto(invitePath);
    await page.getByRole('heading', { level: 1, name: `Join ${PROGRAM}` }).waitFor();
    await page.getByText(MENTEE.email).waitFor();
    await page.getByText('Mentee', { exact: true }).waitFor();
    await checkPage(page, 'accept invitation');
    // Mismatched passwords are reported next to the field.
    await page.getByLabel('Choose a password').fill(MENTEE.password);
    await page.getByLabel('Password again').fill('something-else-entirely');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('The passwords do not match.').waitFor();
    assert.equal(await page.getByLabel('Password again').getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'accept invitation with a field error');
    assert.equal(await page.getByLabel('Your name').inputValue(), MENTEE.name);
    await page.getByLabel('Password again').fill(MENTEE.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await page.getByText(MENTEE.name).first().waitFor();
    await page.getByLabel('Name', { exact: true }).waitFor();
    await checkPage(page, 'profile after accepting');

    // ... fills in the profile ...
    await page.getByLabel('Pronouns').fill('she/her');
    await page.getByLabel('Institution').fill('Example University');
    await page.getByLabel('Career stage').selectOption({ label: 'Resident' });
    await page.getByLabel('Time zone').selectOption('America/Chicago');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await checkPage(page, 'profile saved');

    // ... and after a reload sees the saved values.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await page.getByLabel('Pronouns').waitFor();
    assert.equal(await page.getByLabel('Pronouns').inputValue(), 'she/her');
    assert.equal(await page.getByLabel('Institution').inputValue(), 'Example University');
    assert.equal(await page.getByLabel('Career stage').inputValue(), 'resident');
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'America/Chicago');
    await checkPage(page, 'profile after reload');

    // The mentee sees the program, as a mentee, without the coordinator's tools.
    await page.getByRole('link', { name: 'Programs', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Your programs' }).waitFor();
    await page.getByRole('cell', { name: 'Mentee' }).waitFor();
    await checkPage(page, 'programs (mentee, phone)');
    await page.getByRole('link', { name: PROGRAM }).click();
    await page.getByRole('heading', { level: 1, name: PROGRAM }).waitFor();
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Invite someone' }).count(), 0);
    await checkPage(page, 'program detail (mentee, phone)');

    // Back with the coordinator: the invitation is accepted and the mentee is a member.
    page = coord.page;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: PROGRAM }).waitFor();
    await page.getByRole('cell', { name: MENTEE.email }).first().waitFor();
    await page.getByRole('tab', { name: 'Accepted' }).click();
    await page.getByRole('tabpanel').getByRole('cell', { name: MENTEE.email }).waitFor();
    await checkPage(page, 'program detail (coordinator, accepted tab)');

    // A used invitation link says so clearly.
    const again = await newPage(browser, server.url);
    try {
      await again.page.goto(invitePath);
      await again.page.getByRole('heading', { level: 1, name: 'This invitation can’t be used' }).waitFor();
      await again.page.getByRole('alert').waitFor();
      t.diagnostic(`used invitation message: ${await again.page.getByRole('alert').innerText()}`);
      await checkPage(again.page, 'used invitation');
    } finally {
      await again.context.close();
    }
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await admin.context.close();
    await mentee.context.close();
  }
});

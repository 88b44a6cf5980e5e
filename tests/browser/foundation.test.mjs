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
    await page.getByLabel('Program name', { exact: true }).fill(PROGRAM);
    await page.getByLabel('Description', { exact: true }).fill('A year of mentoring for trainees\nacross institutions.');
    await page.getByLabel('Start date', { exact: true }).fill('2030-01-15');
    await page.getByLabel('End date', { exact: true }).fill('2030-12-15');
    await page.getByRole('button', { name: 'Create program' }).click();
    await page.getByRole('heading', { level: 1, name: PROGRAM }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/programs\/[^/]+$/);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.getByRole('cell', { name: COORDINATOR.email }).waitFor();
    await checkPage(page, 'program detail (coordinator)');

    // ... and uploads a CSV with one good and one bad row.
    const csv = `name,email,role\n${MENTEE.name},${MENTEE.email},mentee\nBad Row,not-an-email,mentee\n`;
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
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

    // One person invited with the form, then the invitation resent and revoked.
    const rex = { name: 'Rex Revoked', email: 'rex@example.org' };
    const inviteForm = page.getByRole('region', { name: 'Invite someone' });
    await inviteForm.getByLabel('Name', { exact: true }).fill(rex.name);
    await inviteForm.getByLabel('Email', { exact: true }).fill(rex.email);
    await inviteForm.getByLabel('Role', { exact: true }).selectOption('mentor');
    await inviteForm.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await inviteForm.getByRole('status').filter({ hasText: `Invitation sent to ${rex.name}` }).waitFor();
    assert.match(await inviteForm.getByLabel('Invitation link', { exact: true }).inputValue(), /\/invite\/\S+$/);
    // Inviting the same person again is a conflict, reported in the form.
    await inviteForm.getByLabel('Name', { exact: true }).fill(rex.name);
    await inviteForm.getByLabel('Email', { exact: true }).fill(rex.email);
    await inviteForm.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await inviteForm.getByRole('alert').waitFor();
    t.diagnostic(`duplicate invitation message: ${await inviteForm.getByRole('alert').innerText()}`);
    await checkPage(page, 'program detail after a single invitation');

    const invitations = page.getByRole('region', { name: 'Invitations' });
    await invitations.getByRole('button', { name: `Resend invitation to ${rex.name}` }).click();
    await invitations.getByRole('status').filter({ hasText: `Invitation resent to ${rex.email}` }).waitFor();
    await invitations.getByLabel('New invitation link', { exact: true }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await invitations.getByRole('button', { name: `Revoke invitation to ${rex.name}` }).click();
    await invitations.getByRole('status').filter({ hasText: `Invitation for ${rex.email} revoked` }).waitFor();
    await invitations.getByRole('tab', { name: 'Revoked' }).click();
    await invitations.getByRole('tabpanel').getByRole('cell', { name: rex.email }).waitFor();
    assert.equal(await invitations.getByRole('button', { name: `Resend invitation to ${rex.name}` }).count(), 0);
    await checkPage(page, 'program detail, revoked tab');
    // The tabs follow the ARIA pattern: arrow keys move the selection and the focus.
    await invitations.getByRole('tab', { name: 'Revoked' }).press('ArrowLeft');
    const expiredTab = invitations.getByRole('tab', { name: 'Expired' });
    assert.equal(await expiredTab.getAttribute('aria-selected'), 'true');
    assert.ok(await expiredTab.evaluate((el) => el === document.activeElement), 'focus follows the selected tab');
    await invitations.getByRole('tab', { name: 'Pending' }).click();

    // The admin, who already has an account, is invited as a mentor too.
    await inviteForm.getByLabel('Name', { exact: true }).fill(ADMIN.name);
    await inviteForm.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await inviteForm.getByLabel('Role', { exact: true }).selectOption('mentor');
    await inviteForm.getByRole('button', { name: 'Send invitation', exact: true }).click();
    const adminInvite = new URL(await inviteForm.getByLabel('Invitation link', { exact: true }).inputValue());

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

    // The admin accepts their own invitation with their existing password.
    await page.goto(adminInvite.pathname);
    await page.getByRole('heading', { level: 1, name: `Join ${PROGRAM}` }).waitFor();
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    assert.equal(await page.getByLabel('Your name', { exact: true }).count(), 0, 'no name asked of an existing account');
    await checkPage(page, 'accept invitation (existing account)');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('link', { name: PROGRAM }).waitFor();
    await checkPage(page, 'admin profile after joining');

    // The mentee opens the link on a phone-sized screen and creates an account.
    page = mentee.page;
    await page.goto(invitePath);
    await page.getByRole('heading', { level: 1, name: `Join ${PROGRAM}` }).waitFor();
    await page.getByText(MENTEE.email).waitFor();
    await page.getByText('Mentee', { exact: true }).waitFor();
    await checkPage(page, 'accept invitation');
    // Mismatched passwords are reported next to the field.
    await page.getByLabel('Choose a password', { exact: true }).fill(MENTEE.password);
    await page.getByLabel('Password again', { exact: true }).fill('something-else-entirely');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('The passwords do not match.').waitFor();
    assert.equal(await page.getByLabel('Password again', { exact: true }).getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'accept invitation with a field error');
    assert.equal(await page.getByLabel('Your name', { exact: true }).inputValue(), MENTEE.name);
    await page.getByLabel('Password again', { exact: true }).fill(MENTEE.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await page.getByText(MENTEE.name).first().waitFor();
    await page.getByLabel('Name', { exact: true }).waitFor();
    await checkPage(page, 'profile after accepting');

    // ... fills in the profile ...
    await page.getByLabel('Pronouns', { exact: true }).fill('she/her');
    await page.getByLabel('Institution', { exact: true }).fill('Example University');
    await page.getByLabel('Career stage', { exact: true }).selectOption({ label: 'Resident' });
    await page.getByLabel('Time zone', { exact: true }).selectOption('America/Chicago');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await checkPage(page, 'profile saved');

    // ... and after a reload sees the saved values.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    await page.getByLabel('Pronouns', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Pronouns', { exact: true }).inputValue(), 'she/her');
    assert.equal(await page.getByLabel('Institution', { exact: true }).inputValue(), 'Example University');
    assert.equal(await page.getByLabel('Career stage', { exact: true }).inputValue(), 'resident');
    assert.equal(await page.getByLabel('Time zone', { exact: true }).inputValue(), 'America/Chicago');
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
    // The coordinator's busiest page also fits a phone.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByRole('tab', { name: 'All' }).click();
    await page.getByRole('tabpanel').getByRole('cell', { name: 'rex@example.org' }).waitFor();
    await checkPage(page, 'program detail (coordinator, all tab, phone)');

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

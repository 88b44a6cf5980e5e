// Signing in: a signed-out visit to a protected page goes to /login and back after sign-in;
// a wrong password is reported; the forgot-password page answers without revealing accounts and
// a reset link from the outbox sets a new password.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, COORDINATOR, checkPage, launchBrowser, newPage, signIn, startServer } from './harness.mjs';

// The coordinator resets their password in the second test, after the first test signed in.
const RESETTER = COORDINATOR;

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

test('signed-out visit to /programs redirects to /login and returns after sign-in', async (t) => {
  const { context, page } = await newPage(browser, server.url, { width: 375, height: 812 });
  try {
    await page.goto('/programs');
    await page.waitForURL('**/login?next=%2Fprograms');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Kindred' }).waitFor();
    await checkPage(page, 'login (redirected)');

    // Empty submit: errors next to both fields.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter your email address.').waitFor();
    assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid'), 'true');
    const describedBy = await page.getByLabel('Email', { exact: true }).getAttribute('aria-describedby');
    assert.ok(describedBy, 'the email field is described by its error');
    assert.equal(
      (await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText()).trim(),
      'Enter your email address.',
    );
    await checkPage(page, 'login with field errors');

    // Wrong password.
    await page.getByLabel('Email', { exact: true }).fill(COORDINATOR.email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.innerText()).trim();
    assert.ok(text.length > 0, 'the error says something');
    t.diagnostic(`wrong password message: ${text}`);
    assert.match(page.url(), /\/login/);
    await checkPage(page, 'login with wrong password');

    // Right password: back to where we wanted to go.
    await page.getByLabel('Password', { exact: true }).fill(COORDINATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/programs');
    await page.getByRole('heading', { level: 1, name: 'Your programs' }).waitFor();
    await checkPage(page, 'programs after sign-in (phone)');

    // Signing out returns to /login, and /programs is closed again.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/login');
    await page.goto('/programs');
    await page.waitForURL('**/login?next=%2Fprograms');
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await context.close();
  }
});

test('forgot password answers the same for any email, a reset link sets a new password, unknown pages say so', async (t) => {
  const { context, page } = await newPage(browser, server.url);
  try {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await checkPage(page, 'forgot password');
    await page.getByLabel('Email', { exact: true }).fill('nobody@example.org');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'If an account exists' }).waitFor();
    await checkPage(page, 'forgot password sent');

    await page.goto('/reset-password/not-a-real-token');
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await checkPage(page, 'reset password');
    await page.getByLabel('New password', { exact: true }).fill('a-long-new-password');
    await page.getByLabel('New password again', { exact: true }).fill('a-long-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    t.diagnostic(`bad reset token message: ${await page.getByRole('alert').innerText()}`);
    await checkPage(page, 'reset password with a bad token');

    // The whole reset: ask for a link, take it from the outbox (as the admin), set a new
    // password, sign in with it.
    await page.goto('/forgot-password');
    await page.getByLabel('Email', { exact: true }).fill(RESETTER.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'If an account exists' }).waitFor();
    const admin = await newPage(browser, server.url);
    let resetPath;
    try {
      await admin.page.goto('/login?next=%2Fadmin%2Foutbox');
      await signIn(admin.page, ADMIN);
      const mail = admin.page.getByRole('article').filter({ hasText: '/reset-password/' });
      await mail.first().waitFor();
      const body = await mail.first().innerText();
      assert.ok(body.includes(RESETTER.email), 'the reset email went to the right person');
      resetPath = /\/reset-password\/[A-Za-z0-9_~.%-]+/.exec(body)?.[0];
      assert.ok(resetPath, `the reset email has a link:\n${body}`);
    } finally {
      await admin.context.close();
    }
    await page.goto(resetPath);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password again', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
    await page.getByLabel('New password again', { exact: true }).fill('a-brand-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your password was changed' }).waitFor();
    await checkPage(page, 'password changed');
    await page.getByRole('link', { name: 'Sign in', exact: true }).first().click();
    await page.waitForURL('**/login');
    await signIn(page, { ...RESETTER, password: 'a-brand-new-password' });
    await page.waitForURL('**/programs');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/login');

    await page.goto('/no/such/page');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await checkPage(page, 'not found');
  } catch (error) {
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await context.close();
  }
});

// Signing in: a signed-out visit to a protected page goes to /login and back after sign-in;
// a wrong password is reported; the forgot-password page answers without revealing accounts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COORDINATOR, checkPage, launchBrowser, newPage, startServer } from './harness.mjs';

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
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    const describedBy = await page.getByLabel('Email').getAttribute('aria-describedby');
    assert.ok(describedBy, 'the email field is described by its error');
    assert.equal(
      (await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText()).trim(),
      'Enter your email address.',
    );
    await checkPage(page, 'login with field errors');

    // Wrong password.
    await page.getByLabel('Email').fill(COORDINATOR.email);
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

test('forgot password answers the same for any email; unknown pages say so', async (t) => {
  const { context, page } = await newPage(browser, server.url);
  try {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await checkPage(page, 'forgot password');
    await page.getByLabel('Email').fill('nobody@example.org');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'If an account exists' }).waitFor();
    await checkPage(page, 'forgot password sent');

    await page.goto('/reset-password/not-a-real-token');
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await checkPage(page, 'reset password');
    await page.getByLabel('New password', { exact: true }).fill('a-long-new-password');
    await page.getByLabel('New password again').fill('a-long-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    t.diagnostic(`bad reset token message: ${await page.getByRole('alert').innerText()}`);
    await checkPage(page, 'reset password with a bad token');

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

// Group events end to end. The coordinator creates an event on the program page: a submission
// with problems first (each shown next to its field), then a real one starting in ten minutes for
// three chosen mentees, with a mentor as speaker, two places. It starts within 15 minutes, so the
// reminder is due at once and reaches the host's page live (a `group_event` frame) as a notice.
// A mentee (on a phone-sized screen) finds it under Events, says she is going and sees the places
// left change; two other mentees answer through the API, so her next "Going" is refused as full
// and the page says so plainly; the .ics download is a VCALENDAR with the title; the event's page
// offers to join the live room, open since the event starts within 30 minutes (no video until she
// joins; room.test.mjs runs the room). When the coordinator cancels it, the mentee's page shows that
// live with a notice, and no longer offers the room. axe-core checks the create form (with its errors
// and after), the Events page and the event page.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  COORDINATOR,
  PASSWORD,
  apiCall,
  checkPage,
  launchBrowser,
  newPage,
  notice,
  parseIcs,
  signIn,
  startServer,
  wallTime,
} from './harness.mjs';

const PROGRAM = 'Events Program 2034';
const TITLE = 'Careers in research';
const SPEAKER = { email: 'kwame@example.org', name: 'Kwame Speaker', password: PASSWORD, role: 'mentor' };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD, role: 'mentee' };
const SECOND = { email: 'sam@example.org', name: 'Sam Second', password: PASSWORD, role: 'mentee' };
const THIRD = { email: 'tess@example.org', name: 'Tess Third', password: PASSWORD, role: 'mentee' };

let browser;
const cleanups = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await browser?.close();
});

/** A browser context signed in through the API (for people whose pages are not under test). */
async function apiPerson(server, who) {
  const { context, page } = await newPage(browser, server.url);
  const res = await context.request.post('/api/auth/login', { data: { email: who.email, password: who.password } });
  assert.ok(res.ok(), `${who.email} signs in: HTTP ${res.status()} ${await res.text()}`);
  return { context, page };
}

test('a coordinator creates an event, a mentee answers, downloads it and sees it cancelled', async (t) => {
  const server = await startServer({ env: { KINDRED_WORKER_POLL_MS: '100' } });
  cleanups.push(() => server.stop());
  browser = await launchBrowser();
  const coord = await newPage(browser, server.url);
  const mentee = await newPage(browser, server.url, { width: 390, height: 844 });
  const cp = coord.page;
  const ep = mentee.page;
  const others = [];
  try {
    await cp.goto('/login');
    await signIn(cp, COORDINATOR);
    const program = await apiCall(cp, 'POST', '/api/programs', {
      name: PROGRAM,
      description: 'Mentoring with panels.',
      starts_on: null,
      ends_on: null,
    });
    for (const who of [SPEAKER, MENTEE, SECOND, THIRD]) await server.createUser({ ...who, program: program.id });

    // The form, on the program page; a submission with problems first.
    await cp.goto(`/programs/${program.id}`);
    const section = cp.getByRole('region', { name: 'Events' });
    const form = section.getByRole('form', { name: 'Create an event' });
    await form.waitFor();
    await form.getByLabel('Places').fill('1');
    await form.getByRole('button', { name: 'Create event' }).click();
    await form.getByText('Enter a title, like “Panel: careers in research”.').waitFor();
    await form.getByText('Enter a whole number of places from 2 to 1000.').waitFor();
    await form.getByRole('alert').filter({ hasText: 'Please correct the problems marked below.' }).waitFor();
    assert.equal(await cp.evaluate(() => document.activeElement?.getAttribute('name')), 'title', 'focus goes to the first problem');
    await checkPage(cp, 'create event form with errors (coordinator)');

    // The real one: in ten minutes (as the coordinator's clock shows it), for three mentees.
    const zone = (await form.getByText(/^Your time zone: /).innerText()).replace(/^Your time zone: (.*)\.$/, '$1');
    const start = wallTime(Date.now() + 10 * 60_000, zone);
    await form.getByLabel('Title').fill(TITLE);
    await form.getByLabel('Description (optional)').fill('Three researchers on how they got there.');
    await form.getByLabel('Date', { exact: true }).fill(start.date);
    await form.getByLabel('Start time').fill(start.time);
    await form.getByLabel('Length').selectOption('90');
    await form.getByLabel('Places').fill('2');
    await form.getByRole('radiogroup', { name: 'Who is invited' }).getByLabel('People I choose').check();
    const invited = form.getByRole('group', { name: 'People invited' });
    await invited.getByLabel('Search people invited').fill('mentee');
    assert.equal(await invited.getByRole('checkbox').count(), 1, 'the search narrows the list');
    await invited.getByRole('checkbox', { name: /^Nia Mentee/ }).check();
    await invited.getByLabel('Search people invited').fill('');
    await invited.getByRole('checkbox', { name: /^Sam Second/ }).check();
    await invited.getByRole('checkbox', { name: /^Tess Third/ }).check();
    await invited.getByText('Chosen (3): Nia Mentee, Sam Second, Tess Third.').waitFor();
    const speakers = form.getByRole('group', { name: 'Speakers' });
    await speakers.getByLabel('Search speakers').fill('kwame');
    await speakers.getByRole('checkbox', { name: /^Kwame Speaker/ }).check();
    await form.getByRole('button', { name: 'Create event' }).click();
    await section.getByRole('status').filter({ hasText: `Event “${TITLE}” created` }).waitFor();
    const listed = section.getByRole('article', { name: TITLE });
    await listed.getByText('0 going · 2 places left of 2').waitFor();

    const [created] = (await apiCall(cp, 'GET', `/api/programs/${program.id}/events`)).items;
    assert.equal(created.title, TITLE);
    assert.equal(created.capacity, 2);
    assert.equal(created.duration_min, 90);
    assert.equal(created.audience, 'people');
    assert.deepEqual(created.speakers.map((s) => s.name), [SPEAKER.name]);
    assert.equal(wallTime(Date.parse(created.starts_at), zone).time, start.time, 'the start is the time typed, in the zone shown');

    // It starts within 15 minutes: the host is reminded at once, live.
    await notice(cp, `Reminder: the event “${TITLE}” starts in 15 minutes`).waitFor();
    await checkPage(cp, 'program page with the new event and a reminder (coordinator)');

    // The mentee finds it under Events.
    await ep.goto('/login');
    await signIn(ep, MENTEE);
    await ep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await ep.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    const card = ep.getByRole('article', { name: TITLE });
    await card.getByText('2 places left of 2').waitFor();
    await card.getByText('You have not answered yet.').waitFor();
    await card.getByText(COORDINATOR.name).waitFor();
    await card.getByText(SPEAKER.name).waitFor();
    await checkPage(ep, 'Events page (mentee)');

    await card.getByRole('button', { name: `Going to “${TITLE}”`, exact: true }).click();
    await ep.getByRole('status').filter({ hasText: `You are going to “${TITLE}”. 1 place left of 2.` }).waitFor();
    await card.getByText('1 place left of 2').waitFor();
    await card.getByText('You are going.').waitFor();

    // Another mentee takes the last place; she changes her mind, and a third takes it meanwhile:
    // her page still offers a place, and the server's "full" is said plainly.
    const second = await apiPerson(server, SECOND);
    const third = await apiPerson(server, THIRD);
    others.push(second, third);
    await apiCall(second.page, 'POST', `/api/events/${created.id}/rsvp`, { going: true });
    await card.getByRole('button', { name: `Not going to “${TITLE}”` }).click();
    await card.getByText('1 place left of 2').waitFor();
    await card.getByText('You said you are not going.').waitFor();
    await apiCall(third.page, 'POST', `/api/events/${created.id}/rsvp`, { going: true });
    await card.getByRole('button', { name: `Going to “${TITLE}”`, exact: true }).click();
    await card
      .getByRole('alert')
      .filter({ hasText: `Sorry, “${TITLE}” is full: all 2 places are taken.` })
      .waitFor();
    await card.getByText('Full: all 2 places are taken', { exact: true }).waitFor();
    await checkPage(ep, 'Events page with a full event (mentee)');

    // A place opens; now she goes.
    await apiCall(second.page, 'POST', `/api/events/${created.id}/rsvp`, { going: false });
    await card.getByRole('button', { name: `Going to “${TITLE}”`, exact: true }).click();
    await ep.getByRole('status').filter({ hasText: `You are going to “${TITLE}”. Full: all 2 places are taken.` }).waitFor();

    // The .ics download.
    const [download] = await Promise.all([
      ep.waitForEvent('download'),
      card.getByRole('link', { name: `Download .ics for “${TITLE}”` }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.ics$/);
    const [vevent] = parseIcs(await readFile(await download.path(), 'utf8'));
    assert.equal(vevent.SUMMARY, TITLE);
    assert.equal(vevent.UID, `${created.id}@kindred-events`);
    assert.equal(vevent.STATUS, 'CONFIRMED');

    // The event's page (where the reminder emails lead): it starts in ten minutes, so the live
    // room is open, and she may join it in the audience (room.test.mjs goes in).
    await card.getByRole('link', { name: TITLE, exact: true }).click();
    await ep.waitForURL(`**/events/${created.id}`);
    await ep.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await ep.getByText('Three researchers on how they got there.').waitFor();
    const liveRoom = ep.getByRole('region', { name: 'Live room' });
    await liveRoom.getByText('You join in the audience, and can raise your hand to be brought on stage.').waitFor();
    await liveRoom.getByRole('button', { name: 'Join the live room' }).waitFor();
    assert.equal(await ep.locator('video').count(), 0, 'no video on the event page before joining');
    await checkPage(ep, 'event page (mentee)');

    // The coordinator cancels it; the mentee's page shows that live.
    cp.once('dialog', (dialog) => void dialog.accept());
    await listed.getByRole('button', { name: `Cancel event “${TITLE}”` }).click();
    await section.getByRole('status').filter({ hasText: `You cancelled “${TITLE}”.` }).waitFor();
    await listed.getByText('Cancelled').waitFor();
    await notice(ep, `The event “${TITLE}”`).filter({ hasText: 'was cancelled.' }).waitFor();
    await ep.getByText('This event was cancelled.').waitFor();
    assert.equal(await ep.getByRole('button', { name: `Going to “${TITLE}”`, exact: true }).count(), 0, 'no more answers');
    assert.equal(await liveRoom.count(), 0, 'no live room for a cancelled event');
    await checkPage(ep, 'event page, cancelled, with a notice (mentee)');

    for (const page of [cp, ep]) {
      if (page.problems.length) assert.fail(`page errors: ${page.problems.join('; ')}`);
    }
  } catch (error) {
    for (const [label, page] of [
      ['coordinator', cp],
      ['mentee', ep],
    ]) {
      const text = await page.locator('body').innerText().catch((e) => String(e));
      t.diagnostic(`${label} page (${page.url()}):\n${text}`);
    }
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    for (const other of others) await other.context.close();
    await coord.context.close();
    await mentee.context.close();
  }
});

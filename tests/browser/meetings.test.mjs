// Scheduled meetings and check-ins end to end. A mentee (time zone America/Chicago, on a phone-sized
// screen) and a mentor
// (Europe/Paris) in an active match: the mentee schedules a meeting from the pair's chat (the
// Schedule link next to Call), typing the time as her clock shows it; the mentor's Meetings page,
// already open, shows it live (a `meeting` frame) at his own local time with a notice, and he
// proposes another time, ten minutes from now; the mentee's page shows that live and she accepts,
// so the reminder (15 minutes before) is due at once and both pages announce it. The mentee
// downloads the meeting's .ics (a valid VCALENDAR with the accepted time), a second meeting that
// overlaps is refused with the API's message, another one is declined by the mentor, and the
// private calendar feed is created, fetched without a session, replaced (the old URL stops
// working). Then a video call with fake media: when it ends, both get the check-in dialog; the
// mentee answers it there (the coordinator then sees one check-in, its rating held back), the
// mentor chooses "Not now" and answers it on the Meetings page; the coordinator sees the totals
// on the program page. Two more calls, which the mentor rates badly: after the first, the dialog
// asks him, and only him, whether he would like a coordinator's help (no thanks); after the
// second, rated on his Meetings page, he asks, with a note. Asking again from My matches is
// refused while that request is open. The coordinator's alert names him and shows his words, no
// rating; she writes to him alone, and the mentee is not in that conversation, and nothing
// reached the pair's own channel. axe-core checks the Meetings page, the check-in dialog (and
// its offer), the check-in form on the Meetings page (and its offer), My matches, the alerts and
// the program page.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  COORDINATOR,
  PASSWORD,
  activeMatch,
  apiCall,
  checkPage,
  launchBrowser,
  newPage,
  notice,
  parseIcs,
  startServer,
  until,
  wallTime,
} from './harness.mjs';

const MENTOR = { email: 'kwame@example.org', name: 'Kwame Mentor', password: PASSWORD, zone: 'Europe/Paris' };
const MENTEE = { email: 'nia@example.org', name: 'Nia Mentee', password: PASSWORD, zone: 'America/Chicago' };
const PROGRAM = 'Meeting Minds 2034';

let browser;
const cleanups = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await browser?.close();
});

/** The `meeting` frames the page receives on its WebSockets (to tell live updates from refetches). */
function recordMeetingFrames(page) {
  const frames = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (event) => {
      try {
        const frame = JSON.parse(typeof event.payload === 'string' ? event.payload : event.payload.toString());
        if (frame.type === 'meeting') frames.push(frame);
      } catch {
        // not JSON
      }
    });
  });
  return frames;
}

// Wall-clock times in a zone, computed here independently of the web client's code.

/** The instant a clock in `zone` shows `date` `time` (not at a clock change). */
function instantOf(date, time, zone) {
  const naive = Date.parse(`${date}T${time}:00Z`);
  let ms = naive;
  for (let i = 0; i < 3; i++) {
    const w = wallTime(ms, zone);
    ms += naive - Date.parse(`${w.date}T${w.time}:00Z`);
  }
  const check = wallTime(ms, zone);
  assert.deepEqual(check, { date, time }, `${date} ${time} exists in ${zone}`);
  return ms;
}

/** "20301215T150000Z", as iCalendar writes UTC times. */
function icsTime(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The web client's long form of an instant in a zone (as the page formats it, in the page's language). */
function longTime(page, ms, zone) {
  return page.evaluate(
    ([ms, zone]) => new Date(ms).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }),
    [ms, zone],
  );
}

/** A meeting's card on the Meetings page. */
function card(page, title) {
  return page.getByRole('article', { name: title });
}

/** The question Kindred asks, privately, after a check-in whose ratings are falling. */
const OFFER = 'Would you like a coordinator to get in touch?';
const SENT = 'Your coordinators were told. One of them will get in touch with you.';
const NOTE = 'Our calls keep going off track; I would like some advice.';

/** What asking for support shares, said before anything is sent. */
function sharing(otherName) {
  return `Your program’s coordinators will see that you asked, and what you write here. ${otherName} is not told.`;
}

/** The rows of the coordinator's "Ratings given" table, as cells. */
async function ratingRows(summary) {
  const rows = await summary.getByRole('table', { name: 'Ratings given' }).locator('tbody tr').allInnerTexts();
  return rows.map((r) => r.split('\t').map((c) => c.trim()));
}

test('meetings: schedule from the chat, live proposal of another time, accept, reminder, .ics, feed, check-ins', async (t) => {
  // Ratings reach coordinators once 2 people have rated calls (the default is 5): one pair is
  // then enough to see them held back after one person's check-in, and shown after both. Quick
  // program-data sweeps, so that the test can wait for one after the bad check-ins.
  const server = await startServer({
    env: { KINDRED_WORKER_POLL_MS: '100', KINDRED_SWEEP_MS: '300', KINDRED_CHECKIN_TOTALS_MIN_PEOPLE: '2' },
  });
  /** Program-data sweeps the server has finished. */
  const sweeps = async () => Number(/^kindred_sweep_seconds_count (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
  cleanups.push(() => server.stop());
  browser = await launchBrowser({ media: true });
  const coord = await newPage(browser, server.url);
  const mentor = await newPage(browser, server.url);
  // The mentee on a phone-sized screen: nothing may scroll sideways there either.
  const mentee = await newPage(browser, server.url, { width: 390, height: 844 });
  const cp = coord.page;
  const mp = mentor.page;
  const ep = mentee.page;
  const mentorFrames = recordMeetingFrames(mp);
  const menteeFrames = recordMeetingFrames(ep);
  try {
    const { program, match, channelId, mentorId } = await activeMatch({
      server,
      cp,
      mp,
      ep,
      mentor: MENTOR,
      mentee: MENTEE,
      program: { name: PROGRAM, description: 'Mentoring with scheduled meetings.' },
    });

    /**
     * Another call: the mentee calls from the pair's chat, the mentor accepts wherever he is, and
     * she hangs up once both are connected. Resolves with both check-in dialogs (hers, his).
     */
    async function callAndHangUp() {
      await ep.goto(`/messages/${channelId}`);
      await ep.getByText('Online', { exact: true }).waitFor();
      await ep.getByRole('button', { name: `Call ${MENTOR.name}` }).click();
      await mp.getByRole('alertdialog', { name: 'Incoming video call' }).getByRole('button', { name: 'Accept' }).click();
      const screen = ep.getByRole('dialog', { name: `Call with ${MENTOR.name}` });
      await screen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
      await mp.getByRole('dialog', { name: `Call with ${MENTEE.name}` }).getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
      await screen.getByRole('button', { name: 'Hang up' }).click();
      const dialogs = [ep, mp].map((page) => page.getByRole('dialog', { name: 'Quick check-in after your call' }));
      for (const dialog of dialogs) await dialog.waitFor();
      return dialogs;
    }

    // The mentor waits on his Meetings page: nothing yet.
    await mp.goto('/meetings');
    await mp.getByRole('heading', { level: 1, name: 'Meetings' }).waitFor();
    await mp.getByText('No upcoming meetings.').waitFor();
    await mp.getByText(`Times are in ${MENTOR.zone}, the time zone in your profile`).waitFor();

    // The mentee opens the pair's chat; Schedule sits next to Call.
    await ep.goto(`/messages/${channelId}`);
    await ep.getByRole('heading', { level: 1, name: MENTOR.name }).waitFor();
    await ep.getByRole('button', { name: `Call ${MENTOR.name}` }).waitFor();
    await ep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings' }).waitFor();
    await ep.getByRole('link', { name: `Schedule a meeting with ${MENTOR.name}` }).click();
    await ep.waitForURL((u) => u.pathname === '/meetings' && u.searchParams.get('channel') === channelId);
    const schedule = ep.getByRole('region', { name: `Schedule a meeting with ${MENTOR.name} (${PROGRAM})` });
    await schedule.waitFor();
    assert.equal(await schedule.getByLabel('Meet with').inputValue(), match.id, 'the pair of the chat is chosen');
    await until('focus on the scheduling form', () => ep.evaluate(() => document.activeElement?.id === 'schedule'));

    // A missing title is caught before anything is sent, and focus goes to it.
    const day = wallTime(Date.now() + 7 * 86_400_000, MENTEE.zone).date;
    await schedule.getByLabel('Date', { exact: true }).fill(day);
    await schedule.getByLabel('Start time').fill('09:00');
    await schedule.getByRole('button', { name: 'Propose meeting' }).click();
    await schedule.getByText('Enter a title, like “Career plans”.').waitFor();
    assert.equal(await ep.evaluate(() => document.activeElement?.getAttribute('name')), 'title');

    await schedule.getByLabel('Title').fill('Career plans');
    await schedule.getByLabel('Length').selectOption({ label: '45 minutes' });
    await schedule.getByLabel('Agenda (optional)').fill('Residency applications\nA research elective');
    await schedule.getByRole('button', { name: 'Propose meeting' }).click();
    await ep.getByText(`You proposed “Career plans” to ${MENTOR.name}`).waitFor();
    const menteeCard = card(ep, 'Career plans');
    await menteeCard.getByText('Waiting for an answer').waitFor();

    // What was stored: 09:00 on the mentee's clock, 45 minutes.
    const firstStart = instantOf(day, '09:00', MENTEE.zone);
    const [created] = (await apiCall(ep, 'GET', '/api/me/meetings')).items;
    assert.equal(Date.parse(created.starts_at), firstStart, `stored ${created.starts_at}`);
    assert.equal(created.duration_min, 45);
    assert.equal(created.agenda, 'Residency applications\nA research elective');
    assert.equal(created.status, 'proposed');
    await menteeCard.getByText(await longTime(ep, firstStart, MENTEE.zone), { exact: false }).waitFor();

    // The mentor's page shows it live, at his own local time, with a notice.
    const mentorCard = card(mp, 'Career plans');
    await mentorCard.getByText('Needs your answer').waitFor();
    await mentorCard.getByText(await longTime(mp, firstStart, MENTOR.zone), { exact: false }).waitFor();
    await mentorCard.getByText('A research elective').waitFor();
    await notice(mp, `${MENTEE.name} proposed a meeting time: “Career plans”`).waitFor();
    assert.ok(
      mentorFrames.some((f) => f.meeting.id === created.id && f.meeting.status === 'proposed' && !f.reminder),
      'the mentor’s page got the meeting frame',
    );
    await checkPage(mp, 'Meetings page with a proposal (mentor)');

    // He proposes another time, ten minutes from now on his clock (the form starts at the
    // current time, shown in his zone).
    await mentorCard.getByRole('button', { name: 'Propose another time for “Career plans”' }).click();
    const propose = mentorCard.getByRole('form', { name: 'Propose another time for “Career plans”' });
    await propose.waitFor();
    const shown = wallTime(firstStart, MENTOR.zone);
    assert.equal(await propose.getByLabel('Date', { exact: true }).inputValue(), shown.date);
    assert.equal(await propose.getByLabel('Start time').inputValue(), shown.time);
    const soon = wallTime(Date.now() + 11 * 60_000, MENTOR.zone);
    const soonStart = instantOf(soon.date, soon.time, MENTOR.zone);
    await propose.getByLabel('Date', { exact: true }).fill(soon.date);
    await propose.getByLabel('Start time').fill(soon.time);
    await propose.getByLabel('Length').selectOption({ label: '30 minutes' });
    await propose.getByRole('button', { name: 'Propose this time' }).click();
    await mp.getByText(`for “Career plans”. ${MENTEE.name} can accept it or propose another time.`).waitFor();
    await mentorCard.getByText('Waiting for an answer').waitFor();

    // The mentee's page follows live; she accepts.
    await menteeCard.getByText('Needs your answer').waitFor();
    await menteeCard.getByText(await longTime(ep, soonStart, MENTEE.zone), { exact: false }).waitFor();
    await notice(ep, `${MENTOR.name} proposed a meeting time: “Career plans”`).waitFor();
    await menteeCard.getByRole('button', { name: 'Accept “Career plans”' }).click();
    await ep.getByText(`You accepted “Career plans” with ${MENTOR.name}`).waitFor();
    await menteeCard.getByText('Confirmed').first().waitFor();
    await mentorCard.getByText('Confirmed').first().waitFor();
    await notice(mp, `${MENTEE.name} accepted “Career plans”`).waitFor();

    // It starts within 15 minutes, so the reminder is due at once: both pages announce it.
    for (const [page, other] of [
      [ep, MENTOR],
      [mp, MENTEE],
    ]) {
      await notice(page, `Reminder: “Career plans” with ${other.name} starts in 15 minutes`).waitFor();
    }
    assert.ok(menteeFrames.some((f) => f.reminder && f.meeting.id === created.id), 'a reminder frame reached the mentee');
    await checkPage(ep, 'Meetings page with a confirmed meeting and a reminder (mentee)');
    await notice(ep, 'Reminder:').getByRole('button', { name: 'Dismiss this notice' }).click();
    assert.equal(await notice(ep, 'Reminder:').count(), 0, 'the reminder is dismissed');

    // The .ics download: one confirmed event at the accepted time.
    const [download] = await Promise.all([
      ep.waitForEvent('download'),
      menteeCard.getByRole('link', { name: 'Download .ics for “Career plans”' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.ics$/);
    const [event] = parseIcs(await readFile(await download.path(), 'utf8'));
    assert.equal(event.SUMMARY, 'Career plans');
    assert.equal(event.DTSTART, icsTime(soonStart));
    assert.equal(event.DTEND, icsTime(soonStart + 30 * 60_000));
    assert.equal(event.STATUS, 'CONFIRMED');
    assert.equal(event.UID, `${created.id}@kindred`);
    assert.match(event.DESCRIPTION, /Residency applications/);

    // A meeting that overlaps is refused, with the API's words.
    const overlap = wallTime(soonStart, MENTEE.zone);
    const scheduleAgain = ep.getByRole('region', { name: /^Schedule a meeting/ });
    await scheduleAgain.getByLabel('Title').fill('Journal club');
    await scheduleAgain.getByLabel('Date', { exact: true }).fill(overlap.date);
    await scheduleAgain.getByLabel('Start time').fill(overlap.time);
    await scheduleAgain.getByRole('button', { name: 'Propose meeting' }).click();
    await scheduleAgain.getByRole('alert').filter({ hasText: /overlaps another meeting/i }).waitFor();

    // Moved to the next day it goes through; the mentor declines it, and both see that.
    await scheduleAgain.getByLabel('Date', { exact: true }).fill(day);
    await scheduleAgain.getByLabel('Start time').fill('11:00');
    await scheduleAgain.getByRole('button', { name: 'Propose meeting' }).click();
    await ep.getByText(`You proposed “Journal club” to ${MENTOR.name}`).waitFor();
    await card(mp, 'Journal club').getByRole('button', { name: 'Decline “Journal club”' }).click();
    await mp.getByText(`You declined “Journal club” with ${MENTEE.name}.`).waitFor();
    const past = ep.getByRole('region', { name: 'Past meetings' });
    await past.getByRole('article', { name: 'Journal club' }).getByText(`${MENTOR.name} declined.`).waitFor();

    // The private calendar feed: created, fetched without a session, replaced.
    const feed = ep.getByRole('region', { name: 'Calendar feed' });
    await feed.getByRole('button', { name: 'Create a feed address' }).click();
    const address = feed.getByLabel('Your private calendar feed address');
    await address.waitFor();
    const url = await address.inputValue();
    assert.match(url, new RegExp(`^${server.url}/api/calendar/[^/]+\\.ics$`));
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/calendar/);
    const events = parseIcs(await response.text());
    const inFeed = events.find((e) => e.UID === `${created.id}@kindred`);
    assert.ok(inFeed, 'the confirmed meeting is in the feed');
    assert.equal(inFeed.DTSTART, icsTime(soonStart));
    assert.ok(!events.some((e) => e.SUMMARY === 'Journal club'), 'a declined meeting is not in the feed');
    await feed.getByRole('button', { name: 'Replace the feed address' }).click();
    await until('a new feed address', async () => (await address.inputValue()) !== url);
    assert.equal((await fetch(url)).status, 404, 'the old address stops working');
    assert.equal((await fetch(await address.inputValue())).status, 200);

    // A video call both join (the mentor answers on his Meetings page); when it ends, both are
    // asked how it went.
    await ep.goto(`/messages/${channelId}`);
    await ep.getByText('Online', { exact: true }).waitFor();
    await ep.getByRole('button', { name: `Call ${MENTOR.name}` }).click();
    const ringing = mp.getByRole('alertdialog', { name: 'Incoming video call' });
    await ringing.getByRole('button', { name: 'Accept' }).click();
    const menteeScreen = ep.getByRole('dialog', { name: `Call with ${MENTOR.name}` });
    await menteeScreen.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    await mp.getByRole('dialog', { name: `Call with ${MENTEE.name}` }).getByRole('status').filter({ hasText: /^Connected$/ }).waitFor();
    await menteeScreen.getByRole('button', { name: 'Hang up' }).click();

    const menteeCheckin = ep.getByRole('dialog', { name: 'Quick check-in after your call' });
    const mentorCheckin = mp.getByRole('dialog', { name: 'Quick check-in after your call' });
    await menteeCheckin.waitFor();
    await mentorCheckin.waitFor();
    const [call] = (await apiCall(ep, 'GET', '/api/me/checkins')).calls;
    assert.ok(call, 'the call waits for the mentee’s check-in');
    await checkPage(ep, 'check-in dialog after a call (mentee)');

    // The mentee answers in the dialog (a rating is required).
    await menteeCheckin.getByRole('button', { name: 'Send check-in' }).click();
    await menteeCheckin.getByText('Choose a rating from 1 to 5.').waitFor();
    assert.equal(await ep.evaluate(() => document.activeElement?.getAttribute('type')), 'radio');
    const ratings = menteeCheckin.getByRole('radiogroup', { name: `How was your call with ${MENTOR.name}?` });
    await ratings.getByRole('radio', { name: '4 — Very good' }).check();
    await menteeCheckin.getByLabel('Anything to add? (optional)').fill('Helpful talk about residency.');
    await menteeCheckin.getByRole('button', { name: 'Send check-in' }).click();
    await menteeCheckin.getByText('Thank you: your check-in was sent.').waitFor();
    assert.equal(await menteeCheckin.getByRole('region', { name: OFFER }).count(), 0, 'a good rating brings no offer');
    await menteeCheckin.getByRole('button', { name: 'Close' }).click();
    assert.equal(await menteeCheckin.count(), 0);
    assert.deepEqual((await apiCall(ep, 'GET', '/api/me/checkins')).calls, []);

    // One person's check-in: the coordinator sees that there is one, not its rating.
    await cp.goto(`/programs/${program.id}`);
    const summary = cp.getByRole('region', { name: 'Call check-ins' });
    await summary.getByText('Ratings are shown once at least 2 people have rated calls (1 so far).').waitFor();
    assert.equal((await summary.locator('dt:has-text("Check-ins") + dd').innerText()).trim(), '1');
    assert.equal(await summary.getByRole('table').count(), 0, 'no table of ratings');
    assert.equal(await summary.getByText(/out of 5/).count(), 0, 'no average');
    assert.deepEqual(await apiCall(cp, 'GET', `/api/programs/${program.id}/checkins`), {
      count: 1,
      people: 1,
      minimum_people: 2,
      average: null,
      distribution: null,
    });
    await checkPage(cp, 'program page with the ratings held back (coordinator)');

    // The mentor puts it off, and answers on the Meetings page.
    await mentorCheckin.getByRole('button', { name: 'Not now' }).click();
    assert.equal(await mentorCheckin.count(), 0);
    await mp.goto('/meetings');
    const pending = mp.getByRole('region', { name: 'Check in after your calls' });
    await pending.waitFor();
    await checkPage(mp, 'Meetings page with a pending check-in (mentor)');
    await pending.getByRole('radio', { name: '5 — Great' }).check();
    await pending.getByRole('button', { name: 'Send check-in' }).click();
    await mp.getByText('Thank you: your check-in was sent.').waitFor();
    await until('the check-in section to go', async () => (await pending.count()) === 0);
    assert.deepEqual((await apiCall(mp, 'GET', '/api/me/checkins')).calls, []);

    // Two people rated: the coordinator sees the totals, and only them.
    await cp.goto(`/programs/${program.id}`);
    await summary.waitFor();
    await summary.getByText(/^4[.,]5 out of 5$/).waitFor();
    assert.deepEqual(await ratingRows(summary), [
      ['1', '0', '0%'],
      ['2', '0', '0%'],
      ['3', '0', '0%'],
      ['4', '1', '50%'],
      ['5', '1', '50%'],
    ]);
    assert.equal(await summary.getByText('Helpful talk').count(), 0, 'no note reaches the coordinator');
    const count = await summary.locator('dt:has-text("Check-ins") + dd').innerText();
    assert.equal(count.trim(), '2');
    await checkPage(cp, 'program page with the check-in summary (coordinator)');

    // What the pair's own channel holds before the bad check-ins: nothing may be added to it
    // because of them (no nudge, no word of a rating or a request).
    const pairEvents = async () => (await apiCall(ep, 'GET', `/api/channels/${channelId}/messages?limit=100`)).items;
    const before = new Set((await pairEvents()).map((e) => e.id));

    // A second call, which the mentor rates 2 in the dialog: Kindred asks him, and only him,
    // whether he would like a coordinator's help. He says no thanks; nothing is raised.
    let [menteeDialog, mentorDialog] = await callAndHangUp();
    await mentorDialog.getByRole('radio', { name: '2 — Fair' }).check();
    await mentorDialog.getByRole('button', { name: 'Send check-in' }).click();
    await mentorDialog.getByText('Thank you: your check-in was sent.').waitFor();
    const dialogOffer = mentorDialog.getByRole('region', { name: OFFER });
    await dialogOffer.getByText(`Sorry that your call with ${MENTEE.name} did not go well. Only you see this question.`).waitFor();
    await dialogOffer.getByText(sharing(MENTEE.name)).waitFor();
    await until('focus on the offer’s question', () => mp.evaluate((q) => document.activeElement?.textContent === q, OFFER));
    await checkPage(mp, 'check-in dialog with the offer of support (mentor)');
    // The mentee, who rated hers 5, is only thanked.
    await menteeDialog.getByRole('radio', { name: '5 — Great' }).check();
    await menteeDialog.getByRole('button', { name: 'Send check-in' }).click();
    await menteeDialog.getByText('Thank you: your check-in was sent.').waitFor();
    assert.equal(await menteeDialog.getByRole('region', { name: OFFER }).count(), 0, 'no offer for the mentee');
    await menteeDialog.getByRole('button', { name: 'Close' }).click();
    await mentorDialog.getByRole('button', { name: 'No thanks' }).click();
    assert.equal(await mentorDialog.count(), 0, '"No thanks" closes the dialog');
    assert.deepEqual((await apiCall(cp, 'GET', `/api/programs/${program.id}/alerts?all=true`)).items, [], 'nothing raised');

    // A third call: the mentor puts the check-in off and rates it 1 on his Meetings page, where
    // the offer stays once the check-in form is gone. The mentee rates hers through the API: the
    // answer offers her nothing.
    [menteeDialog, mentorDialog] = await callAndHangUp();
    await menteeDialog.getByRole('button', { name: 'Not now' }).click();
    await mentorDialog.getByRole('button', { name: 'Not now' }).click();
    const [third] = (await apiCall(ep, 'GET', '/api/me/checkins')).calls;
    assert.deepEqual(await apiCall(ep, 'POST', `/api/calls/${third}/checkin`, { rating: 4, note: '' }), { support_offer: null });
    await mp.goto('/meetings');
    const pendingAgain = mp.getByRole('region', { name: 'Check in after your calls' });
    await pendingAgain.getByRole('radio', { name: '1 — Poor' }).check();
    await pendingAgain.getByRole('button', { name: 'Send check-in' }).click();
    await mp.getByRole('status').filter({ hasText: 'Thank you: your check-in was sent.' }).waitFor();
    const pageOffer = mp.getByRole('region', { name: OFFER });
    await pageOffer.getByText(sharing(MENTEE.name)).waitFor();
    await until('the check-in section to go', async () => (await pendingAgain.count()) === 0);
    await until('focus on the offer’s question', () => mp.evaluate((q) => document.activeElement?.textContent === q, OFFER));
    await checkPage(mp, 'Meetings page with the offer of support (mentor)');
    // He asks, with a note: too long first (checked before sending, focus on the note).
    const words = pageOffer.getByLabel('Anything you would like them to know? (optional)');
    await words.fill('x'.repeat(1001));
    await pageOffer.getByRole('button', { name: 'Ask for support' }).click();
    await pageOffer.getByText('Use at most 1000 characters; this has 1001.').waitFor();
    assert.equal(await mp.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await words.fill(NOTE);
    await pageOffer.getByRole('button', { name: 'Ask for support' }).click();
    await mp.getByRole('status').filter({ hasText: SENT }).waitFor();
    assert.equal(await pageOffer.count(), 0, 'the offer is answered');

    // Asking again from My matches, while that request is open, is refused in the API's words;
    // Cancel returns focus to the button.
    await mp.goto('/matches');
    const matchCard = mp.getByRole('article', { name: `${MENTEE.name}, your mentee` });
    const askButton = matchCard.getByRole('button', { name: /^Ask a coordinator for help/ });
    await askButton.click();
    const askForm = matchCard.getByRole('form', { name: 'Ask a coordinator for help' });
    await askForm.getByText(sharing(MENTEE.name)).waitFor();
    assert.equal(await mp.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await checkPage(mp, 'My matches, asking for support (mentor)');
    await askForm.getByRole('button', { name: 'Ask for support' }).click();
    await askForm.getByRole('alert').filter({ hasText: 'You already asked; a coordinator will get in touch' }).waitFor();
    await askForm.getByRole('button', { name: 'Cancel' }).click();
    await until('focus back on the button', () => askButton.evaluate((b) => b === document.activeElement));

    // A whole sweep of the pairs after the bad check-ins (the second one to finish from now
    // started after it): it raised nothing about them (ratings flag no pair), so the only alert
    // is his request. The coordinator's alert names the mentor and shows his words, no rating.
    const swept = await sweeps();
    await until('a whole sweep after the check-ins', async () => (await sweeps()) >= swept + 2);
    const alerts = (await apiCall(cp, 'GET', `/api/programs/${program.id}/alerts?all=true`)).items;
    assert.deepEqual(
      alerts.map((a) => [a.rule, a.raised_by, a.resolved_at]),
      [['support_requested', { user_id: mentorId, name: MENTOR.name }, null]],
    );
    assert.ok(alerts[0].detail.includes(NOTE), alerts[0].detail);
    await cp.goto(`/programs/${program.id}/data`);
    await cp.getByRole('tab', { name: 'Alerts' }).click();
    const alertCard = cp.getByRole('article', { name: `${MENTEE.name} and ${MENTOR.name}: Asked for support` });
    await alertCard.getByText(NOTE, { exact: false }).waitFor();
    await alertCard.locator('dt:has-text("Raised by") + dd').getByText(MENTOR.name, { exact: true }).waitFor();
    assert.doesNotMatch(await alertCard.innerText(), /rat(ed|ing)|of 5/i, 'no rating in the alert');
    await alertCard.getByText(`${MENTEE.name} does not see it.`).waitFor();
    await checkPage(cp, 'alerts with a request for support (coordinator)');

    // She writes to him alone.
    await alertCard.getByLabel(`Message to ${MENTOR.name} alone`).fill('Hello Kwame, happy to help. When would suit you for a call?');
    await alertCard.getByRole('button', { name: `Send to ${MENTOR.name} alone` }).click();
    await alertCard.getByRole('status').filter({ hasText: `Message sent to ${MENTOR.name} alone.` }).waitFor();
    const link = alertCard.getByRole('link', { name: `Open the conversation with ${MENTOR.name}` });
    const followUp = (await link.getAttribute('href')).split('/').pop();
    const { members } = await apiCall(cp, 'GET', `/api/channels/${followUp}`);
    assert.deepEqual(members.map((m) => m.name).sort(), [COORDINATOR.name, MENTOR.name].sort());
    await apiCall(mp, 'GET', `/api/channels/${followUp}`);
    await assert.rejects(apiCall(ep, 'GET', `/api/channels/${followUp}`), /HTTP 404/, 'the mentee is not in it');
    assert.ok(!(await apiCall(ep, 'GET', '/api/channels')).items.some((c) => c.id === followUp));

    // Nothing reached the pair's own channel: no nudge, no word of the rating or the request.
    const added = (await pairEvents()).filter((e) => !before.has(e.id));
    assert.deepEqual(added.map((e) => [e.kind, e.body]), [], 'nothing new in the pair’s channel');

    // The totals now count all six check-ins (4, 5, 5, 2, 4 and 1).
    await cp.goto(`/programs/${program.id}`);
    await summary.getByText(/^3[.,]5 out of 5$/).waitFor();
    assert.deepEqual(await ratingRows(summary), [
      ['1', '1', '17%'],
      ['2', '1', '17%'],
      ['3', '0', '0%'],
      ['4', '2', '33%'],
      ['5', '2', '33%'],
    ]);

    for (const page of [mp, ep, cp]) {
      if (page.problems.length) assert.fail(`page errors: ${page.problems.join('; ')}`);
    }
  } catch (error) {
    for (const [label, page] of [
      ['mentee', ep],
      ['mentor', mp],
    ]) {
      const text = await page.locator('body').innerText().catch((e) => String(e));
      t.diagnostic(`${label} page (${page.url()}):\n${text}`);
    }
    t.diagnostic(`mentor meeting frames: ${JSON.stringify(mentorFrames.map((f) => [f.meeting.status, f.reminder]))}`);
    t.diagnostic(`mentee meeting frames: ${JSON.stringify(menteeFrames.map((f) => [f.meeting.status, f.reminder]))}`);
    t.diagnostic(`server output:\n${server.output()}`);
    throw error;
  } finally {
    await coord.context.close();
    await mentor.context.close();
    await mentee.context.close();
  }
});

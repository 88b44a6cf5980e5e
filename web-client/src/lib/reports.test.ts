import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Report } from '../api/types';
import {
  categoryLabel,
  closeActions,
  closeDone,
  closeErrorMessage,
  closeProblems,
  earlierText,
  eventReportPeople,
  eventReportTarget,
  excerpt,
  initialShare,
  kindLabel,
  MAX_SHARED,
  noteCounter,
  noteProblem,
  notToldText,
  outcomeLabel,
  queueHeading,
  queueOrder,
  REPORT_CATEGORIES,
  reportDisclosure,
  reportedName,
  reportErrorMessage,
  reportInput,
  reportTitle,
  reviewedNotice,
  shareCandidates,
  statusLabel,
  toggleShare,
  type LoadedMessage,
  type ReportTarget,
} from './reports';

const KWAME = { id: 'kwame', name: 'Kwame Mentor' };
const NIA = { user_id: 'nia', name: 'Nia Mentee' };

function m(seq: number, sender: string, extra: Partial<LoadedMessage> = {}): LoadedMessage {
  return { seq, sender_id: sender, body: `message ${seq}`, created_at: `2030-01-01T10:${String(seq).padStart(2, '0')}:00Z`, deleted_at: null, ...extra };
}

const NAMES: Record<string, string> = { kwame: 'Kwame Mentor', me: 'You', system: 'Kindred' };
const nameOf = (id: string) => NAMES[id] ?? 'Former member';

const messageTarget = (candidates = shareCandidates([m(1, 'me'), m(2, 'kwame')], 2, nameOf)): ReportTarget => ({
  kind: 'message',
  channelId: 'c1',
  seq: 2,
  programId: 'p1',
  person: KWAME,
  candidates,
});

describe('reasons, statuses and outcomes in words', () => {
  it('offers every reason the API knows, with human labels', () => {
    expect(REPORT_CATEGORIES.map((c) => c.value)).toEqual([
      'harassment',
      'discrimination',
      'inappropriate_content',
      'safety_concern',
      'spam',
      'other',
    ]);
    expect(REPORT_CATEGORIES.every((c) => !c.label.includes('_'))).toBe(true);
    expect(categoryLabel('safety_concern')).toBe('Safety concern');
    expect(categoryLabel('inappropriate_content')).toBe('Inappropriate content');
    expect(categoryLabel('something_new')).toBe('something_new');
  });

  it('names what was reported, where a report is, and how it was closed', () => {
    expect(kindLabel('message')).toBe('A message');
    expect(kindLabel('event')).toBe('Someone in an event');
    expect(statusLabel('open')).toBe('Open');
    expect(statusLabel('reviewed')).toBe('Reviewed');
    expect(outcomeLabel('warned')).toBe('Warning sent');
    expect(outcomeLabel('match_ended')).toBe('Match ended');
    expect(outcomeLabel('dismissed')).toBe('Dismissed');
    expect(outcomeLabel(null)).toBe('Open');
    expect(outcomeLabel('something_new')).toBe('something_new');
  });
});

describe('the messages a report offers to share', () => {
  it('lists the reported one first, then the others in order, leaving out deleted and Kindred’s', () => {
    const messages = [
      m(1, 'system'),
      m(2, 'me'),
      m(3, 'kwame'),
      m(4, 'kwame', { deleted_at: '2030-01-01T11:00:00Z' }),
      m(5, 'me'),
    ];
    const list = shareCandidates(messages, 3, nameOf, new Set(['system']));
    expect(list.map((c) => c.seq)).toEqual([3, 2, 5]);
    expect(list[0]).toEqual({ seq: 3, sender: 'Kwame Mentor', sentAt: '2030-01-01T10:03:00Z', body: 'message 3' });
    expect(list[1]?.sender).toBe('You');
  });

  it('offers at most 20, the most recent, the reported one always among them', () => {
    const messages = Array.from({ length: 40 }, (_, i) => m(i + 1, i % 2 ? 'kwame' : 'me'));
    const list = shareCandidates(messages, 2, nameOf);
    expect(list).toHaveLength(MAX_SHARED);
    expect(list[0]?.seq).toBe(2);
    expect(list.slice(1).map((c) => c.seq)).toEqual(Array.from({ length: 19 }, (_, i) => i + 22));
    // A reported message that cannot be shared (deleted meanwhile): just the most recent 20.
    const without = shareCandidates(messages, 99, nameOf);
    expect(without.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
  });

  it('ticks the reported message at first, and keeps exactly what is ticked, in the list’s order', () => {
    const list = shareCandidates([m(1, 'me'), m(2, 'kwame'), m(3, 'kwame')], 2, nameOf);
    expect(initialShare(list, 2)).toEqual([2]);
    expect(initialShare(list, 9)).toEqual([]);
    let ticked = toggleShare(list, [2], 1, true);
    expect(ticked).toEqual([2, 1]);
    ticked = toggleShare(list, ticked, 1, true);
    expect(ticked).toEqual([2, 1]);
    ticked = toggleShare(list, ticked, 2, false);
    expect(ticked).toEqual([1]);
    // Nothing that is not in the list.
    expect(toggleShare(list, ticked, 42, true)).toEqual([1]);
  });

  it('shortens long messages in the list only', () => {
    expect(excerpt('short\n\nline')).toBe('short line');
    const long = 'x'.repeat(500);
    expect(excerpt(long)).toHaveLength(200);
    expect(excerpt(long).endsWith('…')).toBe(true);
  });
});

describe('the request', () => {
  it('shares exactly the ticked messages of a message report, sorted, once each', () => {
    expect(reportInput(messageTarget(), 'harassment', '  He keeps writing at night.  ', [5, 2, 5])).toEqual({
      kind: 'message',
      category: 'harassment',
      note: 'He keeps writing at night.',
      channel_id: 'c1',
      seq: 2,
      share: [2, 5],
    });
    // Nothing ticked: nothing shared, and an empty note is left out.
    expect(reportInput(messageTarget(), 'spam', ' ', [])).toEqual({
      kind: 'message',
      category: 'spam',
      channel_id: 'c1',
      seq: 2,
      share: [],
    });
  });

  it('names the person and program, or the meeting, and shares nothing', () => {
    expect(reportInput({ kind: 'person', programId: 'p1', person: KWAME }, 'other', '', [1])).toEqual({
      kind: 'person',
      category: 'other',
      user_id: 'kwame',
      program_id: 'p1',
    });
    const meeting: ReportTarget = { kind: 'meeting', meetingId: 'm1', programId: 'p1', title: 'Catch-up', person: KWAME };
    expect(reportInput(meeting, 'safety_concern', 'Felt unsafe', [])).toEqual({
      kind: 'meeting',
      category: 'safety_concern',
      note: 'Felt unsafe',
      meeting_id: 'm1',
    });
    expect(reportTitle(meeting)).toBe('Report the meeting “Catch-up” with Kwame Mentor');
    expect(reportTitle(messageTarget())).toBe('Report a message from Kwame Mentor');
    expect(reportTitle({ kind: 'person', programId: 'p1', person: KWAME })).toBe('Report Kwame Mentor');
  });
});

describe('what the coordinators will see, said before sending', () => {
  it('says who, why, and exactly the ticked messages and nothing else', () => {
    const lines = reportDisclosure(messageTarget(), 2).join('\n');
    expect(lines).toContain('Who you are, and who you report: Kwame Mentor.');
    expect(lines).toContain('The reason you choose and the words you write.');
    expect(lines).toContain('Copies of exactly the 2 messages you ticked, and nothing else from your conversations.');
    expect(reportDisclosure(messageTarget(), 1).join('\n')).toContain('Copies of exactly the message you ticked');
    expect(reportDisclosure(messageTarget(), 0).join('\n')).toContain('no message text goes with your report');
    expect(reportDisclosure({ kind: 'person', programId: 'p1', person: KWAME }, 0).join('\n')).toContain(
      'No messages from your conversations.',
    );
    expect(notToldText('Kwame Mentor')).toBe('Kwame Mentor is not told who reported them.');
  });

  it('counts the note as the server does, and refuses one too long', () => {
    expect(noteCounter('héllo 👋')).toBe('7 of 2000 characters');
    expect(noteProblem('x'.repeat(2000))).toBeNull();
    expect(noteProblem('x'.repeat(2001))).toBe('Keep it to 2000 characters; this has 2001.');
  });
});

describe('refusals of a report in words', () => {
  it('says a repeated report is with the coordinators already', () => {
    expect(reportErrorMessage(new ApiError(409, 'conflict', 'you already reported this'))).toBe(
      'You already reported this; the coordinators have it. You can follow it under Settings → My reports.',
    );
  });

  it('says what cannot be reported, and the API’s own words for fields the form does not show', () => {
    expect(reportErrorMessage(new ApiError(404, 'not_found', 'not found'))).toMatch(/cannot be reported any more/);
    expect(
      reportErrorMessage(new ApiError(422, 'validation', 'invalid', { seq: 'you cannot report your own message' })),
    ).toBe('You cannot report your own message.');
    expect(reportErrorMessage(new ApiError(422, 'validation', 'invalid', { category: 'is required' }))).toBe(
      'Please correct the problems marked below.',
    );
    expect(reportErrorMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/);
  });
});

function report(extra: Partial<Report> = {}): Report {
  return {
    id: 'r1',
    program_id: 'p1',
    kind: 'message',
    target_id: 't1',
    category: 'harassment',
    severity: 4,
    note: '',
    reporter: NIA,
    subject: { user_id: 'kwame', name: 'Kwame Mentor' },
    created_at: '2030-01-01T10:00:00Z',
    outcome: null,
    reason: null,
    closed_at: null,
    messages: [],
    earlier: [],
    repeat: false,
    ...extra,
  };
}

describe('the coordinators’ queue', () => {
  it('shows open reports first in the API’s order, then closed ones, most recently closed first', () => {
    const reports = [
      report({ id: 'a', closed_at: '2030-01-02T00:00:00Z', outcome: 'dismissed' }),
      report({ id: 'b', severity: 5 }),
      report({ id: 'c', closed_at: '2030-01-03T00:00:00Z', outcome: 'warned' }),
      report({ id: 'd', severity: 1 }),
    ];
    expect(queueOrder(reports).map((r) => r.id)).toEqual(['b', 'd', 'c', 'a']);
  });

  it('heads each report with its reason and severity', () => {
    expect(queueHeading(report({ category: 'safety_concern', severity: 5 }))).toBe('Safety concern, severity 5 of 5');
  });

  it('names the actions after the people concerned', () => {
    const actions = closeActions(report());
    expect(actions.map((a) => [a.value, a.label])).toEqual([
      ['dismissed', 'Dismiss the report'],
      ['warned', 'Warn Kwame Mentor'],
      ['match_ended', 'End the match between Nia Mentee and Kwame Mentor'],
      ['muted', 'Mute Kwame Mentor in the program’s group channels'],
      ['removed', 'Take Kwame Mentor out of the message’s channel'],
      ['suspended', 'Suspend Kwame Mentor from the program'],
    ]);
    // Only a message report has a channel to take someone out of.
    expect(closeActions(report({ kind: 'person' })).map((a) => a.value)).toEqual([
      'dismissed',
      'warned',
      'match_ended',
      'muted',
      'suspended',
    ]);
    expect(closeDone('suspended', report())).toBe('Kwame Mentor is suspended from the program, and the report is closed.');
    expect(outcomeLabel('suspended')).toBe('Suspended from the program');
    expect(closeDone('warned', report())).toBe('Your warning was sent to Kwame Mentor, and the report is closed.');
    expect(closeDone('match_ended', report())).toMatch(/^The match between Nia Mentee and Kwame Mentor has ended/);
  });

  it('always asks for a reason, and for a warning’s words', () => {
    expect(closeProblems('', '', '')).toEqual({
      outcome: 'Choose what to do.',
      reason: 'Say why: it goes in the audit log, for the other coordinators.',
    });
    expect(closeProblems('dismissed', 'Not what it seemed', '')).toEqual({});
    expect(closeProblems('warned', 'Rude messages', ' ')).toEqual({ warning: 'Write the warning the person will read.' });
    expect(closeProblems('warned', 'x'.repeat(1001), 'Please stop')).toEqual({
      reason: 'Keep it to 1000 characters; this has 1001.',
    });
  });

  it('says why closing did not go through', () => {
    expect(closeErrorMessage(new ApiError(409, 'conflict', 'there is no active match between the two to end'), report())).toBe(
      'Nia Mentee and Kwame Mentor have no active match to end. Choose another action.',
    );
    expect(closeErrorMessage(new ApiError(409, 'conflict', 'this report is already closed'), report())).toBe(
      'This report is already closed, perhaps by another coordinator.',
    );
    expect(
      closeErrorMessage(new ApiError(403, 'forbidden', 'join the program as a coordinator to warn its members'), report()),
    ).toBe('Join the program as a coordinator to warn its members');
  });

  it('sums up an earlier report in a line', () => {
    expect(earlierText({ kind: 'person', category: 'spam', reporter: NIA, outcome: null })).toBe(
      'Spam (a person), reported by Nia Mentee: open',
    );
    expect(earlierText({ kind: 'message', category: 'harassment', reporter: NIA, outcome: 'warned' })).toBe(
      'Harassment (a message), reported by Nia Mentee: warning sent',
    );
  });
});

describe('a review of my report', () => {
  it('is said politely, naming the person when My reports knows them, and never what was done', () => {
    const pages = [
      {
        items: [
          {
            id: 'r1',
            program_id: 'p1',
            kind: 'message' as const,
            category: 'harassment' as const,
            note: '',
            subject: { user_id: 'kwame', name: 'Kwame Mentor' },
            created_at: '2030-01-01T10:00:00Z',
            status: 'open' as const,
          },
        ],
      },
    ];
    expect(reportedName(pages, 'r1')).toBe('Kwame Mentor');
    expect(reportedName(pages, 'r2')).toBeNull();
    expect(reportedName(undefined, 'r1')).toBeNull();
    expect(reviewedNotice('Kwame Mentor')).toBe(
      'The coordinators reviewed your report about Kwame Mentor. Thank you for telling them.',
    );
    expect(reviewedNotice(null)).toBe('The coordinators reviewed one of your reports. Thank you for telling them.');
  });
});

describe('reporting someone from a group event', () => {
  const EVENT = {
    id: 'e1',
    program_id: 'p1',
    title: 'Career panel',
    host: { user_id: 'kwame', name: 'Kwame Mentor' },
    speakers: [NIA, { user_id: 'kwame', name: 'Kwame Mentor' }, { user_id: 'me', name: 'You' }],
  };

  it('offers the host, then the speakers, each once and never me', () => {
    expect(eventReportPeople(EVENT, 'me')).toEqual([
      { id: 'kwame', name: 'Kwame Mentor', role: 'host' },
      { id: 'nia', name: 'Nia Mentee', role: 'speaker' },
    ]);
    expect(eventReportPeople(EVENT, 'kwame').map((p) => p.id)).toEqual(['nia', 'me']);
    expect(eventReportPeople(EVENT, null).map((p) => p.id)).toEqual(['kwame', 'nia', 'me']);
    expect(eventReportPeople({ ...EVENT, speakers: [] }, 'kwame')).toEqual([]);
  });

  it('builds the event report: the event and the person, no messages, no program', () => {
    const target = eventReportTarget(EVENT, { id: 'nia', name: 'Nia Mentee' });
    expect(target).toEqual({ kind: 'event', eventId: 'e1', programId: 'p1', title: 'Career panel', person: { id: 'nia', name: 'Nia Mentee' } });
    expect(reportInput(target, 'harassment', '  Rude in the Q&A.  ', [3])).toEqual({
      kind: 'event',
      category: 'harassment',
      note: 'Rude in the Q&A.',
      event_id: 'e1',
      user_id: 'nia',
    });
    expect(reportInput(target, 'spam', ' ', [])).toEqual({ kind: 'event', category: 'spam', event_id: 'e1', user_id: 'nia' });
    expect(reportTitle(target)).toBe('Report Nia Mentee from the event “Career panel”');
    const lines = reportDisclosure(target, 0).join('\n');
    expect(lines).toContain('Who you are, and who you report: Nia Mentee.');
    expect(lines).toContain('No messages: nothing from the event’s chat or your conversations.');
  });

  it('says why an event report did not go through', () => {
    expect(reportErrorMessage(new ApiError(404, 'not_found', 'not found'), 'event')).toMatch(/invited to/);
    expect(reportErrorMessage(new ApiError(409, 'conflict', 'open'), 'event')).toMatch(/already reported/);
    expect(
      reportErrorMessage(
        new ApiError(422, 'validation', 'invalid', { user_id: 'was not part of this event' }),
        'event',
      ),
    ).toBe('Was not part of this event.');
  });
});

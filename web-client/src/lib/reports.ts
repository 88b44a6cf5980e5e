// Reports and the moderation queue (docs/safety.md), what the UI says and decides without React:
// the reasons and outcomes in words, which messages a report offers to share (and that it shares
// exactly the ticked ones), what the coordinators will see, said before anything is sent, the
// API's refusals in words, and the order and wording of the coordinators' queue.
import { ApiError, errorMessage, sentence } from '../api/client';
import type {
  EarlierReport,
  MyReport,
  Report,
  ReportCategory,
  ReportInput,
  ReportKind,
  ReportOutcome,
  ReportStatus,
} from '../api/types';

/** Where my reports are listed (SettingsPage), and the id that link moves the focus to. */
export const MY_REPORTS_ID = 'my-reports';
export const MY_REPORTS_PATH = `/settings#${MY_REPORTS_ID}`;

/** The longest note of one's own, as the API counts characters. */
export const MAX_NOTE = 2000;
/** The most messages one report shares. */
export const MAX_SHARED = 20;
/** The longest reason a coordinator gives for closing a report. */
export const MAX_REASON = 1000;
/** The longest warning a coordinator sends. */
export const MAX_WARNING = 2000;

/** The reasons to choose from when reporting, in the words of the form. */
export const REPORT_CATEGORIES: readonly { value: ReportCategory; label: string }[] = [
  { value: 'harassment', label: 'Harassment or bullying' },
  { value: 'discrimination', label: 'Discrimination or hate' },
  { value: 'inappropriate_content', label: 'Inappropriate content (sexual, violent or offensive)' },
  { value: 'safety_concern', label: 'A safety concern: someone may be at risk' },
  { value: 'spam', label: 'Spam or a scam' },
  { value: 'other', label: 'Something else' },
];

const CATEGORY_NAMES: Record<ReportCategory, string> = {
  harassment: 'Harassment',
  discrimination: 'Discrimination',
  inappropriate_content: 'Inappropriate content',
  safety_concern: 'Safety concern',
  spam: 'Spam',
  other: 'Other',
};

/** A reason's short name (lists and the queue). */
export function categoryLabel(category: string): string {
  return CATEGORY_NAMES[category as ReportCategory] ?? category;
}

const KIND_NAMES: Record<ReportKind, string> = {
  message: 'A message',
  person: 'A person',
  meeting: 'A meeting',
  event: 'Someone in an event',
};

/** What was reported, in words. */
export function kindLabel(kind: string): string {
  return KIND_NAMES[kind as ReportKind] ?? kind;
}

const STATUS_NAMES: Record<ReportStatus, string> = { open: 'Open', reviewed: 'Reviewed' };

/** Where my report is: open, or reviewed (never what was done). */
export function statusLabel(status: string): string {
  return STATUS_NAMES[status as ReportStatus] ?? status;
}

// By name rather than by the API's list, which grows as coordinators get more to do.
const OUTCOME_NAMES: Readonly<Record<string, string>> = {
  dismissed: 'Dismissed',
  warned: 'Warning sent',
  match_ended: 'Match ended',
  muted: 'Muted in group channels',
  removed: 'Removed from the channel',
  suspended: 'Suspended from the program',
};

/** How coordinators closed a report (the queue only). */
export function outcomeLabel(outcome: string | null | undefined): string {
  if (!outcome) return 'Open';
  return OUTCOME_NAMES[outcome] ?? outcome;
}

/** "severity 4 of 5" (5: a safety concern; 1: spam). */
export function severityText(severity: number): string {
  return `severity ${severity} of 5`;
}

/** Length as the server counts it (code points). */
export function textLength(text: string): number {
  return Array.from(text).length;
}

/** Someone a report is about. */
export interface ReportPerson {
  readonly id: string;
  readonly name: string;
}

/** One message of the conversation the reporter may share, as the checklist shows it. */
export interface ShareCandidate {
  readonly seq: number;
  readonly sender: string;
  readonly sentAt: string;
  readonly body: string;
}

/**
 * What is being reported: a message (with the loaded messages of its conversation that may be
 * shared), a person in a program, or a meeting.
 */
export type ReportTarget =
  | {
      readonly kind: 'message';
      readonly channelId: string;
      readonly seq: number;
      readonly programId: string;
      readonly person: ReportPerson;
      readonly candidates: readonly ShareCandidate[];
    }
  | { readonly kind: 'person'; readonly programId: string; readonly person: ReportPerson }
  | {
      readonly kind: 'meeting';
      readonly meetingId: string;
      readonly programId: string;
      readonly title: string;
      readonly person: ReportPerson;
    }
  | {
      readonly kind: 'event';
      readonly eventId: string;
      readonly programId: string;
      readonly title: string;
      readonly person: ReportPerson;
    };

/** The fields of a group event that reporting someone from it reads. */
export interface ReportableEvent {
  readonly id: string;
  readonly program_id: string;
  readonly title: string;
  readonly host: { readonly user_id: string; readonly name: string };
  readonly speakers: readonly { readonly user_id: string; readonly name: string }[];
}

/** Someone of an event one may report, and their part in it ("host", "speaker"). */
export interface EventReportPerson extends ReportPerson {
  readonly role: 'host' | 'speaker';
}

/**
 * Whom the event page offers to report: the host, then the speakers in the event's order, each
 * once, and never `me`.
 */
export function eventReportPeople(event: ReportableEvent, me: string | null | undefined): EventReportPerson[] {
  const seen = new Set<string>(me ? [me] : []);
  const people: EventReportPerson[] = [];
  const add = (id: string, name: string, role: EventReportPerson['role']) => {
    if (seen.has(id)) return;
    seen.add(id);
    people.push({ id, name, role });
  };
  add(event.host.user_id, event.host.name, 'host');
  for (const s of event.speakers) add(s.user_id, s.name, 'speaker');
  return people;
}

/** The report target for `person` from `event` (the event page, the live room). */
export function eventReportTarget(event: Pick<ReportableEvent, 'id' | 'program_id' | 'title'>, person: ReportPerson): ReportTarget {
  return {
    kind: 'event',
    eventId: event.id,
    programId: event.program_id,
    title: event.title,
    person: { id: person.id, name: person.name },
  };
}

/** The fields of a loaded message the checklist reads. */
export interface LoadedMessage {
  readonly seq: number;
  readonly sender_id: string;
  readonly body: string;
  readonly created_at: string;
  readonly deleted_at: string | null;
}

/**
 * The messages a message report offers to share: the reported one first, then the most recent
 * others of those loaded (in the conversation's order), `max` in all. Deleted messages (nothing
 * to copy) and those of `skip` (Kindred's own) are left out.
 */
export function shareCandidates(
  messages: readonly LoadedMessage[],
  reportedSeq: number,
  nameOf: (userId: string) => string,
  skip: ReadonlySet<string> = new Set(),
  max = MAX_SHARED,
): ShareCandidate[] {
  const usable = messages.filter((m) => !m.deleted_at && !skip.has(m.sender_id));
  const candidate = (m: LoadedMessage): ShareCandidate => ({
    seq: m.seq,
    sender: nameOf(m.sender_id),
    sentAt: m.created_at,
    body: m.body,
  });
  const reported = usable.find((m) => m.seq === reportedSeq);
  const others = usable
    .filter((m) => m.seq !== reportedSeq)
    .sort((a, b) => a.seq - b.seq)
    .slice(-(reported ? max - 1 : max));
  return reported ? [candidate(reported), ...others.map(candidate)] : others.map(candidate);
}

/** What the checklist ticks at first: the reported message, when it can be shared. */
export function initialShare(candidates: readonly ShareCandidate[], reportedSeq: number): number[] {
  return candidates.some((c) => c.seq === reportedSeq) ? [reportedSeq] : [];
}

/** The ticked seqs after ticking (`on`) or unticking `seq`: each once, in the checklist's order. */
export function toggleShare(
  candidates: readonly ShareCandidate[],
  ticked: readonly number[],
  seq: number,
  on: boolean,
): number[] {
  const next = new Set(ticked);
  if (on) next.add(seq);
  else next.delete(seq);
  return candidates.map((c) => c.seq).filter((s) => next.has(s)).slice(0, MAX_SHARED);
}

/** A long message shortened for the checklist (the whole text is what is shared). */
export function excerpt(body: string, max = 200): string {
  const chars = Array.from(body.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

/** The request for `target`: exactly the ticked messages, and only for a message. */
export function reportInput(target: ReportTarget, category: ReportCategory, note: string, share: readonly number[]): ReportInput {
  const words = note.trim();
  const base = { category, ...(words ? { note: words } : {}) };
  switch (target.kind) {
    case 'message':
      return {
        ...base,
        kind: 'message',
        channel_id: target.channelId,
        seq: target.seq,
        share: [...new Set(share)].sort((a, b) => a - b),
      };
    case 'person':
      return { ...base, kind: 'person', user_id: target.person.id, program_id: target.programId };
    case 'meeting':
      return { ...base, kind: 'meeting', meeting_id: target.meetingId };
    case 'event':
      return { ...base, kind: 'event', event_id: target.eventId, user_id: target.person.id };
  }
}

/** The dialog's title. */
export function reportTitle(target: ReportTarget): string {
  switch (target.kind) {
    case 'message':
      return `Report a message from ${target.person.name}`;
    case 'person':
      return `Report ${target.person.name}`;
    case 'meeting':
      return `Report the meeting “${target.title}” with ${target.person.name}`;
    case 'event':
      return `Report ${target.person.name} from the event “${target.title}”`;
  }
}

/** What the program's coordinators will see, one item each, said before anything is sent. */
export function reportDisclosure(target: ReportTarget, shared: number): string[] {
  const lines = [`Who you are, and who you report: ${target.person.name}.`, 'The reason you choose and the words you write.'];
  if (target.kind === 'message') {
    lines.push(
      shared === 0
        ? 'No messages: you ticked none, so no message text goes with your report.'
        : `Copies of exactly the ${shared === 1 ? 'message' : `${shared} messages`} you ticked, and nothing else from your conversations.`,
    );
  } else if (target.kind === 'event') {
    lines.push('Which event it was about. No messages: nothing from the event’s chat or your conversations.');
  } else {
    lines.push('No messages from your conversations.');
  }
  return lines;
}

/** Said with the disclosure: the reported person does not learn who reported them. */
export function notToldText(name: string): string {
  return `${name} is not told who reported them.`;
}

/** Why a note cannot be sent, or null. */
export function noteProblem(note: string): string | null {
  const length = textLength(note.trim());
  return length > MAX_NOTE ? `Keep it to ${MAX_NOTE} characters; this has ${length}.` : null;
}

/** The note's counter. */
export function noteCounter(note: string): string {
  return `${textLength(note)} of ${MAX_NOTE} characters`;
}

/** Said once the report went through. */
export function reportSent(programName: string | null): string {
  return programName
    ? `Thank you. The coordinators of ${programName} have your report.`
    : 'Thank you. The program’s coordinators have your report.';
}

/** The form's fields that show their own errors. */
export const REPORT_FIELDS: readonly string[] = ['category', 'note', 'share'];

/**
 * Why a report did not go through, in words: 409 (the same report is open), 404 (gone, or out of
 * reach), 422 (what the form does not show at its fields, in the API's words).
 */
export function reportErrorMessage(error: unknown, kind?: ReportKind): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 409:
        return 'You already reported this; the coordinators have it. You can follow it under Settings → My reports.';
      case 404:
        if (kind === 'event') return 'This cannot be reported: you can report someone only from an event you were invited to.';
        return 'This cannot be reported any more: it may have been deleted, or you no longer share a program with this person.';
      case 422: {
        const other = Object.entries(error.fields).filter(([key]) => !REPORT_FIELDS.includes(key));
        if (other.length > 0) return other.map(([, text]) => `${sentence(text)}.`).join(' ');
        if (Object.keys(error.fields).length > 0) return 'Please correct the problems marked below.';
        return errorMessage(error);
      }
    }
  }
  return errorMessage(error);
}

// The coordinators' queue.

/**
 * The queue as shown: open reports first in the API's order (most severe, then newest), then
 * closed ones, most recently closed first.
 */
export function queueOrder<R extends Pick<Report, 'closed_at'>>(reports: readonly R[]): R[] {
  const open = reports.filter((r) => !r.closed_at);
  const closed = reports
    .filter((r) => r.closed_at)
    .map((r, i) => ({ r, i, at: Date.parse(r.closed_at ?? '') }))
    .sort((a, b) => (b.at || 0) - (a.at || 0) || a.i - b.i)
    .map(({ r }) => r);
  return [...open, ...closed];
}

/** A report's heading in the queue. */
export function queueHeading(report: Pick<Report, 'category' | 'severity'>): string {
  return `${categoryLabel(report.category)}, ${severityText(report.severity)}`;
}

/** What a coordinator can do with an open report, in the words of its form. */
export interface CloseAction {
  readonly value: ReportOutcome;
  readonly label: string;
  readonly submit: string;
}

export function closeActions(report: Pick<Report, 'reporter' | 'subject'> & { kind?: Report['kind'] }): CloseAction[] {
  const { reporter, subject } = report;
  return [
    { value: 'dismissed', label: 'Dismiss the report', submit: 'Dismiss the report' },
    { value: 'warned', label: `Warn ${subject.name}`, submit: `Send the warning to ${subject.name}` },
    {
      value: 'match_ended',
      label: `End the match between ${reporter.name} and ${subject.name}`,
      submit: 'End the match',
    },
    { value: 'muted', label: `Mute ${subject.name} in the program’s group channels`, submit: `Mute ${subject.name}` },
    // Only a message has a channel to take them out of.
    ...(report.kind === 'message'
      ? [
          {
            value: 'removed' as const,
            label: `Take ${subject.name} out of the message’s channel`,
            submit: `Take ${subject.name} out of the channel`,
          },
        ]
      : []),
    { value: 'suspended', label: `Suspend ${subject.name} from the program`, submit: `Suspend ${subject.name}` },
  ];
}

/** Said once a report is closed. */
export function closeDone(outcome: ReportOutcome, report: Pick<Report, 'reporter' | 'subject'>): string {
  switch (outcome) {
    case 'dismissed':
      return `The report about ${report.subject.name} is dismissed.`;
    case 'warned':
      return `Your warning was sent to ${report.subject.name}, and the report is closed.`;
    case 'match_ended':
      return `The match between ${report.reporter.name} and ${report.subject.name} has ended, and the report is closed.`;
    case 'muted':
      return `${report.subject.name} is muted in the program’s group channels, and the report is closed.`;
    case 'removed':
      return `${report.subject.name} is no longer in the message’s channel, and the report is closed.`;
    case 'suspended':
      return `${report.subject.name} is suspended from the program, and the report is closed.`;
    default:
      return `The report about ${report.subject.name} is closed (${outcomeLabel(outcome).toLowerCase()}).`;
  }
}

/** Why closing a report did not go through, in words. */
export function closeErrorMessage(error: unknown, report: Pick<Report, 'reporter' | 'subject'>): string {
  if (error instanceof ApiError && error.status === 409) {
    if (/match/i.test(error.message)) {
      return `${report.reporter.name} and ${report.subject.name} have no active match to end. Choose another action.`;
    }
    return 'This report is already closed, perhaps by another coordinator.';
  }
  if (error instanceof ApiError && error.status === 422) {
    const other = Object.entries(error.fields).filter(([key]) => !['reason', 'warning'].includes(key));
    if (other.length > 0) return other.map(([, text]) => `${sentence(text)}.`).join(' ');
    if (Object.keys(error.fields).length > 0) return 'Please correct the problems marked below.';
  }
  return errorMessage(error);
}

/** Problems with a close form before it is sent, by field. */
export function closeProblems(outcome: ReportOutcome | '', reason: string, warning: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!outcome) problems.outcome = 'Choose what to do.';
  const why = reason.trim();
  if (why === '') problems.reason = 'Say why: it goes in the audit log, for the other coordinators.';
  else if (textLength(why) > MAX_REASON) problems.reason = `Keep it to ${MAX_REASON} characters; this has ${textLength(why)}.`;
  if (outcome === 'warned') {
    const words = warning.trim();
    if (words === '') problems.warning = 'Write the warning the person will read.';
    else if (textLength(words) > MAX_WARNING) {
      problems.warning = `Keep it to ${MAX_WARNING} characters; this has ${textLength(words)}.`;
    }
  }
  return problems;
}

/** One earlier report about the same person, in a line. */
export function earlierText(report: Pick<EarlierReport, 'kind' | 'category' | 'reporter' | 'outcome'>): string {
  const what = `${categoryLabel(report.category)} (${kindLabel(report.kind).toLowerCase()}), reported by ${report.reporter.name}`;
  return `${what}: ${report.outcome ? outcomeLabel(report.outcome).toLowerCase() : 'open'}`;
}

// My reports.

/** The polite notice a `reviewed` frame raises. */
export function reviewedNotice(subject: string | null): string {
  return subject
    ? `The coordinators reviewed your report about ${subject}. Thank you for telling them.`
    : 'The coordinators reviewed one of your reports. Thank you for telling them.';
}

/** The person a report of mine was about, from the pages of My reports already loaded. */
export function reportedName(pages: readonly { readonly items: readonly MyReport[] }[] | undefined, id: string): string | null {
  for (const page of pages ?? []) {
    const found = page.items.find((r) => r.id === id);
    if (found) return found.subject.name;
  }
  return null;
}

// Program data (docs/program-data.md): surveys, engagement, pairs at risk, the dashboard,
// exports, notification settings and privacy. Types and one function per endpoint, kept apart
// from endpoints.ts so that this part of the API reads as one piece. The types are the OpenAPI
// document's (types.ts says how), except where said.
import { query, request } from './client';
import type { components } from './schema';
import type { Page } from './types';

type Schemas = components['schemas'];

const seg = encodeURIComponent;

// Surveys.

export type SurveyTrigger = Schemas['Trigger'];
export type SurveyAudience = Schemas['SurveyAudience'];
export type SurveyQuestionKind = Schemas['SurveyQuestionKind'];

export const SURVEY_TRIGGERS: readonly { value: SurveyTrigger; label: string }[] = [
  { value: 'fit_check', label: 'Fit check, after a pair’s first meeting' },
  { value: 'each_meeting', label: 'After every meeting' },
  { value: 'midpoint', label: 'At the program’s midpoint' },
  { value: 'end', label: 'At the program’s end' },
  { value: 'date', label: 'On a date' },
];

export const SURVEY_AUDIENCES: readonly { value: SurveyAudience; label: string }[] = [
  { value: 'both', label: 'Mentees and mentors' },
  { value: 'mentees', label: 'Mentees' },
  { value: 'mentors', label: 'Mentors' },
];

export const QUESTION_KINDS: readonly { value: SurveyQuestionKind; label: string }[] = [
  { value: 'scale', label: 'Scale from 1 to 5' },
  { value: 'single', label: 'One choice' },
  { value: 'multiple', label: 'Several choices' },
  { value: 'text', label: 'Free text' },
];

export type SurveyQuestion = Schemas['SurveyQuestion'];

export type NewSurvey = Schemas['SurveyInput'];

/**
 * A survey: `due_at` only for the `date` trigger, `sent_at` once a date, midpoint or end survey
 * went out, null otherwise.
 */
export type Survey = Schemas['Survey'];

export type OptionCount = Schemas['OptionCount'];

/** One question's results; which fields are there depends on its kind. */
export type QuestionResult = Schemas['QuestionResult'];

export type SurveyResults = Schemas['SurveyResults'];

/** An open invitation of mine to answer a survey. */
export type SurveyInvitation = Schemas['SurveyInvitation'];

/** One answer: a number 1–5, an option, a list of options or a text. */
export type AnswerValue = Schemas['AnswerValue'];

// Engagement and pairs at risk.

/**
 * Why a pair was flagged (`Alert.rule`): the program's own rule (`no_contact`), one person's named
 * fit-check answer (`not_a_good_fit`) or request (`support_requested`). `falling_ratings` is no
 * longer raised (check-in ratings are private); older ones were closed as `withdrawn`.
 */
export type RiskRule = Schemas['RiskRule'];

/**
 * A pair at risk: `resolved_at` and `resolution` (`resolved`, `rematched`, `cleared` when the
 * condition went away, or `withdrawn` for an old alert that named a check-in rating) are null
 * while the alert is open. `raised_by` is the person whose request or named answer raised it
 * (null for the program's own rules): a coordinator's message about it goes to them alone.
 */
export type Alert = Schemas['Alert'];

/** A pair's engagement; ended_at, last_contact_at and first_reply_minutes null when unset. */
export type PairEngagement = Schemas['PairEngagement'];

export type RiskSettings = Schemas['RiskSettings'];

// Dashboard.

export type KeyCount = Schemas['Count'];

export type Dashboard = Schemas['Dashboard'];

export interface DashboardFilter {
  cohort?: string;
  from?: string;
  to?: string;
}

export type ExportKind = 'participants' | 'matches' | 'engagement' | 'survey-responses' | 'event-attendance';

export const EXPORT_KINDS: readonly { value: ExportKind; label: string; what: string }[] = [
  { value: 'participants', label: 'Participants', what: 'Each member: role, stage, cohort and status.' },
  { value: 'matches', label: 'Matches', what: 'Each match: the pair, its status and dates.' },
  { value: 'engagement', label: 'Engagement', what: 'Each pair: messages, meetings, minutes met and last contact.' },
  { value: 'survey-responses', label: 'Survey responses', what: 'Each response to each survey question.' },
  { value: 'event-attendance', label: 'Event attendance', what: 'Each stay in a group event’s live room: who, from when to when.' },
];

// Help.

/** A program's "get help now" panel: its own words and contacts (`text` empty when none). */
export type ProgramHelp = Schemas['ProgramHelp'];

/** The most a help panel may say, as the API counts characters. */
export const MAX_HELP_TEXT = 4000;

// Notifications, privacy, audit.

export type NotificationSettings = Schemas['NotificationSettings'];

export type Unsubscribed = Schemas['Unsubscribed'];

/**
 * An audit log entry; actor_id, actor_name and program_id null when unset. `detail` is a small
 * JSON object (what was exported, de-identified or not…).
 */
export type AuditEntry = Schemas['AuditEntry'];

/** An export's address, for a plain download link (the session cookie goes with it). */
export function exportUrl(programId: string, kind: ExportKind, deidentified: boolean): string {
  return `/api/programs/${seg(programId)}/exports/${seg(kind)}${query({ deidentified: deidentified ? 'true' : undefined })}`;
}

export const MY_EXPORT_URL = '/api/me/export';

export const dataApi = {
  surveys: (id: string, cursor?: string | null) =>
    request<Page<Survey>>('GET', `/api/programs/${seg(id)}/surveys${query({ cursor })}`),
  createSurvey: (id: string, survey: NewSurvey) =>
    request<Survey>('POST', `/api/programs/${seg(id)}/surveys`, { json: survey }),
  surveyResults: (id: string, surveyId: string) =>
    request<SurveyResults>('GET', `/api/programs/${seg(id)}/surveys/${seg(surveyId)}/results`),
  mySurveys: () => request<Page<SurveyInvitation>>('GET', '/api/me/surveys'),
  answerSurvey: (invitationId: string, answers: Record<string, AnswerValue>) =>
    request<Schemas['Answered']>('POST', `/api/me/surveys/${seg(invitationId)}/response`, {
      json: { answers },
    }),

  engagement: (id: string, cursor?: string | null) =>
    request<Page<PairEngagement>>('GET', `/api/programs/${seg(id)}/engagement${query({ cursor })}`),
  programHelp: (id: string) => request<ProgramHelp>('GET', `/api/programs/${seg(id)}/help`),
  saveProgramHelp: (id: string, text: string) =>
    request<ProgramHelp>('PUT', `/api/programs/${seg(id)}/help`, { json: { text } }),
  /** The panels of my programs that have one. */
  myHelp: () => request<Page<ProgramHelp>>('GET', '/api/me/help'),
  riskSettings: (id: string) => request<RiskSettings>('GET', `/api/programs/${seg(id)}/risk-settings`),
  updateRiskSettings: (id: string, settings: RiskSettings) =>
    request<RiskSettings>('PUT', `/api/programs/${seg(id)}/risk-settings`, { json: settings }),
  alerts: (id: string, all: boolean, cursor?: string | null) =>
    request<Page<Alert>>('GET', `/api/programs/${seg(id)}/alerts${query({ all: all ? 'true' : undefined, cursor })}`),
  /** Writes about an alert: to the pair, or to `raised_by` alone when one person raised it. */
  messagePair: (id: string, alertId: string, text: string) =>
    request<Schemas['PairMessageSent']>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/message`, {
      json: { text },
    }),
  rematchPair: (id: string, alertId: string) =>
    request<Alert>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/rematch`),
  resolveAlert: (id: string, alertId: string) =>
    request<Alert>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/resolve`),

  dashboard: (id: string, filter: DashboardFilter) =>
    request<Dashboard>('GET', `/api/programs/${seg(id)}/dashboard${query({ ...filter })}`),

  notifications: () => request<NotificationSettings>('GET', '/api/me/notifications'),
  updateNotifications: (settings: NotificationSettings) =>
    request<NotificationSettings>('PUT', '/api/me/notifications', { json: settings }),
  deleteAccount: (password: string) => request<void>('POST', '/api/me/delete', { json: { password } }),
  unsubscribe: (token: string) => request<Unsubscribed>('POST', '/api/unsubscribe', { json: { token } }),

  audit: (cursor?: string | null) => request<Page<AuditEntry>>('GET', `/api/admin/audit${query({ cursor })}`),
};

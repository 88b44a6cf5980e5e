// Program data (docs/program-data.md): surveys, engagement, pairs at risk, the dashboard,
// exports, notification settings and privacy. Types and one function per endpoint, kept apart
// from endpoints.ts so that this part of the API reads as one piece.
import { query, request } from './client';
import type { MatchPerson, Page } from './types';

const seg = encodeURIComponent;

// Surveys.

export type SurveyTrigger = 'fit_check' | 'each_meeting' | 'midpoint' | 'end' | 'date';
export type SurveyAudience = 'mentees' | 'mentors' | 'both';
export type SurveyQuestionKind = 'scale' | 'single' | 'multiple' | 'text';

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

export interface SurveyQuestion {
  id: string;
  kind: SurveyQuestionKind;
  prompt: string;
  required: boolean;
  options?: string[] | null;
  at_risk_options?: string[] | null;
}

export interface NewSurvey {
  title: string;
  trigger: SurveyTrigger;
  /** RFC 3339; only for the `date` trigger. */
  due_at?: string | null;
  audience: SurveyAudience;
  anonymous: boolean;
  questions: SurveyQuestion[];
}

export interface Survey extends NewSurvey {
  id: string;
  program_id: string;
  created_at: string;
  /** When a date, midpoint or end survey went out. */
  sent_at?: string | null;
  responses: number;
}

export interface OptionCount {
  option: string;
  count: number;
}

/** One question's results; which fields are there depends on its kind. */
export interface QuestionResult {
  id: string;
  kind: SurveyQuestionKind;
  prompt: string;
  /** Responses that answered this question. */
  count: number;
  /** `scale`: the mean, 1–5 (absent without answers). */
  average?: number | null;
  /** `scale`: how many gave 1, 2, 3, 4 and 5. */
  distribution?: number[] | null;
  /** `single` and `multiple`: each option with how many picked it. */
  options?: OptionCount[] | null;
  /** `text`: the answers, without who gave them. */
  answers?: string[] | null;
}

export interface SurveyResults {
  survey_id: string;
  title: string;
  responses: number;
  questions: QuestionResult[];
}

/** An open invitation of mine to answer a survey. */
export interface SurveyInvitation {
  id: string;
  survey_id: string;
  program_id: string;
  program_name?: string;
  title: string;
  anonymous: boolean;
  questions: SurveyQuestion[];
  created_at: string;
}

/** One answer: a number 1–5, an option, a list of options or a text. */
export type AnswerValue = number | string | string[];

// Engagement and pairs at risk.

export type RiskRule = 'no_contact' | 'falling_ratings' | 'not_a_good_fit';

export interface Alert {
  id: string;
  program_id: string;
  match_id: string;
  rule: RiskRule | string;
  mentee: MatchPerson;
  mentor: MatchPerson;
  detail: string;
  raised_at: string;
  resolved_at: string | null;
  /** `resolved`, `rematched` or `cleared` (the condition went away), once closed. */
  resolution: string | null;
}

export interface PairEngagement {
  match_id: string;
  mentee: MatchPerson;
  mentor: MatchPerson;
  status: string;
  activated_at: string;
  ended_at: string | null;
  messages_from_mentee: number;
  messages_from_mentor: number;
  meetings: number;
  minutes_met: number;
  last_contact_at: string | null;
  /** Minutes from the first message to the other person's first message. */
  first_reply_minutes: number | null;
  /** The rules of the pair's open alerts. */
  at_risk: string[];
}

export interface RiskSettings {
  /** Whether pairs are checked at all. */
  enabled: boolean;
  /** Days without a message or a meeting before a pair is flagged, 1–365. */
  no_contact_days: number;
  /** How far the latest check-in rating may fall below the earlier mean, 0.5–4. */
  rating_drop: number;
  /** Whether a fit check's at-risk answer flags the pair. */
  fit_check: boolean;
}

// Dashboard.

export interface KeyCount {
  key: string;
  count: number;
}

export interface Dashboard {
  participants: { by_role: KeyCount[]; by_stage: KeyCount[]; by_status: KeyCount[] };
  matches_over_time: { week: string; activated: number; ended: number }[];
  weekly_active_pairs: { week: string; pairs: number }[];
  meetings_per_pair: { bucket: string; pairs: number }[];
  surveys: SurveyResults[];
  at_risk: { open: number; by_rule: KeyCount[] };
  cohorts: string[];
}

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

// Notifications, privacy, audit.

export interface NotificationSettings {
  message_digest: boolean;
  meeting_reminders: boolean;
  survey_invitations: boolean;
  match_proposals: boolean;
}

export interface Unsubscribed {
  kind: keyof NotificationSettings | string;
  email: string;
}

export interface AuditEntry {
  id: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  program_id: string | null;
  /** A small JSON object (what was exported, de-identified or not…). */
  detail: unknown;
  created_at: string;
}

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
    request<{ survey_id: string; anonymous: boolean }>('POST', `/api/me/surveys/${seg(invitationId)}/response`, {
      json: { answers },
    }),

  engagement: (id: string, cursor?: string | null) =>
    request<Page<PairEngagement>>('GET', `/api/programs/${seg(id)}/engagement${query({ cursor })}`),
  riskSettings: (id: string) => request<RiskSettings>('GET', `/api/programs/${seg(id)}/risk-settings`),
  updateRiskSettings: (id: string, settings: RiskSettings) =>
    request<RiskSettings>('PUT', `/api/programs/${seg(id)}/risk-settings`, { json: settings }),
  alerts: (id: string, all: boolean, cursor?: string | null) =>
    request<Page<Alert>>('GET', `/api/programs/${seg(id)}/alerts${query({ all: all ? 'true' : undefined, cursor })}`),
  messagePair: (id: string, alertId: string, text: string) =>
    request<{ channel_id: string }>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/message`, {
      json: { text },
    }),
  rematchPair: (id: string, alertId: string) =>
    request<unknown>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/rematch`),
  resolveAlert: (id: string, alertId: string) =>
    request<unknown>('POST', `/api/programs/${seg(id)}/alerts/${seg(alertId)}/resolve`),

  dashboard: (id: string, filter: DashboardFilter) =>
    request<Dashboard>('GET', `/api/programs/${seg(id)}/dashboard${query({ ...filter })}`),

  notifications: () => request<NotificationSettings>('GET', '/api/me/notifications'),
  updateNotifications: (settings: NotificationSettings) =>
    request<NotificationSettings>('PUT', '/api/me/notifications', { json: settings }),
  deleteAccount: (password: string) => request<void>('POST', '/api/me/delete', { json: { password } }),
  unsubscribe: (token: string) => request<Unsubscribed>('POST', '/api/unsubscribe', { json: { token } }),

  audit: (cursor?: string | null) => request<Page<AuditEntry>>('GET', `/api/admin/audit${query({ cursor })}`),
};

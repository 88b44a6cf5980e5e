// One function per API endpoint, so pages never build URLs by hand.
import { query, request, requestWithStatus } from './client';
import type { Channel, ChannelMemberView, ChannelView, HistoryPage } from '../chat/protocol';
import type { components } from './schema';
import type {
  Answers,
  ApiToken,
  Block,
  CalendarFeed,
  CloseReportInput,
  Conduct,
  CallSummary,
  CheckinResult,
  CheckinSummary,
  CreatedToken,
  ImportResult,
  IceConfig,
  Interest,
  Invitation,
  InvitationPreview,
  InvitationStatus,
  Mail,
  Match,
  MatchingSettings,
  MatchStatus,
  Meeting,
  Member,
  MyReport,
  NewMeeting,
  NewQuestion,
  Page,
  PairScore,
  PendingCheckins,
  PendingConduct,
  Program,
  Question,
  Questionnaire,
  Report,
  ReportInput,
  Round,
  Session,
  StoredRound,
  User,
  Weights,
} from './types';

type Schemas = components['schemas'];

const seg = encodeURIComponent;

export const api = {
  session: () => request<Session>('GET', '/api/auth/session'),
  login: (email: string, password: string) =>
    request<Session>('POST', '/api/auth/login', { json: { email, password } }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  logoutAll: () => request<void>('POST', '/api/auth/logout-all'),
  forgotPassword: (email: string) =>
    request<Schemas['StatusView']>('POST', '/api/auth/password/forgot', { json: { email } }),
  resetPassword: (token: string, password: string) =>
    request<void>('POST', '/api/auth/password/reset', { json: { token, password } }),

  invitation: (token: string) => request<InvitationPreview>('GET', `/api/invitations/${seg(token)}`),
  acceptInvitation: (token: string, password: string, name?: string) =>
    request<Session>('POST', `/api/invitations/${seg(token)}/accept`, {
      json: name === undefined ? { password } : { password, name },
    }),

  me: () => request<User>('GET', '/api/me'),
  updateMe: (patch: Schemas['ProfileUpdate']) => request<User>('PATCH', '/api/me', { json: patch }),

  tokens: (cursor?: string | null) => request<Page<ApiToken>>('GET', `/api/me/tokens${query({ cursor })}`),
  createToken: (name: string) => request<CreatedToken>('POST', '/api/me/tokens', { json: { name } }),
  deleteToken: (id: string) => request<void>('DELETE', `/api/me/tokens/${seg(id)}`),

  programs: (cursor?: string | null) => request<Page<Program>>('GET', `/api/programs${query({ cursor })}`),
  createProgram: (program: Schemas['ProgramInput']) => request<Program>('POST', '/api/programs', { json: program }),
  program: (id: string) => request<Program>('GET', `/api/programs/${seg(id)}`),
  members: (id: string, cursor?: string | null) =>
    request<Page<Member>>('GET', `/api/programs/${seg(id)}/members${query({ cursor })}`),
  invitations: (id: string, status: InvitationStatus | 'all', cursor?: string | null) =>
    request<Page<Invitation>>(
      'GET',
      `/api/programs/${seg(id)}/invitations${query({ status: status === 'all' ? undefined : status, cursor })}`,
    ),
  invite: (id: string, invitation: Schemas['InvitationInput']) =>
    request<Invitation>('POST', `/api/programs/${seg(id)}/invitations`, { json: invitation }),
  importInvitations: (id: string, csv: string) =>
    request<ImportResult>('POST', `/api/programs/${seg(id)}/invitations/import`, {
      body: csv,
      contentType: 'text/csv',
    }),
  resendInvitation: (id: string, invitationId: string) =>
    request<Invitation>('POST', `/api/programs/${seg(id)}/invitations/${seg(invitationId)}/resend`),
  revokeInvitation: (id: string, invitationId: string) =>
    request<Invitation>('POST', `/api/programs/${seg(id)}/invitations/${seg(invitationId)}/revoke`),

  /** My channels, most recently active first, a page at a time (`cursor`: the last page's `next_cursor`). */
  channels: (cursor?: string | null, limit?: number) =>
    request<Page<ChannelView>>('GET', `/api/channels${query({ cursor, limit })}`),
  /** One of my channels; 404 when I am not in it (or it does not exist). */
  channel: (id: string) => request<ChannelView>('GET', `/api/channels/${seg(id)}`),
  channelMessages: (id: string, before: number | null, limit: number) =>
    request<HistoryPage>('GET', `/api/channels/${seg(id)}/messages${query({ before, limit })}`),
  /** Members of a channel among `ids` (at most 100): names for the senders a large channel shows. */
  channelMembersAmong: (id: string, ids: readonly string[]) =>
    request<Page<ChannelMemberView>>('GET', `/api/channels/${seg(id)}/members${query({ ids: ids.join(',') })}`),
  /** Opens a channel; `created` is false when the pair already had one (HTTP 200, not 201). */
  createChannel: async (programId: string, channel: Schemas['ChannelInput']) => {
    const { status, data } = await requestWithStatus<Channel>('POST', `/api/programs/${seg(programId)}/channels`, {
      json: channel,
    });
    return { channel: data, created: status === 201 };
  },

  // Matching (docs/matching.md).
  questionnaire: (id: string) => request<Questionnaire>('GET', `/api/programs/${seg(id)}/questionnaire`),
  /** Saves my answers: a draft (`complete: false`) or the finished questionnaire. */
  saveQuestionnaire: (id: string, answers: Answers, complete: boolean) =>
    request<Questionnaire>('PUT', `/api/programs/${seg(id)}/questionnaire`, { json: { answers, complete } }),
  interests: (id: string, cursor?: string | null) =>
    request<Page<Interest>>('GET', `/api/programs/${seg(id)}/interests${query({ cursor })}`),
  createInterest: (id: string, label: string) =>
    request<Interest>('POST', `/api/programs/${seg(id)}/interests`, { json: { label } }),
  deleteInterest: (id: string, interestId: string) =>
    request<void>('DELETE', `/api/programs/${seg(id)}/interests/${seg(interestId)}`),
  questions: (id: string, cursor?: string | null) =>
    request<Page<Question>>('GET', `/api/programs/${seg(id)}/questions${query({ cursor })}`),
  createQuestion: (id: string, question: NewQuestion) =>
    request<Question>('POST', `/api/programs/${seg(id)}/questions`, { json: question }),
  deleteQuestion: (id: string, questionId: string) =>
    request<void>('DELETE', `/api/programs/${seg(id)}/questions/${seg(questionId)}`),
  matchingSettings: (id: string) => request<MatchingSettings>('GET', `/api/programs/${seg(id)}/matching/settings`),
  updateMatchingSettings: (id: string, settings: MatchingSettings) =>
    request<MatchingSettings>('PUT', `/api/programs/${seg(id)}/matching/settings`, { json: settings }),
  /** What a round would propose, not stored; without weights the saved ones are used. */
  previewRound: (id: string, weights?: Weights) =>
    request<Round>('POST', `/api/programs/${seg(id)}/matching/preview`, { json: weights ? { weights } : {} }),
  runRound: (id: string, weights?: Weights) =>
    request<StoredRound>('POST', `/api/programs/${seg(id)}/matching/rounds`, { json: weights ? { weights } : {} }),
  /** Rounds, newest first. */
  rounds: (id: string, cursor?: string | null) =>
    request<Page<StoredRound>>('GET', `/api/programs/${seg(id)}/matching/rounds${query({ cursor })}`),
  /** Approves the proposals of the given mentees (all of them when `menteeIds` is omitted). */
  approveRound: (id: string, roundId: string, menteeIds?: string[]) =>
    request<StoredRound>('POST', `/api/programs/${seg(id)}/matching/rounds/${seg(roundId)}/approve`, {
      json: menteeIds ? { mentee_ids: menteeIds } : {},
    }),
  discardRound: (id: string, roundId: string) =>
    request<StoredRound>('POST', `/api/programs/${seg(id)}/matching/rounds/${seg(roundId)}/discard`),
  pairScore: (id: string, mentee: string, mentor: string) =>
    request<PairScore>('GET', `/api/programs/${seg(id)}/matching/score${query({ mentee, mentor })}`),
  placeMatch: (id: string, menteeId: string, mentorId: string) =>
    request<Match>('POST', `/api/programs/${seg(id)}/matching/matches`, {
      json: { mentee_id: menteeId, mentor_id: mentorId },
    }),
  programMatches: (id: string, status: MatchStatus | 'all', cursor?: string | null) =>
    request<Page<Match>>(
      'GET',
      `/api/programs/${seg(id)}/matching/matches${query({ status: status === 'all' ? undefined : status, cursor })}`,
    ),
  /** My matches, newest first. */
  myMatches: (cursor?: string | null) => request<Page<Match>>('GET', `/api/me/matches${query({ cursor })}`),
  respondToMatch: (matchId: string, accept: boolean, reason?: string) =>
    request<Match>('POST', `/api/matches/${seg(matchId)}/respond`, {
      json: reason ? { accept, reason } : { accept },
    }),
  rematch: (matchId: string, reason?: string) =>
    request<Match>('POST', `/api/matches/${seg(matchId)}/rematch`, { json: reason ? { reason } : {} }),
  /**
   * Asks the program's coordinators to get in touch about my active match: they see that I asked
   * and my note; the other person is not told. 409 while an earlier request is open.
   */
  askForSupport: (matchId: string, note?: string) =>
    request<void>('POST', `/api/matches/${seg(matchId)}/support`, { json: note ? { note } : {} }),

  // Safety (docs/safety.md).
  /** The people I blocked, a page at a time (ordered by id; `limit` 1–200, default 50). */
  blocks: (cursor?: string | null, limit?: number) =>
    request<Page<Block>>('GET', `/api/me/blocks${query({ cursor, limit })}`),
  /**
   * Blocks someone I share a program with: our conversation closes, calls and meetings stop, an
   * open match between us ends quietly. 409 when already blocked, 404 for someone I share no
   * program with, 422 for myself.
   */
  block: (userId: string) => request<Block>('POST', '/api/me/blocks', { json: { user_id: userId } }),
  /** Lifts my block (404 when there is none): contact returns, an ended match stays ended. */
  unblock: (userId: string) => request<void>('DELETE', `/api/me/blocks/${seg(userId)}`),

  /**
   * Reports a message, a person, a meeting or someone in an event to the program's coordinators,
   * who see copies of exactly the messages in `share`. 409 while the same report is open; 404
   * for something I cannot see; 422 with fields.
   */
  report: (input: ReportInput) => request<MyReport>('POST', '/api/reports', { json: input }),
  /** The reports I made, newest first, open or reviewed (never what was done). */
  myReports: (cursor?: string | null) => request<Page<MyReport>>('GET', `/api/me/reports${query({ cursor })}`),
  /** A program's moderation queue (coordinators): open reports, most severe first; `all`: closed too. */
  programReports: (id: string, all: boolean, cursor?: string | null) =>
    request<Page<Report>>('GET', `/api/programs/${seg(id)}/reports${query({ all: all ? 'true' : undefined, cursor })}`),
  /** One report of a program's (coordinators). */
  programReport: (id: string, reportId: string) =>
    request<Report>('GET', `/api/programs/${seg(id)}/reports/${seg(reportId)}`),
  /** Closes a report (coordinators): 409 when closed already, or to end a match that is not active. */
  closeReport: (id: string, reportId: string, closing: CloseReportInput) =>
    request<Report>('POST', `/api/programs/${seg(id)}/reports/${seg(reportId)}/close`, { json: closing }),

  // Moderation (coordinators; docs/safety.md). Every action takes a reason for the audit log.
  /** Locks (or unlocks) a group channel of more than two people: only coordinators post (409 otherwise). */
  lockChannel: (id: string, locked: boolean) =>
    request<Channel>('POST', `/api/channels/${seg(id)}/lock`, { json: { locked } }),
  /** Sets a group channel's slow mode: members post at most once in `seconds` (0 = off, up to 3600). */
  slowMode: (id: string, seconds: number) =>
    request<Channel>('POST', `/api/channels/${seg(id)}/slow-mode`, { json: { seconds } }),
  /** Takes someone out of a channel; they are told (`channel_removed`). */
  removeFromChannel: (id: string, userId: string, reason: string) =>
    request<void>('POST', `/api/channels/${seg(id)}/members/${seg(userId)}/remove`, { json: { reason } }),
  /** Mutes a member in the program's group channels for `minutes` (1 to 43,200). */
  mute: (id: string, userId: string, minutes: number, reason: string) =>
    request<Schemas['Mute']>('POST', `/api/programs/${seg(id)}/members/${seg(userId)}/mute`, { json: { minutes, reason } }),
  /** Lifts a mute early (404 when not muted). */
  unmute: (id: string, userId: string, reason: string) =>
    request<void>('POST', `/api/programs/${seg(id)}/members/${seg(userId)}/unmute`, { json: { reason } }),
  /** Suspends a member from the program (409 when suspended already, or a coordinator). */
  suspend: (id: string, userId: string, reason: string) =>
    request<void>('POST', `/api/programs/${seg(id)}/members/${seg(userId)}/suspend`, { json: { reason } }),
  /** Reinstates a suspended member (409 when not suspended). */
  reinstate: (id: string, userId: string, reason: string) =>
    request<void>('POST', `/api/programs/${seg(id)}/members/${seg(userId)}/reinstate`, { json: { reason } }),
  /** Takes someone out of a group event (not the host nor a coordinator). */
  removeFromEvent: (eventId: string, userId: string, reason: string) =>
    request<void>('POST', `/api/events/${seg(eventId)}/people/${seg(userId)}/remove`, { json: { reason } }),

  /** A program's code of conduct, and whether I must accept it. */
  conduct: (id: string) => request<Conduct>('GET', `/api/programs/${seg(id)}/conduct`),
  /** Sets a program's code of conduct (coordinators): a changed text is a new version. */
  saveConduct: (id: string, text: string) =>
    request<Conduct>('PUT', `/api/programs/${seg(id)}/conduct`, { json: { text } }),
  /** Accepts `version` of a program's code of conduct (409 when it is no longer the current one). */
  acceptConduct: (id: string, version: number) =>
    request<void>('POST', `/api/programs/${seg(id)}/conduct/accept`, { json: { version } }),
  /** The codes of conduct I have yet to accept, one per program. */
  myConduct: () => request<Page<PendingConduct>>('GET', '/api/me/conduct'),

  /** ICE servers (and short-lived TURN credentials) for my next call. */
  iceServers: () => request<IceConfig>('GET', '/api/calls/ice-servers'),
  /** The program's call records (coordinators). */
  programCalls: (id: string) => request<Page<CallSummary>>('GET', `/api/programs/${seg(id)}/calls`),

  // Scheduled meetings, calendars and check-ins.
  /** My meetings, soonest first. */
  myMeetings: () => request<Page<Meeting>>('GET', '/api/me/meetings'),
  /** Proposes a meeting to my match; a retry with the same client id returns the same meeting. */
  createMeeting: (meeting: NewMeeting) => request<Meeting>('POST', '/api/meetings', { json: meeting }),
  acceptMeeting: (id: string) => request<Meeting>('POST', `/api/meetings/${seg(id)}/accept`),
  proposeMeetingTime: (id: string, startsAt: string, durationMin?: number) =>
    request<Meeting>('POST', `/api/meetings/${seg(id)}/propose`, {
      json: durationMin === undefined ? { starts_at: startsAt } : { starts_at: startsAt, duration_min: durationMin },
    }),
  /** Declines (the invitee, before accepting) or cancels. */
  cancelMeeting: (id: string) => request<Meeting>('POST', `/api/meetings/${seg(id)}/cancel`),
  /** The address of a meeting's `.ics` file (a download link; the session cookie signs it in). */
  meetingIcsUrl: (id: string) => `/api/meetings/${seg(id)}/ics`,
  newCalendarFeed: () => request<CalendarFeed>('POST', '/api/me/calendar-feed'),
  pendingCheckins: () => request<PendingCheckins>('GET', '/api/me/checkins'),
  /** Rates a call, once; the answer may offer me (and only me) a coordinator's support. */
  checkin: (callId: string, rating: number, note: string) =>
    request<CheckinResult>('POST', `/api/calls/${seg(callId)}/checkin`, { json: { rating, note } }),
  /** The program's check-ins in aggregate (coordinators). */
  programCheckins: (id: string) => request<CheckinSummary>('GET', `/api/programs/${seg(id)}/checkins`),

  outbox: (cursor?: string | null) => request<Page<Mail>>('GET', `/api/admin/outbox${query({ cursor })}`),
};

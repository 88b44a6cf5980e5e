// One function per API endpoint, so pages never build URLs by hand.
import { query, request, requestWithStatus } from './client';
import type { Channel, ChannelKind, ChannelView, HistoryPage } from '../chat/protocol';
import type {
  ApiToken,
  CareerStage,
  CreatedToken,
  ImportResult,
  Invitation,
  InvitationPreview,
  InvitationStatus,
  Mail,
  Member,
  Page,
  Program,
  Role,
  Session,
  User,
} from './types';

const seg = encodeURIComponent;

export const api = {
  session: () => request<Session>('GET', '/api/auth/session'),
  login: (email: string, password: string) =>
    request<Session>('POST', '/api/auth/login', { json: { email, password } }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  logoutAll: () => request<void>('POST', '/api/auth/logout-all'),
  forgotPassword: (email: string) =>
    request<{ status: string }>('POST', '/api/auth/password/forgot', { json: { email } }),
  resetPassword: (token: string, password: string) =>
    request<void>('POST', '/api/auth/password/reset', { json: { token, password } }),

  invitation: (token: string) => request<InvitationPreview>('GET', `/api/invitations/${seg(token)}`),
  acceptInvitation: (token: string, password: string, name?: string) =>
    request<Session>('POST', `/api/invitations/${seg(token)}/accept`, {
      json: name === undefined ? { password } : { password, name },
    }),

  me: () => request<User>('GET', '/api/me'),
  updateMe: (patch: {
    name?: string;
    pronouns?: string | null;
    institution?: string | null;
    career_stage?: CareerStage | null;
    time_zone?: string | null;
  }) => request<User>('PATCH', '/api/me', { json: patch }),

  tokens: (cursor?: string | null) => request<Page<ApiToken>>('GET', `/api/me/tokens${query({ cursor })}`),
  createToken: (name: string) => request<CreatedToken>('POST', '/api/me/tokens', { json: { name } }),
  deleteToken: (id: string) => request<void>('DELETE', `/api/me/tokens/${seg(id)}`),

  programs: (cursor?: string | null) => request<Page<Program>>('GET', `/api/programs${query({ cursor })}`),
  createProgram: (program: {
    name: string;
    description: string;
    starts_on: string | null;
    ends_on: string | null;
  }) => request<Program>('POST', '/api/programs', { json: program }),
  program: (id: string) => request<Program>('GET', `/api/programs/${seg(id)}`),
  members: (id: string, cursor?: string | null) =>
    request<Page<Member>>('GET', `/api/programs/${seg(id)}/members${query({ cursor })}`),
  invitations: (id: string, status: InvitationStatus | 'all', cursor?: string | null) =>
    request<Page<Invitation>>(
      'GET',
      `/api/programs/${seg(id)}/invitations${query({ status: status === 'all' ? undefined : status, cursor })}`,
    ),
  invite: (id: string, invitation: { name: string; email: string; role: Role }) =>
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

  channels: () => request<Page<ChannelView>>('GET', '/api/channels'),
  channelMessages: (id: string, before: number | null, limit: number) =>
    request<HistoryPage>('GET', `/api/channels/${seg(id)}/messages${query({ before, limit })}`),
  /** Opens a channel; `created` is false when the pair already had one (HTTP 200, not 201). */
  createChannel: async (
    programId: string,
    channel: { kind: ChannelKind; name?: string; program_wide?: boolean; members?: string[] },
  ) => {
    const { status, data } = await requestWithStatus<Channel>('POST', `/api/programs/${seg(programId)}/channels`, {
      json: channel,
    });
    return { channel: data, created: status === 201 };
  },

  outbox: (cursor?: string | null) => request<Page<Mail>>('GET', `/api/admin/outbox${query({ cursor })}`),
};

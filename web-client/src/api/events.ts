// Group events (docs/events.md): panels and workshops a coordinator hosts for a program, with
// speakers, a capacity and RSVPs. Types and one function per endpoint, kept apart from
// endpoints.ts so that this part of the API reads as one piece. The types are the OpenAPI
// document's (types.ts says how).
import { query, request } from './client';
import type { components } from './schema';
import type { Page } from './types';

type Schemas = components['schemas'];

const seg = encodeURIComponent;

/** Who is invited: everyone in the program, one cohort, or the people listed. */
export type EventAudience = Schemas['EventAudience'];

export const EVENT_AUDIENCES: readonly { value: EventAudience; label: string }[] = [
  { value: 'program', label: 'Everyone in the program' },
  { value: 'cohort', label: 'One cohort' },
  { value: 'people', label: 'People I choose' },
];

/**
 * A group event as the person asking sees it: `my_rsvp` is my answer (null not answered),
 * `chat_channel` the event's chat channel shown beside the live room, and `ended_at` when the
 * host ended the live room (the event is over then), each null when unset.
 */
export type GroupEvent = Schemas['GroupEvent'];

export type NewEvent = Schemas['EventInput'];

export const eventsApi = {
  /** Events I am invited to (or speak at, or host) that have not ended, soonest first (paged). */
  mine: (cursor?: string | null) => request<Page<GroupEvent>>('GET', `/api/me/events${query({ cursor })}`),
  /** A program's events, latest start first (coordinators; paged). */
  ofProgram: (programId: string, cursor?: string | null) =>
    request<Page<GroupEvent>>('GET', `/api/programs/${seg(programId)}/events${query({ cursor })}`),
  get: (id: string) => request<GroupEvent>('GET', `/api/events/${seg(id)}`),
  /** Creates an event the caller hosts (a coordinator who is a member of the program). */
  create: (programId: string, event: NewEvent) =>
    request<GroupEvent>('POST', `/api/programs/${seg(programId)}/events`, { json: event }),
  /** Going or not; 409 when the event is full or cancelled. */
  rsvp: (id: string, going: boolean) => request<GroupEvent>('POST', `/api/events/${seg(id)}/rsvp`, { json: { going } }),
  /** Cancels the event (coordinators); 409 when it already is. */
  cancel: (id: string) => request<GroupEvent>('POST', `/api/events/${seg(id)}/cancel`),
  /** The address of the event's `.ics` file (a download link; the session cookie signs it in). */
  icsUrl: (id: string) => `/api/events/${seg(id)}/ics`,
};

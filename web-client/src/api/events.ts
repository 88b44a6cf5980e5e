// Group events (docs/events.md): panels and workshops a coordinator hosts for a program, with
// speakers, a capacity and RSVPs. Types and one function per endpoint, kept apart from
// endpoints.ts so that this part of the API reads as one piece. The types are the OpenAPI
// document's (types.ts says how), except where said.
import { request } from './client';
import type { components } from './schema';
import type { MatchPerson, Page } from './types';

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
 * A group event as the person asking sees it. Written out: the document's `GroupEvent` calls
 * my_rsvp optional; the server always sends it (and chat_channel and ended_at), null when unset.
 */
export interface GroupEvent {
  id: string;
  program_id: string;
  title: string;
  description: string;
  /** RFC 3339. */
  starts_at: string;
  duration_min: number;
  /** How many may say they are going. */
  capacity: number;
  /** How many said they are going. */
  going: number;
  audience: EventAudience;
  /** For `cohort` events. */
  cohort: string;
  status: Schemas['EventStatus'];
  host: MatchPerson;
  speakers: MatchPerson[];
  /** My answer: true going, false not going, null not answered. */
  my_rsvp: boolean | null;
  /**
   * The event's chat channel (its members are the people invited), shown beside the live room;
   * null when it has none. Optional only because servers before the live room leave it out.
   */
  chat_channel?: string | null;
  /** RFC 3339: when the host ended the live room (the event is over then); null before. */
  ended_at?: string | null;
}

export type NewEvent = Schemas['EventInput'];

export const eventsApi = {
  /** Events I am invited to (or speak at, or host) that have not ended, soonest first. */
  mine: () => request<Page<GroupEvent>>('GET', '/api/me/events'),
  /** A program's events, newest first (coordinators). */
  ofProgram: (programId: string) => request<Page<GroupEvent>>('GET', `/api/programs/${seg(programId)}/events`),
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

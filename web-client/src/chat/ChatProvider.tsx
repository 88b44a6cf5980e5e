// One chat connection per signed-in page, opened when someone is signed in and closed when they
// sign out (or another person signs in). Components read the chat state with `useChat`.
import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../api/client';
import { api } from '../api/endpoints';
import { blockKeys, conductKeys, programKeys, reportKeys, sessionKeys } from '../api/queryKeys';
import type { MyReport, Page } from '../api/types';
import { sessionLost, useSession } from '../session';
import { ChatClient, HISTORY_PAGE, socketUrl } from './client';
import { applyAlertFrame, applySurveyFrame } from './programData';
import { applyBlockUpdate } from './blocks';
import { applyReportFrame, ReportNotices } from './reports';
import { applyMatchUpdate } from './matches';
import { applyMeetingUpdate, MeetingNotices } from './meetings';
import { applyEventUpdate } from './events';
import { browserTimeZone } from '../lib/format';
import { preferredZone } from '../lib/zoned';
import { channelAvailability, INITIAL_STATE, type ChannelAvailability, type ChatState } from './state';

const ChatContext = createContext<ChatClient | null>(null);
const NoticesContext = createContext<MeetingNotices | null>(null);
const ReportNoticesContext = createContext<ReportNotices | null>(null);

/** How often at most the session is checked after the socket keeps failing to connect. */
const SESSION_CHECK_EVERY_MS = 30_000;

export function ChatProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const userId = user?.id ?? null;
  const lastCheck = useRef(0);
  // Read when a frame arrives, so that a new profile time zone needs no new connection.
  const zone = useRef('UTC');
  zone.current = preferredZone(user?.time_zone, browserTimeZone());

  const [client, setClient] = useState<ChatClient | null>(null);
  const [notices, setNotices] = useState<MeetingNotices | null>(null);
  const [reportNotices, setReportNotices] = useState<ReportNotices | null>(null);

  // Created in an effect (not during render) so that React's development double-run of
  // effects closes the first client and opens a second one, instead of reviving a closed one.
  useEffect(() => {
    if (!userId) return;
    const meetingNotices = new MeetingNotices();
    const reviewed = new ReportNotices();
    const next = new ChatClient({
      url: socketUrl(window.location),
      fetchHistory: (channel, before) => api.channelMessages(channel, before, HISTORY_PAGE),
      fetchChannels: (cursor) => api.channels(cursor),
      fetchChannel: (id) => api.channel(id),
      fetchMembers: (channel, ids) => api.channelMembersAmong(channel, ids).then((page) => page.items),
      describeError: errorMessage,
      onMatch: (match) => applyMatchUpdate(queryClient, match),
      onMeeting: (meeting, reminder) => {
        applyMeetingUpdate(queryClient, meeting);
        meetingNotices.onFrame(meeting, reminder, userId, zone.current);
      },
      onSurvey: () => applySurveyFrame(queryClient),
      onGroupEvent: (event, reminder) => {
        applyEventUpdate(queryClient, event);
        meetingNotices.onEventFrame(event, reminder, userId, zone.current);
      },
      onAlert: (alert) => applyAlertFrame(queryClient, alert),
      onBlock: (blocked, on) => applyBlockUpdate(queryClient, blocked, on),
      onReport: (frame) => {
        reviewed.onFrame(frame, queryClient.getQueryData<InfiniteData<Page<MyReport>>>(reportKeys.mine));
        applyReportFrame(queryClient, frame);
      },
      // Refused until I accept a program's code of conduct: the prompt (Layout) shows it.
      onConductRequired: () => void queryClient.invalidateQueries({ queryKey: conductKeys.mine }),
      onWelcome: (resumed) => {
        // A `block` frame from another device of mine may have been missed while disconnected.
        if (resumed) void queryClient.invalidateQueries({ queryKey: blockKeys.mine });
        // A reconnect may follow a change of my access (4012: suspended from a program, or
        // reinstated): the programs I am in are read again.
        if (resumed) void queryClient.invalidateQueries({ queryKey: programKeys.list });
      },
      onConnectFailures: (count) => {
        // The upgrade of an expired session is refused with 401, which a WebSocket only sees
        // as a failed connection: ask the API whether we are still signed in.
        const now = Date.now();
        if (count < 2 || now - lastCheck.current < SESSION_CHECK_EVERY_MS) return;
        lastCheck.current = now;
        api.session().catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 401) {
            sessionLost();
            queryClient.setQueryData(sessionKeys.current, null);
          }
        });
      },
    });
    next.start();
    setClient(next);
    setNotices(meetingNotices);
    setReportNotices(reviewed);
    return () => {
      next.dispose();
      setClient((current) => (current === next ? null : current));
      setNotices((current) => (current === meetingNotices ? null : current));
      setReportNotices((current) => (current === reviewed ? null : current));
    };
  }, [userId, queryClient]);

  return (
    <ChatContext.Provider value={client}>
      <NoticesContext.Provider value={notices}>
        <ReportNoticesContext.Provider value={reportNotices}>{children}</ReportNoticesContext.Provider>
      </NoticesContext.Provider>
    </ChatContext.Provider>
  );
}

const NO_NOTICES: readonly never[] = [];

function noNotices() {
  return NO_NOTICES;
}

/** The meeting notices raised by live frames (reminders, the other person's answers), and their store. */
export function useMeetingNotices() {
  const store = useContext(NoticesContext);
  const notices = useSyncExternalStore(store?.subscribe ?? noSubscription, store?.getSnapshot ?? noNotices);
  return { store, notices };
}

const NO_REPORT_NOTICES: readonly never[] = [];

function noReportNotices() {
  return NO_REPORT_NOTICES;
}

/** The notices raised by `report` frames (one of my reports was reviewed), and their store. */
export function useReportNotices() {
  const store = useContext(ReportNoticesContext);
  const notices = useSyncExternalStore(store?.subscribe ?? noSubscription, store?.getSnapshot ?? noReportNotices);
  return { store, notices };
}

function noSubscription(): () => void {
  return () => {};
}

function initialState(): ChatState {
  return INITIAL_STATE;
}

/** The chat client and its current state (null client when nobody is signed in). */
export function useChat(): { client: ChatClient | null; state: ChatState } {
  const client = useContext(ChatContext);
  const state = useSyncExternalStore(client?.subscribe ?? noSubscription, client?.getState ?? initialState);
  return { client, state };
}

/**
 * The channel `id` for a page that shows one (a link to a conversation, an event's chat): after
 * the welcome, one that is not among the loaded channels is fetched by id. Null `id`: none.
 */
export function useChannel(client: ChatClient | null, state: ChatState, id: string | null): ChannelAvailability {
  const found = id ? channelAvailability(state, id) : ({ status: 'loading' } as const);
  const missing = found.status !== 'ready';
  useEffect(() => {
    if (client && id && state.welcomed && missing) void client.ensureChannel(id);
  }, [client, id, state.welcomed, missing]);
  return found;
}

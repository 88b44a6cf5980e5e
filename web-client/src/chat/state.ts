// Everything the chat UI shows, as one immutable value, and the pure functions that move it
// forward for each server frame or local action. The ChatClient (client.ts) owns the socket
// and the timers and feeds this; components only read it.

import * as L from './log';
import * as M from './messages';
import * as P from './pending';
import { SYSTEM_USER_ID } from './protocol';
import type {
  AckFrame,
  CaughtUpFrame,
  ChannelKind,
  ChannelMemberView,
  ChannelView,
  ChatEvent,
  EventFrame,
  PresenceState,
  ReadFrame,
  SyncedFrame,
  UnreadFrame,
  WelcomeFrame,
} from './protocol';

/**
 * A channel of at most this many members carries its member list and read receipts; a larger one
 * carries `member_count`, and the names of the people it shows are fetched by id.
 */
export const MEMBER_LIST_UP_TO = 50;

/** How long "… is typing" shows after a typing frame. */
export const TYPING_SHOW_MS = 6000;

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface HistoryState {
  /** The first (newest) page has been merged. */
  readonly loaded: boolean;
  /** `before` for the next older page; null at the beginning of the channel. */
  readonly nextBefore: number | null;
  readonly loading: boolean;
  readonly error: string | null;
}

export interface ChannelState {
  readonly id: string;
  readonly programId: string;
  readonly kind: ChannelKind;
  readonly name: string;
  readonly programWide: boolean;
  readonly createdAt: string;
  readonly canPost: boolean;
  /** A coordinator locked it: only coordinators post (docs/safety.md). */
  readonly locked: boolean;
  /** Slow mode: members who are not coordinators post at most once in this many seconds (0: off). */
  readonly slowModeS: number;
  /** How many members the channel has. */
  readonly memberCount: number;
  /**
   * Every member of a channel of at most MEMBER_LIST_UP_TO members; of a larger one, only those
   * fetched by id (the senders on screen).
   */
  readonly members: readonly ChannelMemberView[];
  /** My read position. */
  readonly lastReadSeq: number;
  /** Messages from others after my read position that are not deleted. */
  readonly unread: number;
  /** The server's `unread` counted everything up to this seq; later messages are counted here. */
  readonly unreadAsOf: number;
  /** Seqs of messages counted here (after unreadAsOf), so a delete can uncount them. */
  readonly counted: readonly number[];
  readonly log: L.LogState;
  readonly messages: M.Messages;
  readonly history: HistoryState;
  /** Who is typing: user id → until when (ms). */
  readonly typing: Readonly<Record<string, number>>;
  /**
   * Time of the latest message seen (the server's `last_activity_at`, or a later message that
   * arrived here), or the channel's creation: for ordering the list.
   */
  readonly lastActivity: string;
}

/** A channel asked for by id (GET /api/channels/{id}) that is not loaded. */
export type ChannelLookup =
  | { readonly status: 'loading' }
  /** 404: it does not exist, or I am not in it. */
  | { readonly status: 'not_found' }
  | { readonly status: 'failed'; readonly error: string };

export interface ChatState {
  readonly userId: string | null;
  readonly status: ConnectionStatus;
  /** A welcome has arrived on this page (channels are known). */
  readonly welcomed: boolean;
  /** Between welcome and caught_up: catch-up events are streaming, gaps are expected. */
  readonly catchingUp: boolean;
  /**
   * The channels this page has loaded: the welcome's first page (the most recently active), the
   * pages loaded after it ("show older") and those fetched by id (opened by link, or with a
   * live event). Other channels of mine exist on the server: everything that reads or sums
   * channels covers only these.
   */
  readonly channels: Readonly<Record<string, ChannelState>>;
  /** `cursor` of the next page of channels (GET /api/channels); null when none is left. */
  readonly channelsNext: string | null;
  /** A page of channels is being fetched. */
  readonly channelsLoading: boolean;
  /** Why the last page of channels could not be fetched; null when it could (or none was asked for). */
  readonly channelsError: string | null;
  /** Channels asked for by id that are not loaded (loading, not found or failed), by id. */
  readonly lookups: Readonly<Record<string, ChannelLookup>>;
  /** Everyone sharing a channel who is not offline. */
  readonly presence: Readonly<Record<string, PresenceState>>;
  readonly pending: P.Pending;
  /**
   * Channels I was taken out of while this page had them (a coordinator's `channel_removed`, or
   * gone from a welcome after my access changed), by id: a page showing one says so.
   */
  readonly removed: Readonly<Record<string, true>>;
}

export const INITIAL_STATE: ChatState = {
  userId: null,
  status: 'connecting',
  welcomed: false,
  catchingUp: false,
  channels: {},
  channelsNext: null,
  channelsLoading: false,
  channelsError: null,
  lookups: {},
  presence: {},
  pending: [],
  removed: {},
};

const NO_HISTORY: HistoryState = { loaded: false, nextBefore: null, loading: false, error: null };

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** When the channel was last active: its latest message, or its creation (an older server says nothing). */
function activityOf(view: ChannelView): string {
  return view.last_activity_at || view.created_at;
}

/** What a view says about the channel itself, the same for every reader of it. */
function describedBy(view: ChannelView) {
  return {
    programId: view.program_id,
    kind: view.kind,
    name: view.name,
    programWide: view.program_wide,
    createdAt: view.created_at,
    canPost: view.can_post,
    locked: view.locked === true,
    slowModeS: view.slow_mode_s ?? 0,
    memberCount: view.member_count,
  };
}

/**
 * A channel from a view, keeping what this page already had of it (messages, history, typing);
 * its read position and unread count are the view's.
 */
function fromView(view: ChannelView, existing: ChannelState | undefined, now: number): ChannelState {
  const log = existing ? L.observe(existing.log, view.last_seq, now) : L.newLog(view.last_seq);
  return {
    id: view.id,
    ...describedBy(view),
    members: view.member_count > MEMBER_LIST_UP_TO && existing ? existing.members : view.members,
    lastReadSeq: view.last_read_seq,
    unread: view.unread,
    unreadAsOf: view.last_seq,
    counted: [],
    log,
    messages: existing?.messages ?? M.EMPTY_MESSAGES,
    history: existing?.history ?? NO_HISTORY,
    typing: existing?.typing ?? {},
    lastActivity: existing ? later(existing.lastActivity, activityOf(view)) : activityOf(view),
  };
}

/**
 * A channel this page already has, from a view fetched over HTTP while live frames kept it up
 * to date: the view may be older than what the page applied, so the page's unread count stays,
 * unless the view knows of a later read position (read elsewhere) than the page.
 */
function refreshed(existing: ChannelState, view: ChannelView, now: number): ChannelState {
  const large = view.member_count > MEMBER_LIST_UP_TO;
  const members = large
    ? existing.members
    : view.members.map((m) => {
        const known = existing.members.find((e) => e.user_id === m.user_id);
        return known && known.last_read_seq > m.last_read_seq ? { ...m, last_read_seq: known.last_read_seq } : m;
      });
  const log = L.observe(existing.log, view.last_seq, now);
  const next: ChannelState = {
    ...existing,
    ...describedBy(view),
    members,
    log,
    lastActivity: later(existing.lastActivity, activityOf(view)),
  };
  return view.last_read_seq > existing.lastReadSeq
    ? readUpTo(next, view.last_read_seq, view.unread, view.last_seq)
    : next;
}

/**
 * My read position moved to `lastRead` (here or elsewhere), with the server's new count of the
 * messages up to `covered`; later ones this page counted stay counted.
 */
function readUpTo(c: ChannelState, lastRead: number, unread: number, covered: number): ChannelState {
  const asOf = Math.max(covered, lastRead);
  const counted = c.counted.filter((s) => s > asOf);
  return {
    ...c,
    lastReadSeq: Math.max(c.lastReadSeq, lastRead),
    unread: unread + counted.length,
    unreadAsOf: asOf,
    counted,
  };
}

function withoutLookups(
  lookups: Readonly<Record<string, ChannelLookup>>,
  ids: readonly string[],
): Readonly<Record<string, ChannelLookup>> {
  if (!ids.some((id) => lookups[id] !== undefined)) return lookups;
  const out = { ...lookups };
  for (const id of ids) delete out[id];
  return out;
}

function setChannel(state: ChatState, channel: ChannelState): ChatState {
  return { ...state, channels: { ...state.channels, [channel.id]: channel } };
}

function mapChannel(state: ChatState, id: string, f: (c: ChannelState) => ChannelState): ChatState {
  const channel = state.channels[id];
  if (!channel) return state;
  const next = f(channel);
  return next === channel ? state : setChannel(state, next);
}

/**
 * A welcome: its channels (the first page, the most recently active) are built from their views;
 * the channels this page loaded besides (older pages, fetched by id) stay, as memberships are
 * never taken away. The next page starts after the welcome's.
 */
export function onWelcome(state: ChatState, frame: WelcomeFrame, now: number): ChatState {
  const channels: Record<string, ChannelState> = { ...state.channels };
  const views = frame.channels ?? [];
  for (const view of views) channels[view.id] = fromView(view, state.channels[view.id], now);
  // A welcome that holds every channel of mine says which I am no longer in (taken out, or
  // suspended from their program while disconnected, or on the 4012 that said my access changed).
  let removed = state.removed;
  if ((frame.channels_next ?? null) === null && state.welcomed) {
    const listed = new Set(views.map((v) => v.id));
    for (const id of Object.keys(channels)) {
      if (listed.has(id)) continue;
      delete channels[id];
      removed = { ...removed, [id]: true };
    }
  }
  let pending = state.pending;
  for (const op of pending) {
    if (!channels[op.channel]) pending = P.channelGone(pending, op.channel, 'You are no longer in this conversation.');
  }
  return {
    ...state,
    userId: frame.user_id,
    status: 'connected',
    welcomed: true,
    catchingUp: true,
    channels,
    channelsNext: frame.channels_next ?? null,
    channelsError: null,
    lookups: withoutLookups(
      state.lookups,
      views.map((v) => v.id),
    ),
    presence: { ...frame.presence },
    pending,
    removed,
  };
}

function withoutRemoved(removed: Readonly<Record<string, true>>, ids: readonly string[]): Readonly<Record<string, true>> {
  if (!ids.some((id) => removed[id])) return removed;
  const out = { ...removed };
  for (const id of ids) delete out[id];
  return out;
}

export function onChannelAdded(state: ChatState, view: ChannelView, now: number): ChatState {
  const next = setChannel(state, fromView(view, state.channels[view.id], now));
  return { ...next, lookups: withoutLookups(state.lookups, [view.id]), removed: withoutRemoved(state.removed, [view.id]) };
}

/**
 * I am no longer in a channel (a coordinator took me out: `channel_removed`; or its view answered
 * 404): it leaves the list, writes to it fail, and a page showing it says so.
 */
export function onChannelRemoved(state: ChatState, id: string): ChatState {
  if (!state.channels[id] && state.removed[id]) return state;
  const channels = { ...state.channels };
  delete channels[id];
  return {
    ...state,
    channels,
    removed: { ...state.removed, [id]: true },
    lookups: withoutLookups(state.lookups, [id]),
    pending: P.channelGone(state.pending, id, 'You are no longer in this channel.'),
  };
}

/**
 * Views fetched over HTTP join the channels: new ones are built from their views, known ones
 * (pages shift while messages arrive, so a channel can come twice) keep what this page has.
 */
function mergeViews(state: ChatState, views: readonly ChannelView[], now: number): ChatState {
  if (views.length === 0) return state;
  const channels: Record<string, ChannelState> = { ...state.channels };
  for (const view of views) {
    const existing = channels[view.id];
    channels[view.id] = existing ? refreshed(existing, view, now) : fromView(view, undefined, now);
  }
  const ids = views.map((v) => v.id);
  return {
    ...state,
    channels,
    lookups: withoutLookups(state.lookups, ids),
    removed: withoutRemoved(state.removed, ids),
  };
}

export function onChannelsLoadStart(state: ChatState): ChatState {
  return state.channelsLoading && state.channelsError === null
    ? state
    : { ...state, channelsLoading: true, channelsError: null };
}

/** A page of GET /api/channels arrived; `next` is its `next_cursor`. */
export function onChannelsPage(state: ChatState, views: readonly ChannelView[], next: string | null, now: number): ChatState {
  return { ...mergeViews(state, views, now), channelsNext: next, channelsLoading: false, channelsError: null };
}

export function onChannelsLoadFailed(state: ChatState, error: string): ChatState {
  return { ...state, channelsLoading: false, channelsError: error };
}

/** A channel is being fetched by id. */
export function onChannelLookupStart(state: ChatState, id: string): ChatState {
  if (state.channels[id] || state.lookups[id]?.status === 'loading') return state;
  return { ...state, lookups: { ...state.lookups, [id]: { status: 'loading' } } };
}

/** A channel fetched by id (GET /api/channels/{id}) joins the channels (or refreshes a known one). */
export function onChannelFetched(state: ChatState, view: ChannelView, now: number): ChatState {
  return mergeViews(state, [view], now);
}

/** Fetching a channel by id failed: `error` null for 404 (not there, or I am not in it). */
export function onChannelLookupFailed(state: ChatState, id: string, error: string | null): ChatState {
  if (state.channels[id]) return { ...state, lookups: withoutLookups(state.lookups, [id]) };
  const lookup: ChannelLookup = error === null ? { status: 'not_found' } : { status: 'failed', error };
  return { ...state, lookups: { ...state.lookups, [id]: lookup } };
}

/** Applies one event already in order to a channel (messages, unread count, typing). */
function applyOne(channel: ChannelState, event: EventFrame | ChatEvent, me: string | null): ChannelState {
  let { unread, counted, typing } = channel;
  if (event.kind === 'message') {
    if (
      event.sender_id !== me &&
      !event.deleted_at &&
      event.seq > channel.lastReadSeq &&
      event.seq > channel.unreadAsOf &&
      !counted.includes(event.seq)
    ) {
      unread += 1;
      counted = [...counted, event.seq];
    }
    if (typing[event.sender_id] !== undefined) {
      const rest = { ...typing };
      delete rest[event.sender_id];
      typing = rest;
    }
  } else if (event.kind === 'delete') {
    const target = event.target_seq ?? ('message' in event ? event.message?.seq : undefined) ?? null;
    if (target !== null) {
      if (counted.includes(target)) {
        unread = Math.max(0, unread - 1);
        counted = counted.filter((s) => s !== target);
      } else {
        const before = channel.messages.bySeq.get(target);
        if (
          before &&
          !before.deleted_at &&
          before.sender_id !== me &&
          target > channel.lastReadSeq &&
          target <= channel.unreadAsOf
        ) {
          unread = Math.max(0, unread - 1);
        }
      }
    }
  }
  return {
    ...channel,
    unread,
    counted,
    typing,
    messages: M.applyEvent(channel.messages, event),
    lastActivity: event.kind === 'message' ? later(channel.lastActivity, event.created_at) : channel.lastActivity,
  };
}

export function onEvent(state: ChatState, frame: EventFrame, now: number): ChatState {
  const channel = state.channels[frame.channel_id];
  if (!channel) return state;
  const { log, ready, duplicate } = L.receive(channel.log, frame, now);
  if (duplicate) return state;
  let next: ChannelState = { ...channel, log };
  let pending = state.pending;
  for (const event of ready) {
    next = applyOne(next, event, state.userId);
    if (event.sender_id === state.userId) pending = P.eventApplied(pending, event.client_id);
  }
  pending = P.channelApplied(pending, channel.id, log.applied);
  return { ...setChannel(state, next), pending };
}

/**
 * The server says where a channel's log ends. Normally that only raises what is known; a log
 * that ends before what this page applied (the server's data was restored from a backup)
 * cannot be resumed, so the page starts that channel again from the server's position.
 */
function reachedEnd(c: ChannelState, last: number, now: number): ChannelState {
  if (Number.isInteger(last) && last < c.log.applied) {
    const bySeq = new Map([...c.messages.bySeq].filter(([seq]) => seq <= last));
    return { ...c, log: L.newLog(last), messages: { bySeq, patches: new Map() }, counted: [] };
  }
  const log = L.observe(c.log, last, now);
  return log === c.log ? c : { ...c, log };
}

export function onCaughtUp(state: ChatState, frame: CaughtUpFrame, now: number): ChatState {
  let out: ChatState = { ...state, catchingUp: false };
  for (const [id, seq] of Object.entries(frame.last_seq ?? {})) {
    out = mapChannel(out, id, (c) => reachedEnd(c, seq, now));
  }
  return out;
}

/** No `caught_up` came (the server could not finish the catch-up): gaps are synced again. */
export function catchUpOver(state: ChatState): ChatState {
  return state.catchingUp ? { ...state, catchingUp: false } : state;
}

export function onSynced(state: ChatState, frame: SyncedFrame, now: number): ChatState {
  return mapChannel(state, frame.channel, (c) => reachedEnd(c, frame.last_seq, now));
}

export function onAck(state: ChatState, frame: AckFrame, now: number): ChatState {
  const channel = state.channels[frame.channel];
  const applied = channel?.log.applied ?? 0;
  const pending = P.acknowledge(state.pending, frame.client_id, frame.seq, applied);
  let out: ChatState = pending === state.pending ? state : { ...state, pending };
  out = mapChannel(out, frame.channel, (c) => {
    const log = L.observe(c.log, frame.seq, now);
    return log === c.log ? c : { ...c, log };
  });
  return out;
}

function withMemberRead(members: readonly ChannelMemberView[], userId: string, seq: number): readonly ChannelMemberView[] {
  let changed = false;
  const out = members.map((m) => {
    if (m.user_id !== userId || m.last_read_seq >= seq) return m;
    changed = true;
    return { ...m, last_read_seq: seq };
  });
  return changed ? out : members;
}

export function onRead(state: ChatState, frame: ReadFrame): ChatState {
  return mapChannel(state, frame.channel, (c) => {
    const members = withMemberRead(c.members, frame.user_id, frame.seq);
    return members === c.members ? c : { ...c, members };
  });
}

export function onUnread(state: ChatState, frame: UnreadFrame): ChatState {
  return mapChannel(state, frame.channel, (c) => {
    const next = readUpTo(c, frame.last_read_seq, frame.unread, c.log.applied);
    return {
      ...next,
      members: state.userId ? withMemberRead(c.members, state.userId, frame.last_read_seq) : c.members,
    };
  });
}

export function onTyping(state: ChatState, channel: string, userId: string, now: number): ChatState {
  if (userId === state.userId) return state;
  return mapChannel(state, channel, (c) => ({ ...c, typing: { ...c.typing, [userId]: now + TYPING_SHOW_MS } }));
}

export function onPresence(state: ChatState, userId: string, presence: PresenceState): ChatState {
  if (state.presence[userId] === presence) return state;
  return { ...state, presence: { ...state.presence, [userId]: presence } };
}

/**
 * The loaded conversations of just me and `userId` (our pair channel, a coordinator's follow-up
 * with one person): the channels a block between us closes to new messages (docs/safety.md).
 */
export function conversationsWith(state: ChatState, userId: string): string[] {
  if (userId === state.userId || userId === SYSTEM_USER_ID) return [];
  return Object.values(state.channels)
    .filter((c) => c.memberCount === 2 && c.members.some((m) => m.user_id === userId))
    .map((c) => c.id);
}

/**
 * Those of our conversations that are closed to my posts: when something says contact with
 * `userId` may have come back (their presence, after a lifted block), their views are read again.
 * Announcement channels are read-only for other reasons.
 */
export function closedConversationsWith(state: ChatState, userId: string): string[] {
  return conversationsWith(state, userId).filter((id) => {
    const c = state.channels[id];
    return c !== undefined && !c.canPost && c.kind !== 'announcement';
  });
}

/**
 * I blocked `userId` (`blocked`), or lifted my block, on this device or another (a `block`
 * frame). A block closes our conversations at once; lifting it changes nothing here, as only the
 * server knows whether they reopen (the other person may have blocked me too): the client reads
 * their views again either way.
 */
export function onBlock(state: ChatState, userId: string, blocked: boolean): ChatState {
  if (!blocked) return state;
  let out = state;
  for (const id of conversationsWith(state, userId)) {
    out = mapChannel(out, id, (c) => (c.canPost ? { ...c, canPost: false } : c));
  }
  return out;
}

/**
 * The server refused the write with `ref` (an `error` frame). `read_only` also says that the
 * channel is closed to my posts now, which this page may not have been told (someone blocked
 * me, or I them, and the channel was loaded before): the composer gives way to the closed note.
 */
export function onWriteRefused(state: ChatState, ref: string, code: string, message: string, now: number): ChatState {
  const op = state.pending.find((p) => p.ref === ref && p.status === 'sent');
  let out = withPending(state, P.refused(state.pending, ref, code, message, now));
  if (op && code === 'read_only') out = mapChannel(out, op.channel, (c) => (c.canPost ? { ...c, canPost: false } : c));
  return out;
}

/** Drops typing indicators that ran out; returns the same state when none did. */
export function expireTyping(state: ChatState, now: number): ChatState {
  let out = state;
  for (const channel of Object.values(state.channels)) {
    const entries = Object.entries(channel.typing);
    const live = entries.filter(([, until]) => until > now);
    if (live.length !== entries.length) {
      out = mapChannel(out, channel.id, (c) => ({ ...c, typing: Object.fromEntries(live) }));
    }
  }
  return out;
}

/** The earliest time a typing indicator runs out, if any shows. */
export function nextTypingExpiry(state: ChatState): number | null {
  let next: number | null = null;
  for (const channel of Object.values(state.channels)) {
    for (const until of Object.values(channel.typing)) if (next === null || until < next) next = until;
  }
  return next;
}

export function onHistoryStart(state: ChatState, channel: string): ChatState {
  return mapChannel(state, channel, (c) => ({ ...c, history: { ...c.history, loading: true, error: null } }));
}

export function onHistoryPage(
  state: ChatState,
  channel: string,
  items: readonly ChatEvent[],
  nextBefore: number | null,
  now: number,
): ChatState {
  return mapChannel(state, channel, (c) => {
    const newest = items.reduce((max, e) => Math.max(max, e.seq), 0);
    const latest = items.reduce((t, e) => later(t, e.created_at), c.lastActivity);
    return {
      ...c,
      messages: M.applyHistory(c.messages, items),
      // A message in history that the log has not reached: its event is on its way (or lost,
      // and the gap check will sync).
      log: L.observe(c.log, newest, now),
      lastActivity: latest,
      history: { loaded: true, nextBefore, loading: false, error: null },
    };
  });
}

export function onHistoryFailed(state: ChatState, channel: string, error: string): ChatState {
  return mapChannel(state, channel, (c) => ({ ...c, history: { ...c.history, loading: false, error } }));
}

/** Channels whose gap has been open long enough for a sync (never while catching up). */
export function channelsNeedingSync(state: ChatState, now: number): string[] {
  if (state.catchingUp || state.status !== 'connected') return [];
  return Object.values(state.channels)
    .filter((c) => L.needsSync(c.log, now))
    .map((c) => c.id);
}

export function onSyncSent(state: ChatState, channel: string, now: number): ChatState {
  return mapChannel(state, channel, (c) => {
    const log = L.syncSent(c.log, now);
    return log === c.log ? c : { ...c, log };
  });
}

/** The positions to resume from in `hello`: every channel this page has loaded. */
export function resumePositions(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of Object.values(state.channels)) out[c.id] = c.log.applied;
  return out;
}

export function withPending(state: ChatState, pending: P.Pending): ChatState {
  return pending === state.pending ? state : { ...state, pending };
}

export function withStatus(state: ChatState, status: ConnectionStatus): ChatState {
  if (status === state.status) return state;
  // Writes sent on a connection that is gone go again on the next one.
  const pending = status === 'connected' ? state.pending : P.connectionLost(state.pending);
  return { ...state, status, catchingUp: status === 'connected' && state.catchingUp, pending };
}

// Derived values for the UI.

/** Members of a large channel fetched by id join what this page knows of its members. */
export function onMembers(state: ChatState, channel: string, fetched: readonly ChannelMemberView[]): ChatState {
  return mapChannel(state, channel, (c) => {
    const known = new Set(c.members.map((m) => m.user_id));
    const fresh = fetched.filter((m) => !known.has(m.user_id));
    return fresh.length === 0 ? c : { ...c, members: [...c.members, ...fresh] };
  });
}

/**
 * Senders and typists of a channel whose names this page does not know: in a channel too large
 * to carry its members, the ids to fetch.
 */
export function unknownPeople(channel: ChannelState, now: number): string[] {
  if (channel.memberCount <= MEMBER_LIST_UP_TO) return [];
  const known = new Set(channel.members.map((m) => m.user_id));
  const ids = new Set<string>();
  for (const m of channel.messages.bySeq.values()) ids.add(m.sender_id);
  for (const [id, until] of Object.entries(channel.typing)) if (until > now) ids.add(id);
  return [...ids].filter((id) => id !== SYSTEM_USER_ID && !known.has(id));
}

/** The other member of a pair (or null). */
export function otherMember(channel: ChannelState, me: string | null): ChannelMemberView | null {
  if (channel.kind !== 'pair') return null;
  return channel.members.find((m) => m.user_id !== me) ?? null;
}

/** What a channel is called in lists: the other person for a pair, else the channel's name. */
export function channelTitle(channel: ChannelState, me: string | null): string {
  return otherMember(channel, me)?.name ?? channel.name;
}

export function memberName(channel: ChannelState, userId: string): string | null {
  if (userId === SYSTEM_USER_ID) return 'Kindred';
  return channel.members.find((m) => m.user_id === userId)?.name ?? null;
}

/** Names of people typing in a channel now. */
export function typingNames(channel: ChannelState, now: number): string[] {
  return Object.entries(channel.typing)
    .filter(([, until]) => until > now)
    .map(([id]) => memberName(channel, id) ?? 'Someone');
}

/** "Kwame is typing…", "Kwame and Nia are typing…", "Several people are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

/** Channels for the list: the most recently active first. */
export function sortedChannels(state: ChatState): ChannelState[] {
  return Object.values(state.channels).sort((a, b) => {
    const d = Date.parse(b.lastActivity) - Date.parse(a.lastActivity);
    return d !== 0 && !Number.isNaN(d) ? d : a.name.localeCompare(b.name);
  });
}

/** Where a channel asked for by id stands: loaded, being loaded, not mine (404), or failed. */
export type ChannelAvailability =
  | { readonly status: 'ready'; readonly channel: ChannelState }
  | { readonly status: 'loading' }
  /** `removed`: I was in it on this page, and was taken out (docs/safety.md). */
  | { readonly status: 'not_found'; readonly removed?: boolean }
  | { readonly status: 'failed'; readonly error: string };

/**
 * A channel by id for a page that shows one: loading until the welcome (which may hold it) and
 * while it is fetched by id (ChatClient.ensureChannel), which an unloaded one is.
 */
export function channelAvailability(state: ChatState, id: string): ChannelAvailability {
  const channel = state.channels[id];
  if (channel) return { status: 'ready', channel };
  if (state.removed[id]) return { status: 'not_found', removed: true };
  const lookup = state.welcomed ? state.lookups[id] : undefined;
  if (lookup?.status === 'not_found') return { status: 'not_found' };
  if (lookup?.status === 'failed') return { status: 'failed', error: lookup.error };
  return { status: 'loading' };
}

/** Unread messages in the loaded channels (the first page holds the most recently active). */
export function totalUnread(state: ChatState): number {
  return Object.values(state.channels).reduce((n, c) => n + c.unread, 0);
}

/**
 * Who has seen my latest message: the other members whose read position reached it. Null when
 * my latest message is not the last thing I sent that is stored (or there is none).
 */
export function seenBy(channel: ChannelState, me: string | null): { seq: number; names: string[] } | null {
  // A large channel has no read receipts.
  if (!me || channel.memberCount > MEMBER_LIST_UP_TO) return null;
  let mine: M.Message | null = null;
  for (const m of channel.messages.bySeq.values()) {
    if (m.sender_id === me && !m.deleted_at && (!mine || m.seq > mine.seq)) mine = m;
  }
  if (!mine) return null;
  const seq = mine.seq;
  const names = channel.members.filter((m) => m.user_id !== me && m.last_read_seq >= seq).map((m) => m.name);
  return { seq, names };
}

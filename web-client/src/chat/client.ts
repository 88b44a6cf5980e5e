// The chat connection of one signed-in page: one WebSocket to `/ws` speaking protocol v1
// (docs/protocol.md), kept open across drops by reconnecting with backoff and resuming from
// the last sequence number applied per channel. It owns the socket, the timers and the
// browser signals (online/offline, page visibility); what it learns goes into an immutable
// `ChatState` (state.ts) that React reads through `subscribe`/`getState`.
//
// Writes (send, edit, delete) are queued with a fresh client id and shown as pending; they go
// out when the connection is up and again after a reconnect with the same client id, so a
// lost acknowledgement can never make a duplicate.

import { ApiError } from '../api/client';
import type { Match, Meeting, Page } from '../api/types';
import type { Alert, SurveyInvitation } from '../api/programData';
import type { GroupEvent } from '../api/events';
import { isConductRefusal } from '../lib/conduct';
import { reconnectDelay } from './backoff';
import * as P from './pending';
import {
  isCallFrame,
  isRoomFrame,
  parseServerFrame,
  PROTOCOL_VERSION,
  type CallClientFrame,
  type CallServerFrame,
  type ChannelMemberView,
  type ChannelView,
  type ClientFrame,
  type EventFrame,
  type HistoryPage,
  type ReportFrame,
  type RoomClientFrame,
  type RoomServerFrame,
  type ServerFrame,
  type UnreadFrame,
} from './protocol';
import * as S from './state';

/** The part of a WebSocket the client uses (a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;

/** The outside world: sockets, time, randomness and the browser's signals. */
export interface ChatEnvironment {
  createSocket(url: string): SocketLike;
  now(): number;
  random(): number;
  newId(): string;
  isOnline(): boolean;
  isVisible(): boolean;
  /** Calls back on network and visibility changes; returns a function that stops it. */
  watch(onNetwork: (online: boolean) => void, onVisibility: (visible: boolean) => void): () => void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ChatClientOptions {
  /** The WebSocket URL (`ws://host/ws`). */
  url: string;
  /** One page of history, newest first (GET /api/channels/{id}/messages). */
  fetchHistory(channel: string, before: number | null): Promise<HistoryPage>;
  /**
   * The page of my channels after `cursor`, most recently active first (GET
   * /api/channels?cursor=…): the welcome holds only the first.
   */
  fetchChannels(cursor: string): Promise<Page<ChannelView>>;
  /** One of my channels (GET /api/channels/{id}); fails with a 404 ApiError when I am not in it. */
  fetchChannel(id: string): Promise<ChannelView>;
  /**
   * The members of a channel among `ids` (GET /api/channels/{id}/members?ids=…): names for the
   * people a channel too large to carry its members shows.
   */
  fetchMembers?(channel: string, ids: readonly string[]): Promise<readonly ChannelMemberView[]>;
  /** Turns a failure into text to show. */
  describeError?(error: unknown): string;
  /**
   * The connection failed `count` times in a row before a welcome (an expired session looks
   * like this, as the upgrade answers 401): a chance to check the session.
   */
  onConnectFailures?(count: number): void;
  /** A match of the signed-in person changed (a `match` frame). */
  onMatch?(match: Match): void;
  /** A meeting of the signed-in person changed, or (`reminder`) starts in 15 minutes. */
  onMeeting?(meeting: Meeting, reminder: boolean): void;
  /** A survey invitation of the signed-in person arrived (a `survey` frame). */
  onSurvey?(survey: SurveyInvitation): void;
  /** A group event of the signed-in person was cancelled, or (`reminder`) starts in 15 minutes. */
  onGroupEvent?(event: GroupEvent, reminder: boolean): void;
  /** A pair of a program the signed-in person coordinates is at risk (an `alert` frame). */
  onAlert?(alert: Alert): void;
  /**
   * The signed-in person blocked someone (`blocked`) or lifted a block, on any device of theirs
   * (a `block` frame): the list of people they blocked changed.
   */
  onBlock?(userId: string, blocked: boolean): void;
  /**
   * A report in a program the signed-in person coordinates arrived, or one of theirs was
   * reviewed (a `report` frame).
   */
  onReport?(frame: ReportFrame): void;
  /**
   * Something was refused until the person accepts a program's code of conduct: a message (the
   * `conduct_required` error), a call or entering an event's room (`forbidden`, in its words).
   */
  onConductRequired?(): void;
  /**
   * The connection is up (a welcome); `resumed` when it had been up before on this page, so that
   * frames may have been missed meanwhile.
   */
  onWelcome?(resumed: boolean): void;
  env?: Partial<ChatEnvironment>;
}

/** Who listens to the call frames on this connection (the call controller). */
export interface CallListener {
  /** A call frame from the server. */
  frame?(frame: CallServerFrame): void;
  /** The connection is up (a welcome); `resumed` when it had been up before on this page. */
  connected?(resumed: boolean): void;
}

/** Who listens to the group event room frames on this connection (the room controller). */
export interface RoomListener {
  frame?(frame: RoomServerFrame): void;
  /** The connection is up (a welcome); `resumed` when it had been up before on this page. */
  connected?(resumed: boolean): void;
}

/** How often timers are checked: gaps, retries, heartbeats, typing indicators. */
const TICK_MS = 500;
/** A connection that has not been welcomed after this long is given up and tried again. */
const CONNECT_TIMEOUT_MS = 15_000;
/** Gaps are not synced during a catch-up; if `caught_up` never comes, stop waiting for it. */
const CATCH_UP_TIMEOUT_MS = 15_000;
/** Typing frames are sent at most this often per channel (the server forwards one per 2 s). */
const TYPING_EVERY_MS = 2000;
/** Most names asked for in one request (the server's limit). */
const MAX_NAMES_ASKED = 100;
/** History page size. */
export const HISTORY_PAGE = 50;
/** Most frames of a channel being fetched by id kept to apply once it is there. */
const MAX_WAITING_FRAMES = 500;
/** A live frame asks again for a channel whose fetch failed at most this often. */
const LOOKUP_RETRY_MS = 5000;

/** A UUID v4: crypto.randomUUID where available (secure contexts), else from getRandomValues. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function browserEnvironment(): ChatEnvironment {
  return {
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    now: () => Date.now(),
    random: () => Math.random(),
    newId: newClientId,
    isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
    isVisible: () => typeof document === 'undefined' || document.visibilityState !== 'hidden',
    watch(onNetwork, onVisibility) {
      const online = () => onNetwork(true);
      const offline = () => onNetwork(false);
      const visibility = () => onVisibility(document.visibilityState !== 'hidden');
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      document.addEventListener('visibilitychange', visibility);
      return () => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
        document.removeEventListener('visibilitychange', visibility);
      };
    },
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    setInterval: (fn, ms) => window.setInterval(fn, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
  };
}

/** The WebSocket URL of this page's origin. */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export class ChatClient {
  private state: S.ChatState = S.INITIAL_STATE;
  private readonly listeners = new Set<() => void>();
  private readonly env: ChatEnvironment;
  private readonly options: ChatClientOptions;

  private socket: SocketLike | null = null;
  /** The current socket got its welcome: writes may go out. */
  private live = false;
  /** Reconnect attempts since the last working connection. */
  private attempt = 0;
  /** Connections that closed before a welcome, in a row. */
  private failures = 0;
  private reconnectTimer: unknown = null;
  private ticker: unknown = null;
  private unwatch: (() => void) | null = null;
  private started = false;
  private disposed = false;

  private heartbeatMs = 20_000;
  private connectStartedAt = 0;
  private welcomedAt = 0;
  private lastReceived = 0;
  private lastPing = 0;
  private refCounter = 0;
  private readonly typingSent = new Map<string, number>();
  /** Read positions sent on this connection, so one is not sent twice. */
  private readonly readSent = new Map<string, number>();
  /** Per channel, the people whose names were asked for (once each, on this page). */
  private readonly namesAsked = new Map<string, Set<string>>();
  private readonly callListeners = new Set<CallListener>();
  private readonly roomListeners = new Set<RoomListener>();
  /** Call frames that must not be lost (hang-ups, answers), waiting for the connection. */
  private callOutbox: CallClientFrame[] = [];
  /** Welcomes so far: a page of channels asked for before the latest one does not set the cursor. */
  private welcomes = 0;
  /** A page of channels is being fetched. */
  private channelsInFlight = false;
  /** Channels being fetched by id, each once at a time. */
  private readonly lookupsInFlight = new Map<string, Promise<void>>();
  /** Live frames of channels being fetched by id, applied once they are there. */
  private readonly waitingFrames = new Map<string, (EventFrame | UnreadFrame)[]>();
  /** When fetching a channel by id last failed, by id. */
  private readonly lookupFailedAt = new Map<string, number>();
  /** Loaded channels whose view is being read again, by id: true when asked again meanwhile. */
  private readonly refreshing = new Map<string, boolean>();

  constructor(options: ChatClientOptions) {
    this.options = options;
    this.env = { ...browserEnvironment(), ...options.env } as ChatEnvironment;
  }

  // Store interface for useSyncExternalStore.
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): S.ChatState => this.state;

  private setState(next: S.ChatState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.unwatch = this.env.watch(
      (online) => this.networkChanged(online),
      (visible) => this.visibilityChanged(visible),
    );
    this.ticker = this.env.setInterval(() => this.tick(), TICK_MS);
    this.connect();
  }

  /** Closes the connection for good (sign-out, or the page going away). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unwatch?.();
    if (this.ticker !== null) this.env.clearInterval(this.ticker);
    if (this.reconnectTimer !== null) this.env.clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = null;
    this.live = false;
    if (socket) this.detach(socket, 1000);
    this.listeners.clear();
    this.callListeners.clear();
    this.roomListeners.clear();
    this.callOutbox = [];
    this.lookupsInFlight.clear();
    this.waitingFrames.clear();
    this.refreshing.clear();
  }

  /** True when frames can be sent now. */
  get connected(): boolean {
    return this.live && this.socket !== null && this.socket.readyState === OPEN;
  }

  // Connection lifecycle.

  private connect(): void {
    if (this.disposed) return;
    if (this.reconnectTimer !== null) {
      this.env.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    if (this.socket) return;
    // Tried even when the browser says it is offline (it can be wrong); the online event
    // reconnects at once when it is right.
    this.setState(S.withStatus(this.state, this.waitingStatus()));
    this.connectStartedAt = this.env.now();
    let socket: SocketLike;
    try {
      socket = this.env.createSocket(this.options.url);
    } catch {
      this.closed(null);
      return;
    }
    this.socket = socket;
    this.live = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.lastReceived = this.env.now();
      this.write({ type: 'hello', v: PROTOCOL_VERSION, last_seq: S.resumePositions(this.state) });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastReceived = this.env.now();
      if (typeof event.data !== 'string') return;
      const frame = parseServerFrame(event.data);
      if (frame) this.handle(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.closed(event.code);
    };
    socket.onerror = () => {
      // A close event always follows.
    };
  }

  /** Stops listening to a socket and closes it without waiting for its close event. */
  private detach(socket: SocketLike, code?: number): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(code);
    } catch {
      // already closed
    }
  }

  /** Gives up on the current socket (dead heartbeat, network gone) and carries on as if closed. */
  private abandon(): void {
    const socket = this.socket;
    if (!socket) return;
    this.detach(socket, 1000);
    this.closed(null);
  }

  private closed(code: number | null): void {
    const wasLive = this.live;
    this.socket = null;
    this.live = false;
    this.readSent.clear();
    if (this.disposed) return;
    if (wasLive) {
      this.attempt = 0;
      this.failures = 0;
    } else {
      this.failures += 1;
      this.options.onConnectFailures?.(this.failures);
    }
    this.setState(S.withStatus(this.state, this.waitingStatus()));
    this.schedule(this.attempt, code);
  }

  /** What to show while not connected. */
  private waitingStatus(): S.ConnectionStatus {
    if (!this.env.isOnline()) return 'offline';
    return this.state.welcomed ? 'reconnecting' : 'connecting';
  }

  private schedule(attempt: number, code: number | null): void {
    if (this.disposed || this.reconnectTimer !== null) return;
    const delay = reconnectDelay(attempt, code, this.env.random());
    this.attempt = attempt + 1;
    this.reconnectTimer = this.env.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private networkChanged(online: boolean): void {
    if (this.disposed) return;
    if (online) {
      // An attempt started while offline would only fail (and back off): start afresh.
      if (this.socket && !this.live) {
        this.detach(this.socket);
        this.socket = null;
      }
      if (!this.socket) {
        this.attempt = 0;
        this.connect();
      }
    } else {
      // The socket cannot work without a network; drop it now rather than waiting for a
      // heartbeat to time out, and show the person that they are offline.
      if (this.socket) this.abandon();
      this.setState(S.withStatus(this.state, 'offline'));
    }
  }

  private visibilityChanged(visible: boolean): void {
    if (this.connected) this.write({ type: 'presence', state: visible ? 'online' : 'away' });
  }

  private write(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private nextRef(prefix: string): string {
    this.refCounter += 1;
    return `${prefix}${this.refCounter}`;
  }

  private tick(): void {
    if (this.disposed) return;
    const now = this.env.now();
    this.setState(S.expireTyping(this.state, now));
    if (this.socket && !this.live && now - this.connectStartedAt > CONNECT_TIMEOUT_MS) {
      this.abandon();
      return;
    }
    if (!this.connected) return;
    if (this.state.catchingUp && now - this.welcomedAt > CATCH_UP_TIMEOUT_MS) {
      this.setState(S.catchUpOver(this.state));
    }
    if (now - this.lastReceived > 3 * this.heartbeatMs) {
      // Nothing heard, not even a pong: the connection is dead without having closed.
      this.abandon();
      return;
    }
    if (now - this.lastPing >= this.heartbeatMs) {
      this.lastPing = now;
      this.write({ type: 'ping', ref: this.nextRef('p') });
    }
    for (const channel of S.channelsNeedingSync(this.state, now)) this.sync(channel, now);
    this.flush();
  }

  private sync(channel: string, now: number): void {
    const c = this.state.channels[channel];
    if (!c) return;
    if (this.write({ type: 'sync', ref: this.nextRef('y'), channel, after: c.log.applied })) {
      this.setState(S.onSyncSent(this.state, channel, now));
    }
  }

  /** Sends the writes that are due. */
  private flush(): void {
    if (!this.connected) return;
    const due = P.dueForSending(this.state.pending, this.env.now());
    if (due.length === 0) return;
    const sent: string[] = [];
    for (const op of due) {
      const frame: ClientFrame =
        op.kind === 'send'
          ? { type: 'send', ref: op.ref, channel: op.channel, client_id: op.client_id, body: op.body }
          : op.kind === 'edit'
            ? { type: 'edit', ref: op.ref, channel: op.channel, client_id: op.client_id, target: op.target ?? 0, body: op.body }
            : { type: 'delete', ref: op.ref, channel: op.channel, client_id: op.client_id, target: op.target ?? 0 };
      if (!this.write(frame)) break;
      sent.push(op.client_id);
    }
    this.setState(S.withPending(this.state, P.markSent(this.state.pending, sent)));
  }

  private handle(frame: ServerFrame): void {
    const now = this.env.now();
    if ((frame.type === 'call_error' || frame.type === 'room_error') && isConductRefusal(frame)) {
      this.options.onConductRequired?.();
    }
    if (isCallFrame(frame)) {
      for (const listener of [...this.callListeners]) listener.frame?.(frame);
      return;
    }
    if (isRoomFrame(frame)) {
      for (const listener of [...this.roomListeners]) listener.frame?.(frame);
      return;
    }
    switch (frame.type) {
      case 'welcome': {
        const resumed = this.state.welcomed;
        const before = Object.keys(this.state.channels);
        this.live = true;
        this.failures = 0;
        this.attempt = 0;
        this.heartbeatMs = frame.heartbeat_ms > 0 ? frame.heartbeat_ms : 20_000;
        this.lastPing = now;
        this.welcomedAt = now;
        this.welcomes += 1;
        this.setState(S.onWelcome(this.state, frame, now));
        // A welcome that does not hold every channel of mine cannot say which loaded ones I left
        // meanwhile (taken out, or suspended from their program): those it does not list are read
        // again, and a 404 drops them.
        if (resumed && frame.channels_next) {
          const listed = new Set((frame.channels ?? []).map((v) => v.id));
          for (const id of before) if (!listed.has(id)) this.refresh(id);
        }
        // The server counts a new connection as online.
        if (!this.env.isVisible()) this.write({ type: 'presence', state: 'away' });
        this.flush();
        const waiting = this.callOutbox;
        this.callOutbox = [];
        for (const call of waiting) this.sendCall(call, true);
        for (const listener of [...this.callListeners]) listener.connected?.(resumed);
        for (const listener of [...this.roomListeners]) listener.connected?.(resumed);
        this.options.onWelcome?.(resumed);
        break;
      }
      case 'event':
        if (this.state.channels[frame.channel_id]) this.setState(S.onEvent(this.state, frame, now));
        else this.unknownChannel(frame.channel_id, frame, true);
        break;
      case 'caught_up':
        this.setState(S.onCaughtUp(this.state, frame, now));
        break;
      case 'synced':
        this.setState(S.onSynced(this.state, frame, now));
        break;
      case 'ack':
        this.setState(S.onAck(this.state, frame, now));
        break;
      case 'read':
        this.setState(S.onRead(this.state, frame));
        break;
      case 'unread':
        // A channel not loaded: nothing shows its count (when loaded, it comes with it), unless
        // it is being fetched and the read happened after the server answered.
        if (this.state.channels[frame.channel]) this.setState(S.onUnread(this.state, frame));
        else this.unknownChannel(frame.channel, frame, false);
        break;
      case 'typing':
        this.setState(S.onTyping(this.state, frame.channel, frame.user_id, now));
        break;
      case 'presence':
        this.setState(S.onPresence(this.state, frame.user_id, frame.state));
        // Presence about someone whose conversation with me is closed: a block between us may
        // have been lifted (the server sends each the other's presence then). Nothing else tells
        // the person who was blocked.
        for (const id of S.closedConversationsWith(this.state, frame.user_id)) this.refresh(id);
        break;
      case 'channel_added':
        this.setState(S.onChannelAdded(this.state, frame.channel, now));
        // `channel_added` says nothing about the new members' presence, and they learn ours
        // only when it changes. Announcing it again (the protocol allows repeats) reaches
        // them now that the server counts us in the channel; they do the same for us.
        this.write({ type: 'presence', state: this.env.isVisible() ? 'online' : 'away' });
        break;
      case 'channel_removed':
        // A coordinator took me out: the channel goes, and a page showing it says so.
        this.waitingFrames.delete(frame.channel);
        this.setState(S.onChannelRemoved(this.state, frame.channel));
        break;
      case 'channel_changed':
        // Locked or unlocked: its view says what I may do now.
        this.refresh(frame.channel);
        break;
      case 'match':
        this.options.onMatch?.(frame.match);
        break;
      case 'meeting':
        this.options.onMeeting?.(frame.meeting, frame.reminder === true);
        break;
      case 'survey':
        this.options.onSurvey?.(frame.survey);
        break;
      case 'group_event':
        this.options.onGroupEvent?.(frame.event, frame.reminder === true);
        break;
      case 'alert':
        this.options.onAlert?.(frame.alert);
        break;
      case 'block': {
        // Our conversations close at once; their views, read again, say what the server decided
        // (after a lifted block, they reopen unless the other person blocked me too).
        const ids = S.conversationsWith(this.state, frame.user_id);
        this.setState(S.onBlock(this.state, frame.user_id, frame.blocked));
        for (const id of ids) this.refresh(id);
        this.options.onBlock?.(frame.user_id, frame.blocked);
        break;
      }
      case 'report':
        this.options.onReport?.(frame);
        break;
      case 'resync':
        for (const channel of Object.keys(this.state.channels)) this.sync(channel, now);
        break;
      case 'error':
        if (frame.code === 'conduct_required') this.options.onConductRequired?.();
        if (frame.ref) {
          const op = this.state.pending.find((p) => p.ref === frame.ref);
          this.setState(S.onWriteRefused(this.state, frame.ref, frame.code, frame.message, now));
          // Read-only now: locked by a coordinator, or closed by a block; its view says which.
          if (op && frame.code === 'read_only') this.refresh(op.channel);
        }
        break;
      case 'pong':
        break;
    }
  }

  // What the UI does.

  /** Listens to call frames and connections; returns a function that stops it. */
  addCallListener(listener: CallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /**
   * Sends a call frame now; false when the connection is not up. A `reliable` frame that cannot
   * go now is sent as soon as the connection is back (hang-ups and answers must not be lost;
   * descriptions and candidates are better made afresh).
   */
  sendCall(frame: CallClientFrame, reliable = false): boolean {
    if (this.connected && this.write(frame)) return true;
    if (reliable) this.callOutbox.push(frame);
    return false;
  }

  /** Listens to group event room frames and connections; returns a function that stops it. */
  addRoomListener(listener: RoomListener): () => void {
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }

  /**
   * Sends a room frame now; false when the connection is not up. Nothing waits for a reconnect:
   * a new connection is out of the room, and the room controller joins it again.
   */
  sendRoom(frame: RoomClientFrame): boolean {
    return this.connected && this.write(frame);
  }

  private queue(op: Omit<P.PendingOp, 'client_id' | 'ref' | 'status' | 'seq' | 'error' | 'retryAt' | 'created_at'>): string {
    const clientId = this.env.newId();
    const pending = P.addPending(this.state.pending, {
      ...op,
      client_id: clientId,
      ref: this.nextRef('w'),
      status: 'queued',
      seq: null,
      error: null,
      retryAt: 0,
      created_at: new Date(this.env.now()).toISOString(),
    });
    this.setState(S.withPending(this.state, pending));
    this.flush();
    return clientId;
  }

  /** Sends a message; returns its client id. It shows as pending until stored. */
  send(channel: string, body: string): string {
    return this.queue({ channel, kind: 'send', body, target: null });
  }

  edit(channel: string, target: number, body: string): string {
    return this.queue({ channel, kind: 'edit', body, target });
  }

  remove(channel: string, target: number): string {
    return this.queue({ channel, kind: 'delete', body: '', target });
  }

  /** Tries a failed write again, with the same client id. */
  retry(clientId: string): void {
    this.setState(S.withPending(this.state, P.retry(this.state.pending, clientId)));
    this.flush();
  }

  discard(clientId: string): void {
    this.setState(S.withPending(this.state, P.discard(this.state.pending, clientId)));
  }

  /**
   * Tells the other members that I am typing (at most every 2 s per channel); not in channels
   * larger than MEMBER_LIST_UP_TO, where the server shows no one typing (as no receipts).
   */
  typing(channel: string): void {
    const c = this.state.channels[channel];
    if (!this.connected || !c || c.memberCount > S.MEMBER_LIST_UP_TO) return;
    const now = this.env.now();
    const last = this.typingSent.get(channel);
    if (last !== undefined && now - last < TYPING_EVERY_MS) return;
    this.typingSent.set(channel, now);
    this.write({ type: 'typing', channel });
  }

  /** Marks everything applied in the channel as read, if that moves my read position. */
  markRead(channel: string): void {
    const c = this.state.channels[channel];
    if (!c || !this.connected) return;
    const seq = c.log.applied;
    if (seq <= c.lastReadSeq || (this.readSent.get(channel) ?? 0) >= seq) return;
    if (this.write({ type: 'read', ref: this.nextRef('r'), channel, seq })) this.readSent.set(channel, seq);
  }

  /**
   * In a channel too large to carry its members, fetches the names of the senders and typists it
   * shows that this page does not know yet (each person once, 100 at a time).
   */
  loadNames(channel: string): void {
    const c = this.state.channels[channel];
    const fetchMembers = this.options.fetchMembers;
    if (!c || !fetchMembers) return;
    const asked = this.namesAsked.get(channel) ?? new Set<string>();
    this.namesAsked.set(channel, asked);
    const ids = S.unknownPeople(c, this.env.now()).filter((id) => !asked.has(id)).slice(0, MAX_NAMES_ASKED);
    if (ids.length === 0) return;
    for (const id of ids) asked.add(id);
    fetchMembers(channel, ids).then(
      (members) => {
        if (!this.disposed) this.setState(S.onMembers(this.state, channel, members));
      },
      () => {
        // Asked again the next time the conversation changes.
        for (const id of ids) asked.delete(id);
      },
    );
  }

  /**
   * Loads the next page of channels after those loaded ("Show older conversations"); nothing
   * while one is loading or when none is left. A failure shows in `channelsError`; calling
   * again retries.
   */
  loadMoreChannels(): void {
    const cursor = this.state.channelsNext;
    if (this.disposed || this.channelsInFlight || cursor === null) return;
    this.channelsInFlight = true;
    this.setState(S.onChannelsLoadStart(this.state));
    this.fetchChannelPage(cursor, this.welcomes);
  }

  private fetchChannelPage(cursor: string, welcomes: number): void {
    this.options.fetchChannels(cursor).then(
      (page) => {
        if (this.disposed) return;
        // A welcome since the request started the pages over: its cursor stays.
        const stale = welcomes !== this.welcomes;
        const next = stale ? this.state.channelsNext : page.next_cursor;
        const fresh = page.items.some((v) => !this.state.channels[v.id]);
        this.setState(S.onChannelsPage(this.state, page.items, next, this.env.now()));
        // A page of channels that are all loaded already (after a reconnect, the pages start
        // over while older ones stay loaded) shows nothing new: go on to the next one.
        if (!stale && !fresh && next !== null && next !== cursor) {
          this.setState(S.onChannelsLoadStart(this.state));
          this.fetchChannelPage(next, welcomes);
          return;
        }
        this.channelsInFlight = false;
      },
      (error: unknown) => {
        if (this.disposed) return;
        this.channelsInFlight = false;
        const message = this.options.describeError?.(error) ?? 'Could not load more conversations.';
        this.setState(S.onChannelsLoadFailed(this.state, message));
      },
    );
  }

  /**
   * Makes sure a channel of mine is loaded: one that is not is fetched by id (once at a time;
   * concurrent calls share the request). A 404 is remembered (`lookups[id]` is `not_found`) and
   * not asked again unless `again`; a channel that arrives later (`channel_added`, a page) is
   * there all the same.
   */
  ensureChannel(id: string, again = false): Promise<void> {
    if (this.disposed || this.state.channels[id]) return Promise.resolve();
    const inFlight = this.lookupsInFlight.get(id);
    if (inFlight) return inFlight;
    if (!again && this.state.lookups[id]?.status === 'not_found') return Promise.resolve();
    this.lookupFailedAt.delete(id);
    this.setState(S.onChannelLookupStart(this.state, id));
    const done = this.options.fetchChannel(id).then(
      (view) => {
        this.lookupsInFlight.delete(id);
        const waiting = this.waitingFrames.get(id) ?? [];
        this.waitingFrames.delete(id);
        if (this.disposed) return;
        const now = this.env.now();
        let next = S.onChannelFetched(this.state, view, now);
        // Frames that came while it was fetched: events the view has are duplicates, and a
        // read position the view does not have yet moves it.
        for (const frame of waiting) {
          if (frame.type === 'event') next = S.onEvent(next, frame, now);
          else if (frame.last_read_seq > (next.channels[id]?.lastReadSeq ?? 0)) next = S.onUnread(next, frame);
        }
        this.setState(next);
      },
      (error: unknown) => {
        this.lookupsInFlight.delete(id);
        this.waitingFrames.delete(id);
        if (this.disposed) return;
        const notFound = error instanceof ApiError && error.status === 404;
        this.lookupFailedAt.set(id, this.env.now());
        const message = notFound ? null : (this.options.describeError?.(error) ?? 'Could not load the conversation.');
        this.setState(S.onChannelLookupFailed(this.state, id, message));
      },
    );
    this.lookupsInFlight.set(id, done);
    return done;
  }

  /**
   * A live frame of a channel this page has not loaded (live frames come for every channel of
   * mine). An event means it is active now: it is fetched (its view counts the event) and sorts
   * to the top. Frames that come while it is fetched are applied once it is there.
   */
  private unknownChannel(id: string, frame: EventFrame | UnreadFrame, fetch: boolean): void {
    if (fetch && !this.lookupsInFlight.has(id)) {
      const failedAt = this.lookupFailedAt.get(id);
      if (failedAt === undefined || this.env.now() - failedAt >= LOOKUP_RETRY_MS) void this.ensureChannel(id, true);
    }
    if (!this.lookupsInFlight.has(id)) return;
    const waiting = this.waitingFrames.get(id) ?? [];
    if (waiting.length < MAX_WAITING_FRAMES) waiting.push(frame);
    this.waitingFrames.set(id, waiting);
  }

  /**
   * Reads the view of a loaded channel again (GET /api/channels/{id}), for what only the server
   * knows (whether a conversation is open to my posts after a block changed, or a lock; whether I
   * am still in it after a reconnect). One request at a
   * time per channel; asked again meanwhile, it reads once more after. A failure keeps what the
   * page has (the next welcome brings every view afresh).
   */
  private refresh(id: string): void {
    if (this.disposed || !this.state.channels[id]) return;
    if (this.refreshing.has(id)) {
      this.refreshing.set(id, true);
      return;
    }
    this.refreshing.set(id, false);
    const done = () => {
      const again = this.refreshing.get(id) === true;
      this.refreshing.delete(id);
      if (again) this.refresh(id);
    };
    this.options.fetchChannel(id).then(
      (view) => {
        if (this.disposed) return;
        this.setState(S.onChannelFetched(this.state, view, this.env.now()));
        done();
      },
      (error: unknown) => {
        if (this.disposed) return;
        // Not mine any more (taken out, suspended from its program).
        if (error instanceof ApiError && error.status === 404) this.setState(S.onChannelRemoved(this.state, id));
        done();
      },
    );
  }

  /** Reads a loaded channel's view again (after I locked or unlocked it, say). */
  reload(id: string): void {
    this.refresh(id);
  }

  /** Loads the newest page of history (once), or with `older` the page before what is loaded. */
  loadHistory(channel: string, older = false): void {
    const c = this.state.channels[channel];
    if (!c || c.history.loading) return;
    if (!older && c.history.loaded) return;
    const before = older ? c.history.nextBefore : null;
    if (older && (before === null || !c.history.loaded)) return;
    this.setState(S.onHistoryStart(this.state, channel));
    this.options.fetchHistory(channel, before).then(
      (page) => {
        if (this.disposed) return;
        this.setState(S.onHistoryPage(this.state, channel, page.items, page.next_before, this.env.now()));
      },
      (error: unknown) => {
        if (this.disposed) return;
        const message = this.options.describeError?.(error) ?? 'Could not load the messages.';
        this.setState(S.onHistoryFailed(this.state, channel, message));
      },
    );
  }
}

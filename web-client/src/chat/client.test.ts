import { afterEach, describe, expect, it } from 'vitest';
import { setFetch } from '../api/client';
import { api } from '../api/endpoints';
import { ChatClient, newClientId, socketUrl, type ChatClientOptions, type ChatEnvironment, type SocketLike } from './client';
import { parseServerFrame, type ClientFrame, type HistoryPage, type ServerFrame } from './protocol';
import { channelAvailability, sortedChannels } from './state';
import { CH, groupEvent, match, ME, meeting, msg, THEM, view, welcome as welcomeWith } from './testing';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: ClientFrame[] = [];
  closedWith: number | undefined = undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  types() {
    return this.sent.map((f) => f.type);
  }
}

/**
 * The HTTP API behind the real endpoint functions (api/endpoints.ts through api/client.ts): it
 * records each request and holds it until the test answers it.
 */
class FakeHttp {
  readonly requests: { path: string; answer(status: number, body: unknown): void }[] = [];
  constructor() {
    setFetch(
      (path) =>
        new Promise<Response>((resolve) => {
          this.requests.push({
            path,
            answer: (status, body) =>
              resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })),
          });
        }),
    );
  }
  paths(): string[] {
    return this.requests.map((r) => r.path);
  }
  /** Answers the oldest request not answered yet, then lets the client take the answer in. */
  async answer(path: string, status: number, body: unknown): Promise<void> {
    const request = this.requests.find((r) => r.path === path && !this.answered.has(r));
    if (!request) throw new Error(`no request for ${path}; requests: ${this.paths().join(', ')}`);
    this.answered.add(request);
    request.answer(status, body);
    await settle();
  }
  private readonly answered = new Set<object>();
}

/** Lets promise callbacks (fetch, response bodies, then) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

afterEach(() => setFetch(() => Promise.reject(new TypeError('no fetch in this test'))));

/** A hand-cranked world: sockets, clock and timers the test moves forward. */
function world(extra: Partial<ChatClientOptions> = {}) {
  let now = 1_000_000;
  let id = 0;
  const timers: { at: number; fn: () => void; every: number | null; id: number }[] = [];
  const sockets: FakeSocket[] = [];
  let online = true;
  let visible = true;
  let onNetwork: (online: boolean) => void = () => {};
  let onVisibility: (visible: boolean) => void = () => {};
  let ids = 0;
  const env: ChatEnvironment = {
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    now: () => now,
    random: () => 0.5,
    newId: () => `client-${++ids}`,
    isOnline: () => online,
    isVisible: () => visible,
    watch(n, v) {
      onNetwork = n;
      onVisibility = v;
      return () => {};
    },
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, every: null, id: ++id });
      return id;
    },
    clearTimeout: (handle) => {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
    setInterval: (fn, ms) => {
      timers.push({ at: now + ms, fn, every: ms, id: ++id });
      return id;
    },
    clearInterval: (handle) => env.clearTimeout(handle),
  };
  const history: { channel: string; before: number | null }[] = [];
  const client = new ChatClient({
    url: 'ws://test/ws',
    env,
    fetchHistory: (channel, before): Promise<HistoryPage> => {
      history.push({ channel, before });
      return Promise.resolve({ items: [], next_before: null });
    },
    fetchChannels: (cursor) => api.channels(cursor),
    fetchChannel: (id) => api.channel(id),
    ...extra,
  });
  return {
    client,
    sockets,
    history,
    get socket(): FakeSocket {
      const s = sockets[sockets.length - 1];
      if (!s) throw new Error('no socket');
      return s;
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        now = next.at;
        if (next.every !== null) next.at += next.every;
        else timers.shift();
        next.fn();
      }
      now = end;
    },
    setOnline(value: boolean) {
      online = value;
      onNetwork(value);
    },
    setVisible(value: boolean) {
      visible = value;
      onVisibility(value);
    },
  };
}

function welcome(lastSeq = 0): ServerFrame {
  return {
    type: 'welcome',
    v: 1,
    user_id: ME,
    heartbeat_ms: 20_000,
    channels: [view({ last_seq: lastSeq })],
    channels_next: null,
    presence: { [THEM]: 'online' },
  };
}

function connect(w: ReturnType<typeof world>, lastSeq = 0) {
  w.socket.open();
  w.socket.receive(welcome(lastSeq));
  w.socket.receive({ type: 'caught_up', last_seq: {} });
}

/** Connects with one channel of `memberCount` members, too many to be listed. */
function connectLarge(w: ReturnType<typeof world>, memberCount: number) {
  w.socket.open();
  w.socket.receive({
    type: 'welcome',
    v: 1,
    user_id: ME,
    heartbeat_ms: 20_000,
    channels: [view({ member_count: memberCount, members: [] })],
    channels_next: null,
    presence: {},
  });
  w.socket.receive({ type: 'caught_up', last_seq: {} });
}

describe('ChatClient', () => {
  it('says hello first, then is connected', () => {
    const w = world();
    w.client.start();
    expect(w.client.getState().status).toBe('connecting');
    w.socket.open();
    expect(w.socket.sent).toEqual([{ type: 'hello', v: 1, last_seq: {} }]);
    w.socket.receive(welcome(4));
    const s = w.client.getState();
    expect(s.status).toBe('connected');
    expect(s.userId).toBe(ME);
    expect(s.channels[CH]?.log.applied).toBe(4);
    expect(s.presence[THEM]).toBe('online');
  });

  it('resumes from the last applied seq after a drop, and resends unacknowledged writes with the same client id', () => {
    const w = world();
    w.client.start();
    connect(w, 2);
    w.socket.receive(msg(3));
    const a = w.client.send(CH, 'first');
    const b = w.client.send(CH, 'second');
    const sends = w.socket.sent.filter((f) => f.type === 'send');
    expect(sends.map((f) => f.type === 'send' && f.client_id)).toEqual([a, b]);
    // `first` is stored and acknowledged; the connection drops before `second` is.
    w.socket.receive({ type: 'ack', ref: sends[0]?.type === 'send' ? sends[0].ref : '', channel: CH, client_id: a, seq: 4, id: 'x', created: true });
    w.socket.drop(1006);
    expect(w.client.getState().status).toBe('reconnecting');
    expect(w.client.getState().pending.map((p) => [p.client_id, p.status])).toEqual([
      [a, 'acked'],
      [b, 'queued'],
    ]);
    w.advance(1000);
    expect(w.sockets).toHaveLength(2);
    w.socket.open();
    expect(w.socket.sent[0]).toEqual({ type: 'hello', v: 1, last_seq: { [CH]: 3 } });
    w.socket.receive(welcome(4));
    // Only the unacknowledged write goes again, with its client id.
    const resent = w.socket.sent.filter((f) => f.type === 'send');
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ type: 'send', client_id: b, body: 'second', channel: CH });
    // The catch-up brings `first`; the server answers the resend with the original ack.
    w.socket.receive(msg(4, { sender_id: ME, client_id: a, body: 'first' }));
    w.socket.receive({ type: 'caught_up', last_seq: { [CH]: 4 } });
    w.socket.receive({ type: 'ack', channel: CH, client_id: b, seq: 5, id: 'y', created: true });
    w.socket.receive(msg(5, { sender_id: ME, client_id: b, body: 'second' }));
    // A repeat delivery changes nothing.
    w.socket.receive(msg(5, { sender_id: ME, client_id: b, body: 'second' }));
    const s = w.client.getState();
    expect(s.pending).toEqual([]);
    expect([...(s.channels[CH]?.messages.bySeq.values() ?? [])].map((m) => m.body)).toEqual(['message 3', 'first', 'second']);
  });

  it('asks for a sync when a gap stays open, and for every channel on resync', () => {
    const w = world();
    w.client.start();
    connect(w, 0);
    w.socket.receive(msg(1));
    w.socket.receive(msg(3));
    w.advance(1500);
    expect(w.socket.types()).not.toContain('sync');
    w.advance(1000);
    const syncs = w.socket.sent.filter((f) => f.type === 'sync');
    expect(syncs).toEqual([{ type: 'sync', ref: expect.any(String), channel: CH, after: 1 }]);
    w.socket.receive(msg(2));
    w.socket.receive(msg(3));
    w.socket.receive({ type: 'synced', channel: CH, last_seq: 3 });
    expect(w.client.getState().channels[CH]?.log.applied).toBe(3);
    w.advance(5000);
    expect(w.socket.sent.filter((f) => f.type === 'sync')).toHaveLength(1);
    w.socket.receive({ type: 'resync' });
    expect(w.socket.sent.filter((f) => f.type === 'sync').pop()).toMatchObject({ channel: CH, after: 3 });
  });

  it('marks a refused write as failed, matched by ref', () => {
    const w = world();
    w.client.start();
    connect(w);
    const id = w.client.send(CH, 'hello');
    const frame = w.socket.sent.find((f) => f.type === 'send');
    if (frame?.type !== 'send') throw new Error('not sent');
    w.socket.receive({ type: 'error', ref: frame.ref, code: 'read_only', message: 'only coordinators post in this channel' });
    expect(w.client.getState().pending[0]).toMatchObject({ client_id: id, status: 'failed', error: 'only coordinators post in this channel' });
    w.client.retry(id);
    const again = w.socket.sent.filter((f) => f.type === 'send');
    expect(again).toHaveLength(2);
    expect(again[1]).toMatchObject({ client_id: id });
  });

  it('reconnects with growing backoff, and almost at once after 4012', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.socket.drop(4012);
    w.advance(200); // 50 + 0.5 × 250 = 175 ms
    expect(w.sockets).toHaveLength(2);
    // Failures before a welcome back off: 375 ms (first retry), then 750 ms, 1500 ms…
    w.socket.drop(1006);
    w.advance(700);
    expect(w.sockets).toHaveLength(2);
    w.advance(100);
    expect(w.sockets).toHaveLength(3);
    w.socket.drop(1006);
    w.advance(1400);
    expect(w.sockets).toHaveLength(3);
    w.advance(200);
    expect(w.sockets).toHaveLength(4);
  });

  it('goes offline with the network and reconnects as soon as it is back', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.client.send(CH, 'queued?');
    w.setOnline(false);
    expect(w.client.getState().status).toBe('offline');
    expect(w.sockets[0]?.closedWith).toBe(1000);
    const id = w.client.send(CH, 'written offline');
    expect(w.client.getState().pending.find((p) => p.client_id === id)?.status).toBe('queued');
    w.advance(60_000);
    expect(w.client.getState().status).toBe('offline');
    const count = w.sockets.length;
    w.setOnline(true);
    expect(w.sockets).toHaveLength(count + 1);
    connect(w);
    expect(w.socket.sent.filter((f) => f.type === 'send').map((f) => f.type === 'send' && f.body)).toEqual([
      'queued?',
      'written offline',
    ]);
  });

  it('reports away while the page is hidden', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.setVisible(false);
    w.setVisible(true);
    expect(w.socket.sent.filter((f) => f.type === 'presence')).toEqual([
      { type: 'presence', state: 'away' },
      { type: 'presence', state: 'online' },
    ]);
    // A connection made while hidden says so right after the welcome.
    w.setVisible(false);
    w.socket.drop(1006);
    w.advance(1000);
    connect(w);
    expect(w.socket.sent.filter((f) => f.type === 'presence')).toEqual([{ type: 'presence', state: 'away' }]);
  });

  it('announces its presence again when added to a channel', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.socket.receive({ type: 'channel_added', channel: view({ id: 'new-channel', name: 'Group' }) });
    expect(w.client.getState().channels['new-channel']?.name).toBe('Group');
    expect(w.socket.sent.filter((f) => f.type === 'presence')).toEqual([{ type: 'presence', state: 'online' }]);
  });

  it('pings on the heartbeat and gives up on a connection that went silent', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.advance(20_000);
    expect(w.socket.types()).toContain('ping');
    w.advance(41_000);
    expect(w.client.getState().status).toBe('reconnecting');
    expect(w.sockets[0]?.closedWith).toBe(1000);
  });

  it('gives up on a connection that is never welcomed, and syncs gaps if caught_up never comes', () => {
    const w = world();
    w.client.start();
    w.advance(16_000); // the first socket never opens
    expect(w.sockets.length).toBeGreaterThan(1);
    w.socket.open();
    w.socket.receive(welcome(0));
    w.socket.receive(msg(2)); // 1 is missing; no caught_up arrives
    w.advance(5000);
    expect(w.socket.types()).not.toContain('sync');
    w.advance(11_000);
    expect(w.socket.sent.filter((f) => f.type === 'sync')).toEqual([
      { type: 'sync', ref: expect.any(String), channel: CH, after: 0 },
    ]);
  });

  it('throttles typing and only marks read what moves the read position', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.client.typing(CH);
    w.client.typing(CH);
    w.advance(2000);
    w.client.typing(CH);
    expect(w.socket.types().filter((t) => t === 'typing')).toHaveLength(2);
    w.client.markRead(CH);
    expect(w.socket.types()).not.toContain('read');
    w.socket.receive(msg(1));
    w.client.markRead(CH);
    w.client.markRead(CH);
    expect(w.socket.sent.filter((f) => f.type === 'read')).toEqual([{ type: 'read', ref: expect.any(String), channel: CH, seq: 1 }]);
  });

  it('sends no typing in a channel too large to show it', () => {
    const w = world();
    w.client.start();
    connectLarge(w, 51);
    w.client.typing(CH);
    w.advance(2000);
    w.client.typing(CH);
    expect(w.socket.types()).not.toContain('typing');
  });

  it('loads history once, then older pages with before', async () => {
    const w = world();
    w.client.start();
    connect(w);
    w.client.loadHistory(CH);
    w.client.loadHistory(CH);
    await Promise.resolve();
    w.client.loadHistory(CH);
    expect(w.history).toEqual([{ channel: CH, before: null }]);
    expect(w.client.getState().channels[CH]?.history.loaded).toBe(true);
  });
});

describe('match frames', () => {
  it('are parsed, not ignored as unknown', () => {
    const frame = parseServerFrame(JSON.stringify({ type: 'match', match: match() }));
    expect(frame?.type).toBe('match');
  });

  it('are handed to onMatch and change nothing else', () => {
    const seen: unknown[] = [];
    const w = world({ onMatch: (m) => seen.push(m) });
    w.client.start();
    connect(w);
    const before = w.client.getState();
    const sent = w.socket.sent.length;
    const m = match({ status: 'active', channel_id: CH });
    w.socket.receive({ type: 'match', match: m });
    expect(seen).toEqual([m]);
    expect(w.client.getState()).toBe(before);
    expect(w.socket.sent.length).toBe(sent);
  });

  it('are harmless without a listener', () => {
    const w = world();
    w.client.start();
    connect(w);
    expect(() => w.socket.receive({ type: 'match', match: match() })).not.toThrow();
  });
});

describe('group_event frames', () => {
  it('are handed to onGroupEvent with the reminder flag', () => {
    const seen: [unknown, boolean][] = [];
    const w = world({ onGroupEvent: (e, reminder) => seen.push([e, reminder]) });
    w.client.start();
    connect(w);
    const before = w.client.getState();
    const e = groupEvent({ status: 'cancelled' });
    w.socket.receive({ type: 'group_event', event: e, reminder: true });
    w.socket.receive({ type: 'group_event', event: e, reminder: false });
    expect(seen).toEqual([
      [e, true],
      [e, false],
    ]);
    expect(w.client.getState()).toBe(before);
  });
});

describe('meeting frames', () => {
  it('are parsed, and handed to onMeeting with the reminder flag', () => {
    expect(parseServerFrame(JSON.stringify({ type: 'meeting', meeting: meeting(), reminder: false }))?.type).toBe('meeting');
    const seen: [unknown, boolean][] = [];
    const w = world({ onMeeting: (m, reminder) => seen.push([m, reminder]) });
    w.client.start();
    connect(w);
    const before = w.client.getState();
    const m = meeting({ status: 'accepted' });
    w.socket.receive({ type: 'meeting', meeting: m, reminder: true });
    w.socket.receive({ type: 'meeting', meeting: m, reminder: false });
    expect(seen).toEqual([
      [m, true],
      [m, false],
    ]);
    expect(w.client.getState()).toBe(before);
  });

  it('are harmless without a listener', () => {
    const w = world();
    w.client.start();
    connect(w);
    expect(() => w.socket.receive({ type: 'meeting', meeting: meeting(), reminder: false })).not.toThrow();
  });
});

describe('names in large channels', () => {
  it('asks for the names of the people a large channel shows, each once, and again after a failure', async () => {
    const asked: string[][] = [];
    let fail = true;
    const w = world({
      fetchMembers: (_channel, ids) => {
        asked.push([...ids]);
        return fail ? Promise.reject(new Error('offline')) : Promise.resolve([{ user_id: THEM, name: 'Nia', last_read_seq: 0 }]);
      },
    });
    w.client.start();
    connectLarge(w, 900);
    w.socket.receive(msg(1, { sender_id: THEM }));
    w.client.loadNames(CH);
    expect(asked).toEqual([[THEM]]);
    await Promise.resolve();
    await Promise.resolve();
    fail = false;
    w.client.loadNames(CH);
    expect(asked).toEqual([[THEM], [THEM]]);
    await Promise.resolve();
    await Promise.resolve();
    const c = w.client.getState().channels[CH];
    expect(c?.members.map((m) => m.name)).toEqual(['Nia']);
    w.client.loadNames(CH);
    expect(asked).toHaveLength(2);
  });
});

describe('helpers', () => {
  it('builds the WebSocket URL of the page', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(socketUrl({ protocol: 'https:', host: 'kindred.example' })).toBe('wss://kindred.example/ws');
  });

  it('makes client ids the protocol accepts', () => {
    const id = newClientId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(newClientId()).not.toBe(id);
  });
});

describe('ChatClient call frames', () => {
  const CALL = '0192f0c4-6d3e-7a00-8000-0000000000c1';

  it('hands call frames to call listeners, not to the chat state', () => {
    const w = world();
    const frames: string[] = [];
    w.client.addCallListener({ frame: (f) => frames.push(f.type) });
    w.client.start();
    connect(w);
    const before = w.client.getState();
    w.socket.receive({ type: 'call_invite', call: CALL, from: THEM, to: ME });
    w.socket.receive({
      type: 'call_state',
      call: CALL,
      caller: THEM,
      callee: ME,
      state: 'inviting',
      polite: true,
    });
    expect(frames).toEqual(['call_invite', 'call_state']);
    expect(w.client.getState()).toBe(before);
    expect(parseServerFrame(JSON.stringify({ type: 'call_error', call: CALL, code: 'offline', message: 'x' }))).not.toBeNull();
  });

  it('sends call frames at once when connected; reliable ones wait for the next connection', () => {
    const w = world();
    const connected: boolean[] = [];
    w.client.addCallListener({ connected: (resumed) => connected.push(resumed) });
    w.client.start();
    expect(w.client.sendCall({ type: 'call_hangup', call: CALL }, true)).toBe(false);
    expect(w.client.sendCall({ type: 'sdp_offer', call: CALL, sdp: 'v=0' })).toBe(false);
    connect(w);
    expect(connected).toEqual([false]);
    // The hang-up waited; the offer did not.
    expect(w.socket.types()).toContain('call_hangup');
    expect(w.socket.types()).not.toContain('sdp_offer');
    expect(w.client.sendCall({ type: 'call_connected', call: CALL })).toBe(true);
    expect(w.socket.sent[w.socket.sent.length - 1]).toEqual({ type: 'call_connected', call: CALL });
    // A reconnect is reported as resumed.
    w.socket.drop(1006);
    w.advance(1000);
    connect(w);
    expect(connected).toEqual([false, true]);
  });
});

describe('a paged channel list', () => {
  const OLD = '2029-06-01T00:00:00Z';
  const NEWER = '2030-02-01T00:00:00Z';

  it('loads older pages with the cursor, merges them by id, one request at a time, and records a failure', async () => {
    const http = new FakeHttp();
    const w = world({ describeError: (e) => (e instanceof Error ? e.message : 'failed') });
    w.client.start();
    w.socket.open();
    w.socket.receive(welcomeWith([view({ last_seq: 2 })], { channels_next: 'c1' }));
    w.socket.receive(msg(3));
    expect(w.client.getState().channelsNext).toBe('c1');

    w.client.loadMoreChannels();
    w.client.loadMoreChannels();
    expect(http.paths()).toEqual(['/api/channels?cursor=c1']);
    expect(w.client.getState().channelsLoading).toBe(true);
    // The page repeats CH (pages shift as messages arrive) with an older view of it.
    await http.answer('/api/channels?cursor=c1', 200, {
      items: [view({ last_seq: 2, unread: 0, last_activity_at: OLD }), view({ id: 'older', name: 'Older', last_activity_at: OLD })],
      next_cursor: 'c2',
    });
    let s = w.client.getState();
    expect(Object.keys(s.channels).sort()).toEqual([CH, 'older'].sort());
    expect(s.channels[CH]?.messages.bySeq.has(3)).toBe(true);
    expect(s.channels[CH]?.unread).toBe(1);
    expect(s.channels[CH]?.log.applied).toBe(3);
    expect(s.channelsNext).toBe('c2');
    expect(s.channelsLoading).toBe(false);

    w.client.loadMoreChannels();
    await http.answer('/api/channels?cursor=c2', 500, { error: { code: 'internal', message: 'The server had a problem.' } });
    s = w.client.getState();
    expect(s.channelsError).toBe('The server had a problem.');
    expect(s.channelsLoading).toBe(false);
    expect(s.channelsNext).toBe('c2');

    // Trying again works, and the last page ends the list.
    w.client.loadMoreChannels();
    expect(w.client.getState().channelsError).toBeNull();
    await http.answer('/api/channels?cursor=c2', 200, { items: [view({ id: 'oldest', last_activity_at: OLD })], next_cursor: null });
    expect(w.client.getState().channelsNext).toBeNull();
    expect(w.client.getState().channels.oldest).toBeDefined();
    w.client.loadMoreChannels();
    expect(http.paths()).toHaveLength(3);

    // The hello of the next connection names every channel loaded, not only the welcome's.
    w.socket.drop(1006);
    w.advance(60_000);
    w.socket.open();
    const hello = w.socket.sent[0];
    expect(hello?.type === 'hello' ? Object.keys(hello.last_seq).sort() : []).toEqual([CH, 'older', 'oldest'].sort());
  });

  it('goes on to the next page when a page brings only channels already loaded', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    w.socket.open();
    w.socket.receive(welcomeWith([view()], { channels_next: 'c1' }));
    w.client.loadMoreChannels();
    await http.answer('/api/channels?cursor=c1', 200, { items: [view()], next_cursor: 'c2' });
    expect(http.paths()).toEqual(['/api/channels?cursor=c1', '/api/channels?cursor=c2']);
    expect(w.client.getState().channelsLoading).toBe(true);
    await http.answer('/api/channels?cursor=c2', 200, { items: [view({ id: 'b' })], next_cursor: 'c3' });
    expect(http.paths()).toHaveLength(2);
    expect(w.client.getState().channelsNext).toBe('c3');
    expect(w.client.getState().channelsLoading).toBe(false);
  });

  it('fetches a channel it has not loaded once when its events arrive, applies them, and lists it first', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    connect(w);
    const X = 'x-channel';
    w.socket.receive(msg(5, { channel_id: X, created_at: NEWER }));
    w.socket.receive(msg(6, { channel_id: X, created_at: NEWER }));
    // Typing and read receipts of a channel not loaded are dropped, and fetch nothing.
    w.socket.receive({ type: 'typing', channel: 'other', user_id: THEM });
    w.socket.receive({ type: 'read', channel: 'other', user_id: THEM, seq: 1 });
    w.socket.receive({ type: 'unread', channel: 'other', last_read_seq: 1, unread: 0 });
    expect(http.paths()).toEqual([`/api/channels/${X}`]);
    expect(w.client.getState().lookups[X]).toEqual({ status: 'loading' });
    // The view was read after the first event: it counts it; the second came after.
    await http.answer(`/api/channels/${X}`, 200, view({ id: X, name: 'Cohort', kind: 'group', last_seq: 5, unread: 1, last_activity_at: NEWER }));
    const s = w.client.getState();
    const x = s.channels[X];
    expect(x?.log.applied).toBe(6);
    expect(x?.unread).toBe(2);
    expect(x?.messages.bySeq.has(6)).toBe(true);
    expect(s.lookups[X]).toBeUndefined();
    expect(sortedChannels(s).map((c) => c.id)).toEqual([X, CH]);
    // Now loaded: its next event applies at once.
    w.socket.receive(msg(7, { channel_id: X }));
    expect(w.client.getState().channels[X]?.log.applied).toBe(7);
    expect(http.paths()).toHaveLength(1);
  });

  it('applies a read elsewhere that came while a channel was fetched, unless the view has it', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    connect(w);
    w.socket.receive(msg(4, { channel_id: 'x' }));
    w.socket.receive({ type: 'unread', channel: 'x', last_read_seq: 4, unread: 0 });
    await http.answer('/api/channels/x', 200, view({ id: 'x', last_seq: 4, unread: 1 }));
    expect(w.client.getState().channels.x?.unread).toBe(0);
    expect(w.client.getState().channels.x?.lastReadSeq).toBe(4);
    w.socket.receive(msg(2, { channel_id: 'y' }));
    w.socket.receive({ type: 'unread', channel: 'y', last_read_seq: 1, unread: 1 });
    await http.answer('/api/channels/y', 200, view({ id: 'y', last_seq: 2, last_read_seq: 2, unread: 0 }));
    expect(w.client.getState().channels.y?.unread).toBe(0);
  });

  it('fetches a channel by id once for concurrent calls, and remembers a 404 until the channel comes', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    connect(w);
    const Y = 'y-channel';
    const first = w.client.ensureChannel(Y);
    const second = w.client.ensureChannel(Y);
    expect(second).toBe(first);
    expect(channelAvailability(w.client.getState(), Y)).toEqual({ status: 'loading' });
    await http.answer(`/api/channels/${Y}`, 404, { error: { code: 'not_found', message: 'channel not found' } });
    await first;
    expect(w.client.getState().lookups[Y]).toEqual({ status: 'not_found' });
    expect(channelAvailability(w.client.getState(), Y)).toEqual({ status: 'not_found' });
    await w.client.ensureChannel(Y);
    expect(http.paths()).toHaveLength(1);
    // Added to it later: it is there, and asking for it again needs nothing.
    w.socket.receive({ type: 'channel_added', channel: view({ id: Y }) });
    expect(channelAvailability(w.client.getState(), Y).status).toBe('ready');
    expect(w.client.getState().lookups[Y]).toBeUndefined();
    await w.client.ensureChannel(Y);
    expect(http.paths()).toHaveLength(1);
  });

  it('records a failed fetch by id with its message, and tries again when asked', async () => {
    const http = new FakeHttp();
    const w = world({ describeError: (e) => (e instanceof Error ? e.message : 'failed') });
    w.client.start();
    connect(w);
    void w.client.ensureChannel('z');
    await http.answer('/api/channels/z', 503, { error: { code: 'unavailable', message: 'Try again later.' } });
    expect(channelAvailability(w.client.getState(), 'z')).toEqual({ status: 'failed', error: 'Try again later.' });
    void w.client.ensureChannel('z');
    expect(channelAvailability(w.client.getState(), 'z')).toEqual({ status: 'loading' });
    await http.answer('/api/channels/z', 200, view({ id: 'z' }));
    expect(channelAvailability(w.client.getState(), 'z').status).toBe('ready');
    expect(http.paths()).toEqual(['/api/channels/z', '/api/channels/z']);
  });
});

describe('blocks', () => {
  it('are parsed, not ignored as unknown', () => {
    expect(parseServerFrame(JSON.stringify({ type: 'block', user_id: THEM, blocked: true }))).toEqual({
      type: 'block',
      user_id: THEM,
      blocked: true,
    });
  });

  it('close my conversation with the person at once, read its view again, and tell onBlock', async () => {
    const http = new FakeHttp();
    const told: [string, boolean][] = [];
    const w = world({ onBlock: (id, blocked) => told.push([id, blocked]) });
    w.client.start();
    connect(w);
    w.socket.receive({ type: 'block', user_id: THEM, blocked: true });
    expect(w.client.getState().channels[CH]?.canPost).toBe(false);
    expect(told).toEqual([[THEM, true]]);
    expect(http.paths()).toEqual([`/api/channels/${CH}`]);
    // Lifted on another device while the view is read: it is read once more, after.
    w.socket.receive({ type: 'block', user_id: THEM, blocked: false });
    expect(told).toEqual([
      [THEM, true],
      [THEM, false],
    ]);
    expect(w.client.getState().channels[CH]?.canPost).toBe(false);
    expect(http.paths()).toHaveLength(1);
    await http.answer(`/api/channels/${CH}`, 200, view({ can_post: false }));
    expect(http.paths()).toHaveLength(2);
    await http.answer(`/api/channels/${CH}`, 200, view({ can_post: true }));
    expect(w.client.getState().channels[CH]?.canPost).toBe(true);
    expect(http.paths()).toHaveLength(2);
  });

  it('leave group channels and other people alone', () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    w.socket.open();
    const group = view({
      id: 'g',
      kind: 'group',
      name: 'Cohort',
      member_count: 3,
      members: [
        { user_id: ME, name: 'Kwame', last_read_seq: 0 },
        { user_id: THEM, name: 'Nia', last_read_seq: 0 },
        { user_id: 'someone', name: 'Amara', last_read_seq: 0 },
      ],
    });
    w.socket.receive(welcomeWith([view(), group]));
    w.socket.receive({ type: 'block', user_id: 'someone', blocked: true });
    expect(w.client.getState().channels.g?.canPost).toBe(true);
    expect(w.client.getState().channels[CH]?.canPost).toBe(true);
    expect(http.paths()).toEqual([]);
  });

  it('a write refused as read_only closes the channel; presence of the other person then reads it again', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    connect(w);
    w.client.send(CH, 'hello');
    const frame = w.socket.sent.find((f) => f.type === 'send');
    if (frame?.type !== 'send') throw new Error('not sent');
    // Presence while the conversation is open reads nothing.
    w.socket.receive({ type: 'presence', user_id: THEM, state: 'offline' });
    expect(http.paths()).toEqual([]);
    w.socket.receive({ type: 'error', ref: frame.ref, code: 'read_only', message: 'this conversation is closed to new messages' });
    const s = w.client.getState();
    expect(s.channels[CH]?.canPost).toBe(false);
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: 'this conversation is closed to new messages' });
    // Contact came back (a lifted block sends each the other's presence): the view says so.
    w.socket.receive({ type: 'presence', user_id: THEM, state: 'online' });
    expect(http.paths()).toEqual([`/api/channels/${CH}`]);
    await http.answer(`/api/channels/${CH}`, 200, view({ can_post: true }));
    expect(w.client.getState().channels[CH]?.canPost).toBe(true);
  });

  it('other refusals leave the channel open', () => {
    const w = world();
    w.client.start();
    connect(w);
    w.client.send(CH, 'hello');
    const frame = w.socket.sent.find((f) => f.type === 'send');
    if (frame?.type !== 'send') throw new Error('not sent');
    w.socket.receive({ type: 'error', ref: frame.ref, code: 'invalid', message: 'body too long' });
    expect(w.client.getState().channels[CH]?.canPost).toBe(true);
  });
});

describe('reports and the code of conduct', () => {
  it('report frames are parsed and handed on', () => {
    const frame = { type: 'report', program_id: 'p1', report_id: 'r1', status: 'open', repeat: true } as const;
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
    const told: unknown[] = [];
    const w = world({ onReport: (f) => told.push(f) });
    w.client.start();
    connect(w);
    w.socket.receive(frame);
    w.socket.receive({ ...frame, status: 'reviewed', repeat: false });
    expect(told).toEqual([frame, { ...frame, status: 'reviewed', repeat: false }]);
  });

  it('a message refused for the code of conduct fails in the server’s words and says so', () => {
    let asked = 0;
    const w = world({ onConductRequired: () => (asked += 1) });
    w.client.start();
    connect(w);
    w.client.send(CH, 'hello');
    const frame = w.socket.sent.find((f) => f.type === 'send');
    if (frame?.type !== 'send') throw new Error('not sent');
    const words = "accept the program's code of conduct first";
    w.socket.receive({ type: 'error', ref: frame.ref, code: 'conduct_required', message: words });
    const s = w.client.getState();
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: words });
    // The conversation stays open: once accepted, Retry sends the same message.
    expect(s.channels[CH]?.canPost).toBe(true);
    expect(asked).toBe(1);
    // Other refusals say nothing of it.
    w.socket.receive({ type: 'error', code: 'invalid', message: 'body too long' });
    expect(asked).toBe(1);
  });

  it('a call or an event room refused for the code of conduct says so too; other refusals do not', () => {
    let asked = 0;
    const w = world({ onConductRequired: () => (asked += 1) });
    w.client.start();
    connect(w);
    const words = "accept the program's code of conduct first";
    w.socket.receive({ type: 'call_error', call: 'c1', code: 'forbidden', message: words });
    w.socket.receive({ type: 'room_error', event: 'e1', code: 'forbidden', message: words });
    expect(asked).toBe(2);
    w.socket.receive({ type: 'call_error', call: 'c1', code: 'forbidden', message: 'you cannot reach this person' });
    w.socket.receive({ type: 'room_error', event: 'e1', code: 'locked', message: 'locked' });
    expect(asked).toBe(2);
  });
});

describe('moderation frames', () => {
  const G = 'group-1';
  const group = view({ id: G, kind: 'group', name: 'Cohort', member_count: 4 });

  it('are parsed, not ignored as unknown', () => {
    expect(parseServerFrame(JSON.stringify({ type: 'channel_removed', channel: G }))).toEqual({ type: 'channel_removed', channel: G });
    expect(parseServerFrame(JSON.stringify({ type: 'channel_changed', channel: G }))).toEqual({ type: 'channel_changed', channel: G });
  });

  it('channel_removed drops the channel and says so to a page showing it; channel_changed reads its view again', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    w.socket.open();
    w.socket.receive(welcomeWith([view(), group]));
    w.socket.receive({ type: 'channel_changed', channel: G });
    expect(http.paths()).toEqual([`/api/channels/${G}`]);
    await http.answer(`/api/channels/${G}`, 200, { ...group, locked: true, can_post: false });
    expect(w.client.getState().channels[G]).toMatchObject({ locked: true, canPost: false });
    w.socket.receive({ type: 'channel_removed', channel: G });
    const s = w.client.getState();
    expect(s.channels[G]).toBeUndefined();
    expect(channelAvailability(s, G)).toEqual({ status: 'not_found', removed: true });
  });

  it('after a 4012 (access changed), the new welcome lists the channels as they now are', () => {
    const w = world();
    w.client.start();
    w.socket.open();
    w.socket.receive(welcomeWith([view(), group]));
    w.socket.drop(4012);
    w.advance(400);
    w.socket.open();
    // Suspended from the group's program: the welcome no longer lists it.
    w.socket.receive(welcomeWith([view()]));
    expect(Object.keys(w.client.getState().channels)).toEqual([CH]);
  });

  it('a resumed welcome that holds one page reads the other loaded channels again, and drops those that are gone', async () => {
    const http = new FakeHttp();
    const w = world();
    w.client.start();
    w.socket.open();
    w.socket.receive(welcomeWith([view(), group]));
    w.socket.drop(4012);
    w.advance(400);
    w.socket.open();
    w.socket.receive(welcomeWith([view()], { channels_next: 'c1' }));
    expect(http.paths()).toEqual([`/api/channels/${G}`]);
    await http.answer(`/api/channels/${G}`, 404, { error: 'not_found', message: 'not found' });
    expect(w.client.getState().channels[G]).toBeUndefined();
  });
});

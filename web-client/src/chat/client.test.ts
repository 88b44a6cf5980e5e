import { describe, expect, it } from 'vitest';
import { ChatClient, newClientId, socketUrl, type ChatClientOptions, type ChatEnvironment, type SocketLike } from './client';
import { parseServerFrame, type ClientFrame, type HistoryPage, type ServerFrame } from './protocol';
import { CH, groupEvent, match, ME, meeting, msg, THEM, view } from './testing';

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

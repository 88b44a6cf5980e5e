// The room's frames on the shared chat socket: parsed, handed to the room listeners (not to the
// chat state or the calls), and sent only while the connection is up.
import { describe, expect, it } from 'vitest';
import { ChatClient, type ChatEnvironment, type SocketLike } from '../chat/client';
import { isRoomFrame, parseServerFrame, type ClientFrame, type RoomServerFrame } from '../chat/protocol';
import { EVENT, roomState } from './testing';

class Socket implements SocketLike {
  readyState = 0;
  sent: ClientFrame[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close() {
    this.readyState = 3;
  }
  receive(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

function connect() {
  const sockets: Socket[] = [];
  const env: Partial<ChatEnvironment> = {
    createSocket: () => {
      const s = new Socket();
      sockets.push(s);
      return s;
    },
    now: () => 0,
    isOnline: () => true,
    isVisible: () => true,
    watch: () => () => {},
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
  };
  const client = new ChatClient({
    url: 'ws://test/ws',
    env,
    fetchHistory: () => Promise.resolve({ items: [], next_before: null }),
    fetchChannels: () => Promise.resolve({ items: [], next_cursor: null }),
    fetchChannel: () => Promise.reject(new Error('not in this test')),
  });
  client.start();
  const socket = sockets[0]!;
  return { client, socket };
}

function welcome(socket: Socket) {
  socket.readyState = 1;
  socket.onopen?.({});
  socket.receive({ type: 'welcome', v: 1, user_id: 'me', heartbeat_ms: 20000, channels: [], channels_next: null, presence: {} });
}

describe('room frames on the chat socket', () => {
  it('parses every room frame type', () => {
    const frames: RoomServerFrame[] = [
      roomState(),
      { type: 'room_publish_answer', event: EVENT, sdp: 'a' },
      { type: 'room_offer', event: EVENT, sdp: 'o', tracks: [] },
      { type: 'room_speaker', event: EVENT },
      { type: 'room_left', event: EVENT, reason: 'ended' },
      { type: 'room_reset', event: EVENT },
      { type: 'room_error', event: EVENT, code: 'locked', message: 'locked' },
    ];
    for (const f of frames) {
      const parsed = parseServerFrame(JSON.stringify(f));
      expect(parsed).toEqual(f);
      expect(parsed && isRoomFrame(parsed)).toBe(true);
    }
  });

  it('reach the room listeners, with the connection’s ups', () => {
    const { client, socket } = connect();
    const got: string[] = [];
    const ups: boolean[] = [];
    client.addRoomListener({ frame: (f) => got.push(f.type), connected: (resumed) => ups.push(resumed) });
    expect(client.sendRoom({ type: 'room_join', event: EVENT })).toBe(false);
    welcome(socket);
    expect(ups).toEqual([false]);
    socket.receive({ type: 'room_speaker', event: EVENT, user: 'ada' });
    socket.receive({ type: 'room_left', event: EVENT, reason: 'elsewhere' });
    expect(got).toEqual(['room_speaker', 'room_left']);
    expect(client.sendRoom({ type: 'room_join', event: EVENT })).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: 'room_join', event: EVENT });
    client.dispose();
  });
});

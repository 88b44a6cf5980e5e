import { describe, expect, it } from 'vitest';
import { buildStage, tileLabel, tileStatus, trackForMid } from './stage';
import { ME, person, track, you } from './testing';

const ADA = 'ada';
const BOB = 'bob';
const HOST = 'host';

const people = [
  person(ME, 'Me Myself'),
  person(ADA, 'Ada Lovelace', { role: 'speaker' }),
  person(BOB, 'Bob Moses', { role: 'speaker', muted: true }),
  person(HOST, 'Hana Host', { role: 'host' }),
  person('aud', 'Ann Audience'),
];

const tracks = [
  track('0', ADA, 'video', 'camera'),
  track('1', ADA, 'audio', 'microphone'),
  track('2', ADA, 'video', 'screen'),
  track('3', BOB, 'audio', 'microphone'),
];

describe('trackForMid', () => {
  it('finds what a mid carries', () => {
    expect(trackForMid(tracks, '2')).toEqual(track('2', ADA, 'video', 'screen'));
    expect(trackForMid(tracks, '9')).toBeNull();
    expect(trackForMid(tracks, null)).toBeNull();
  });
});

describe('buildStage', () => {
  const received = new Map([
    ['0', 'ada-camera'],
    ['1', 'ada-mic'],
    ['2', 'ada-screen'],
    ['3', 'bob-mic'],
  ]);
  const ui = { people, tracks, activeSpeaker: BOB, you: you() };

  it('one tile per speaker, hosts only when they publish', () => {
    const stage = buildStage(ui, received);
    expect(stage.tiles.map((t) => [t.user, t.video, t.speaking, t.muted])).toEqual([
      [ADA, 'ada-camera', false, false],
      [BOB, null, true, true],
    ]);
    const hostPublishes = buildStage({ ...ui, tracks: [...tracks, track('4', HOST, 'audio', 'microphone')] }, received);
    expect(hostPublishes.tiles.map((t) => t.user)).toEqual([HOST, ADA, BOB]);
  });

  it('the screen share, large, with its sharer’s name', () => {
    expect(buildStage(ui, received).screen).toEqual({ user: ADA, name: 'Ada Lovelace', media: 'ada-screen' });
    expect(buildStage({ ...ui, tracks: tracks.filter((t) => t.source !== 'screen') }, received).screen).toBeNull();
  });

  it('a track filed before its media arrives shows no video yet', () => {
    const stage = buildStage(ui, new Map([['1', 'ada-mic']]));
    expect(stage.tiles[0]?.video).toBeNull();
    expect(stage.screen?.media).toBeNull();
    expect(stage.audio).toEqual([{ mid: '1', user: ADA, media: 'ada-mic' }]);
  });

  it('plays every arrived audio track, except mine', () => {
    expect(buildStage(ui, received).audio.map((a) => a.mid)).toEqual(['1', '3']);
    const mine = [...tracks, track('7', ME, 'audio', 'microphone')];
    expect(buildStage({ ...ui, tracks: mine }, new Map([...received, ['7', 'my-mic']])).audio.map((a) => a.mid)).toEqual(['1', '3']);
  });

  it('a mid the latest offer gave to someone else follows the offer', () => {
    const moved = [track('0', BOB, 'video', 'camera')];
    const stage = buildStage({ ...ui, tracks: moved }, received);
    expect(stage.tiles.find((t) => t.user === BOB)?.video).toBe('ada-camera');
    expect(stage.tiles.find((t) => t.user === ADA)?.video).toBeNull();
  });

  it('me on stage: my own tile, without received video', () => {
    const mine = buildStage(
      { ...ui, you: you({ role: 'host' }), people: people.map((p) => (p.user === ME ? { ...p, role: 'host' as const } : p)) },
      received,
    );
    expect(mine.tiles[0]).toMatchObject({ user: ME, me: true, video: null });
    // Missing from people for a moment: still there.
    const missing = buildStage({ ...ui, you: you({ role: 'speaker' }), people: [] }, received);
    expect(missing.tiles).toMatchObject([{ user: ME, name: 'You', me: true }]);
  });

  it('my own screen is not shown as someone else’s', () => {
    expect(buildStage({ ...ui, tracks: [track('5', ME, 'video', 'screen')] }, received).screen).toBeNull();
  });
});

describe('tile words', () => {
  const tile = { user: ADA, name: 'Ada Lovelace', role: 'speaker' as const, video: null, muted: false, speaking: true, me: false };
  it('labels and states', () => {
    expect(tileLabel(tile)).toBe('Ada Lovelace’s camera');
    expect(tileLabel({ ...tile, me: true })).toBe('Your camera (preview)');
    expect(tileStatus(tile)).toBe('speaking, no video');
    expect(tileStatus({ ...tile, speaking: false, muted: true, video: 'x' as unknown as null })).toBe('muted by the host');
    expect(tileStatus({ ...tile, me: true, speaking: false }, { micMuted: true, cameraOff: true, hasCamera: true })).toBe(
      'microphone off, camera off',
    );
  });
});

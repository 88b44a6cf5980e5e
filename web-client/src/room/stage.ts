// From the room's state and what the subscribe connection receives to what the stage shows: one
// tile per person on stage (with their camera, if it arrives), the shared screen, and the audio
// to play. The server's `room_offer` says what each `mid` carries (`tracks`); the connection says
// which media arrived on each `mid` (`received`). Generic over the media type so the tests need
// no browser.
import type { RoomPerson, RoomRole, RoomTrack } from '../chat/protocol';
import { isOnStage, stagePeople, type RoomUi } from './state';

export interface StageTile<M> {
  user: string;
  name: string;
  role: RoomRole;
  /** Their camera as received (null: none, or not arrived yet). Never set for me. */
  video: M | null;
  /** Muted by the host. */
  muted: boolean;
  speaking: boolean;
  me: boolean;
}

export interface StageScreen<M> {
  user: string;
  name: string;
  media: M | null;
}

export interface StageAudio<M> {
  mid: string;
  user: string;
  media: M;
}

export interface Stage<M> {
  tiles: StageTile<M>[];
  /** Someone else's shared screen, shown large. */
  screen: StageScreen<M> | null;
  /** Every audio track that arrived, to play. */
  audio: StageAudio<M>[];
}

/** The entry of the latest offer for a `mid` (from `RTCTrackEvent.transceiver.mid`). */
export function trackForMid(tracks: readonly RoomTrack[], mid: string | null | undefined): RoomTrack | null {
  if (mid === null || mid === undefined) return null;
  return tracks.find((t) => t.mid === mid) ?? null;
}

function find<M>(
  tracks: readonly RoomTrack[],
  received: ReadonlyMap<string, M>,
  user: string,
  kind: RoomTrack['kind'],
  source: RoomTrack['source'],
): { track: RoomTrack; media: M | null } | null {
  const track = tracks.find((t) => t.user === user && t.kind === kind && t.source === source);
  return track ? { track, media: received.get(track.mid) ?? null } : null;
}

/**
 * The stage: every speaker, and every host who publishes (or is me: my own preview), with their
 * camera; the first shared screen of someone else; the audio of everyone else who publishes it.
 */
export function buildStage<M>(
  ui: Pick<RoomUi, 'people' | 'tracks' | 'activeSpeaker' | 'you'>,
  received: ReadonlyMap<string, M>,
): Stage<M> {
  const me = ui.you?.user ?? null;
  const tracks = ui.tracks;
  const publishes = new Set(tracks.map((t) => t.user));
  const people: RoomPerson[] = stagePeople(ui);
  // I may be missing from `people` for a moment; my own tile follows my role.
  if (me && ui.you && isOnStage(ui.you) && ui.you.admitted && !people.some((p) => p.user === me)) {
    people.push({ ...ui.you, name: 'You' });
  }
  const tiles: StageTile<M>[] = people
    .filter((p) => p.role === 'speaker' || p.user === me || publishes.has(p.user))
    .map((p) => ({
      user: p.user,
      name: p.name,
      role: p.role,
      video: p.user === me ? null : (find(tracks, received, p.user, 'video', 'camera')?.media ?? null),
      muted: p.muted,
      speaking: ui.activeSpeaker === p.user,
      me: p.user === me,
    }));

  let screen: StageScreen<M> | null = null;
  for (const t of tracks) {
    if (t.kind !== 'video' || t.source !== 'screen' || t.user === me) continue;
    screen = {
      user: t.user,
      name: ui.people.find((p) => p.user === t.user)?.name ?? 'Someone',
      media: received.get(t.mid) ?? null,
    };
    break;
  }

  const audio: StageAudio<M>[] = [];
  for (const t of tracks) {
    // My own voice, should the SFU send it back, would only echo.
    if (t.kind !== 'audio' || t.user === me) continue;
    const media = received.get(t.mid);
    if (media !== undefined) audio.push({ mid: t.mid, user: t.user, media });
  }
  return { tiles, screen, audio };
}

/** The accessible name of a tile's video: "Ada Lovelace’s camera". */
export function tileLabel(tile: Pick<StageTile<unknown>, 'name' | 'me'>): string {
  return tile.me ? 'Your camera (preview)' : `${tile.name}’s camera`;
}

/** The state of a tile in words, after the name: "speaking", "muted by the host", "no video". */
export function tileStatus(tile: StageTile<unknown>, self?: { micMuted: boolean; cameraOff: boolean; hasCamera: boolean }): string {
  const parts: string[] = [];
  if (tile.speaking) parts.push('speaking');
  if (tile.muted) parts.push('muted by the host');
  else if (tile.me && self?.micMuted) parts.push('microphone off');
  if (tile.me) {
    if (!self?.hasCamera || self.cameraOff) parts.push('camera off');
  } else if (tile.video === null) {
    parts.push('no video');
  }
  return parts.join(', ');
}

// The publish connection's parts that need no browser: the simulcast layers the camera is sent
// in (docs/sfu.md: `rid`s l, m, h, low to high, at the SFU's layer costs) and the `sources` map
// of `room_publish`, which tells the SFU what each of my m-lines carries. Mids are only known
// once the offer is set as the local description, so the map is made from the transceivers then.
import type { RoomSource } from '../chat/protocol';

/** The camera's simulcast encodings: a quarter, half and full resolution. */
export const SIMULCAST_ENCODINGS: readonly RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', maxBitrate: 1_500_000 },
];

/** One of my sending transceivers, as far as the sources map cares. */
export interface PublishedTransceiver {
  /** Null until the offer is the local description. */
  mid: string | null;
  source: RoomSource;
  /** Sending now; a paused one (a screen share that stopped) stays out of the map. */
  active: boolean;
}

/**
 * `room_publish.sources`: mid → camera, microphone or screen, for every active transceiver that
 * has a mid. Null when an active transceiver has none yet (the offer is not set): sending the
 * map then would leave an m-line undescribed.
 */
export function publishSources(transceivers: readonly PublishedTransceiver[]): Record<string, RoomSource> | null {
  const sources: Record<string, RoomSource> = {};
  for (const t of transceivers) {
    if (!t.active) continue;
    if (t.mid === null) return null;
    sources[t.mid] = t.source;
  }
  return sources;
}

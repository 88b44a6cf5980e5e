import { describe, expect, it } from 'vitest';
import { deviceOptions, openMedia, type MediaDevicesLike } from './media';

describe('media', () => {
  it('lists devices of one kind, with labels even before permission', () => {
    const devices = [
      { deviceId: 'm1', kind: 'audioinput', label: 'Built-in microphone' },
      { deviceId: 'c1', kind: 'videoinput', label: '' },
      { deviceId: 'c2', kind: 'videoinput', label: '' },
      { deviceId: 'c2', kind: 'videoinput', label: '' },
      { deviceId: '', kind: 'videoinput', label: '' },
      { deviceId: 's1', kind: 'audiooutput', label: 'Speakers' },
    ] as const;
    expect(deviceOptions(devices, 'audioinput')).toEqual([{ id: 'm1', label: 'Built-in microphone' }]);
    expect(deviceOptions(devices, 'videoinput')).toEqual([
      { id: 'c1', label: 'Camera 1' },
      { id: 'c2', label: 'Camera 2' },
    ]);
  });

  it('opens what works: both, else the microphone, else the camera, else nothing', async () => {
    const stream = { id: 's' } as unknown as MediaStream;
    const only = (ok: (c: MediaStreamConstraints) => boolean): MediaDevicesLike => ({
      getUserMedia: (c) => (ok(c) ? Promise.resolve(stream) : Promise.reject(new Error('NotFoundError'))),
      enumerateDevices: () => Promise.resolve([]),
    });
    expect(await openMedia(only(() => true))).toEqual({ stream, notice: null });
    const audio = await openMedia(only((c) => !c.video));
    expect(audio.stream).toBe(stream);
    expect(audio.notice).toMatch(/No camera/);
    const video = await openMedia(only((c) => !c.audio));
    expect(video.notice).toMatch(/No microphone/);
    const none = await openMedia(only(() => false));
    expect(none.stream).toBeNull();
    expect(none.notice).toMatch(/could not be used/);
    expect((await openMedia(null)).stream).toBeNull();
  });
});

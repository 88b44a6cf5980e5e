// The camera and microphone: opening them with fallbacks (a call works without a camera, and even
// without both, receiving only), and the lists of devices to choose from.

export interface DeviceOption {
  id: string;
  label: string;
}

/** The part of `navigator.mediaDevices` calls use. */
export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia?(options?: DisplayMediaStreamOptions): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  addEventListener?(type: 'devicechange', listener: () => void): void;
  removeEventListener?(type: 'devicechange', listener: () => void): void;
}

/** Devices of one kind for a select, each with a label even before permission (no names then). */
export function deviceOptions(
  devices: readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[],
  kind: 'audioinput' | 'videoinput',
): DeviceOption[] {
  const noun = kind === 'audioinput' ? 'Microphone' : 'Camera';
  const seen = new Set<string>();
  const options: DeviceOption[] = [];
  for (const d of devices) {
    if (d.kind !== kind || !d.deviceId || seen.has(d.deviceId)) continue;
    seen.add(d.deviceId);
    options.push({ id: d.deviceId, label: d.label || `${noun} ${options.length + 1}` });
  }
  return options;
}

export interface OpenedMedia {
  stream: MediaStream | null;
  /** What is missing, in words, when not both could be opened. */
  notice: string | null;
}

/** Opens the camera and microphone, or whichever of them works. */
export async function openMedia(devices: MediaDevicesLike | null): Promise<OpenedMedia> {
  if (!devices) {
    return { stream: null, notice: 'This browser cannot use a camera or microphone here; you can still see and hear them.' };
  }
  const attempts: [MediaStreamConstraints, string | null][] = [
    [{ audio: true, video: true }, null],
    [{ audio: true }, 'No camera could be used: they will hear you but not see you.'],
    [{ video: true }, 'No microphone could be used: they will see you but not hear you.'],
  ];
  for (const [constraints, notice] of attempts) {
    try {
      return { stream: await devices.getUserMedia(constraints), notice };
    } catch {
      // try with less
    }
  }
  return {
    stream: null,
    notice: 'Your camera and microphone could not be used (check the browser’s permissions); you can still see and hear them.',
  };
}

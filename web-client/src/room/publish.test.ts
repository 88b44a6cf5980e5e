import { describe, expect, it } from 'vitest';
import { publishSources, SIMULCAST_ENCODINGS } from './publish';

describe('publishSources', () => {
  it('maps every active mid to its source', () => {
    expect(
      publishSources([
        { mid: '0', source: 'camera', active: true },
        { mid: '1', source: 'microphone', active: true },
        { mid: '2', source: 'screen', active: true },
      ]),
    ).toEqual({ '0': 'camera', '1': 'microphone', '2': 'screen' });
  });

  it('leaves a stopped share out', () => {
    expect(
      publishSources([
        { mid: '0', source: 'camera', active: true },
        { mid: '2', source: 'screen', active: false },
      ]),
    ).toEqual({ '0': 'camera' });
  });

  it('is null while an active transceiver has no mid (before setLocalDescription)', () => {
    expect(publishSources([{ mid: null, source: 'camera', active: true }])).toBeNull();
    expect(publishSources([{ mid: null, source: 'screen', active: false }])).toEqual({});
  });
});

describe('simulcast', () => {
  it('sends three layers, low to high, at the SFU’s costs', () => {
    expect(SIMULCAST_ENCODINGS.map((e) => [e.rid, e.scaleResolutionDownBy ?? 1, e.maxBitrate])).toEqual([
      ['l', 4, 150_000],
      ['m', 2, 500_000],
      ['h', 1, 1_500_000],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { qualityDetails, qualityLabel, rate, reading, sampleStats } from './quality';

function report(stats: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  return new Map(stats.map((s, i) => [String(s.id ?? i), s]));
}

describe('connection quality', () => {
  it('reads the selected pair’s round trip and the incoming packets', () => {
    const sample = sampleStats(
      report([
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
        { id: 'P1', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.9 },
        { id: 'P2', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.042 },
        { id: 'A', type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 1 },
        { id: 'V', type: 'inbound-rtp', kind: 'video', packetsReceived: 300, packetsLost: 4, framesDecoded: 60 },
        { id: 'O', type: 'outbound-rtp', kind: 'video', packetsSent: 999 },
      ]),
    );
    expect(sample).toEqual({ rttMs: 42, packetsReceived: 400, packetsLost: 5, framesDecoded: 60 });
  });

  it('falls back on the nominated pair, then on remote-inbound-rtp', () => {
    expect(
      sampleStats(report([{ id: 'P', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.1 }])).rttMs,
    ).toBe(100);
    expect(sampleStats(report([{ id: 'R', type: 'remote-inbound-rtp', roundTripTime: 0.3 }])).rttMs).toBeCloseTo(300);
    expect(sampleStats(report([])).rttMs).toBeNull();
  });

  it('rates round trip and loss', () => {
    expect(rate(null, null)).toBeNull();
    expect(rate(40, 0)).toBe('good');
    expect(rate(300, 0)).toBe('fair');
    expect(rate(40, 5)).toBe('fair');
    expect(rate(600, 0)).toBe('poor');
    expect(rate(40, 12)).toBe('poor');
    expect(rate(null, 0)).toBe('good');
  });

  it('counts loss over the interval between samples', () => {
    const a = { rttMs: 20, packetsReceived: 1000, packetsLost: 100, framesDecoded: 0 };
    const b = { rttMs: 20, packetsReceived: 1990, packetsLost: 110, framesDecoded: 0 };
    const r = reading(a, b);
    expect(r.lossPercent).toBeCloseTo(1);
    expect(r.quality).toBe('good');
    expect(reading(null, a).lossPercent).toBeCloseTo((100 / 1100) * 100);
    expect(reading(b, b).lossPercent).toBeNull();
  });

  it('says it in words', () => {
    expect(qualityLabel('good')).toBe('Good');
    expect(qualityLabel(null)).toBe('Measuring…');
    expect(qualityDetails({ quality: 'good', rttMs: 41.6, lossPercent: 0.25 })).toBe('round trip 42 ms, 0.3% packet loss');
    expect(qualityDetails({ quality: 'poor', rttMs: null, lossPercent: 12.4 })).toBe('12% packet loss');
  });
});

// Connection quality from `RTCPeerConnection.getStats()`: the round-trip time of the candidate pair
// in use and the share of incoming packets lost since the previous sample, rated Good, Fair or
// Poor. Shown as text (never by colour alone).

export type Quality = 'good' | 'fair' | 'poor';

/** Totals read from one stats report. */
export interface StatsSample {
  /** Round-trip time of the selected candidate pair, in milliseconds (null before one is known). */
  rttMs: number | null;
  /** Incoming RTP packets received and lost, all streams, since the connection began. */
  packetsReceived: number;
  packetsLost: number;
  /** Incoming video frames decoded so far. */
  framesDecoded: number;
}

/** What the indicator shows: the rating and the two numbers behind it. */
export interface QualityReading {
  quality: Quality | null;
  rttMs: number | null;
  /** Percent of incoming packets lost since the previous sample. */
  lossPercent: number | null;
}

type Stat = Record<string, unknown> & { type?: string; id?: string };

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads the totals from a report (an `RTCStatsReport` or any map of stats by id). */
export function sampleStats(report: { forEach(cb: (value: Stat) => void): void }): StatsSample {
  const stats: Stat[] = [];
  report.forEach((value) => stats.push(value));
  const byId = new Map<string, Stat>();
  for (const s of stats) if (typeof s.id === 'string') byId.set(s.id, s);

  // The pair in use: the transport names it; otherwise the nominated, succeeded one.
  let pair: Stat | undefined;
  for (const s of stats) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      pair = byId.get(s.selectedCandidatePairId);
      if (pair) break;
    }
  }
  pair ??= stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true);

  let rttSeconds = pair ? num(pair.currentRoundTripTime) : null;
  if (rttSeconds === null) {
    // Fall back on what the other side reported about our media.
    for (const s of stats) {
      if (s.type === 'remote-inbound-rtp') {
        const rtt = num(s.roundTripTime);
        if (rtt !== null) rttSeconds = Math.max(rttSeconds ?? 0, rtt);
      }
    }
  }

  let packetsReceived = 0;
  let packetsLost = 0;
  let framesDecoded = 0;
  for (const s of stats) {
    if (s.type !== 'inbound-rtp') continue;
    packetsReceived += num(s.packetsReceived) ?? 0;
    // May be negative when duplicates arrive; never count that as less than nothing lost.
    packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
    if (s.kind === 'video') framesDecoded += num(s.framesDecoded) ?? 0;
  }
  return { rttMs: rttSeconds === null ? null : rttSeconds * 1000, packetsReceived, packetsLost, framesDecoded };
}

/** The rating of a round-trip time and a loss percentage. */
export function rate(rttMs: number | null, lossPercent: number | null): Quality | null {
  if (rttMs === null && lossPercent === null) return null;
  const rtt = rttMs ?? 0;
  const loss = lossPercent ?? 0;
  if (rtt >= 500 || loss >= 10) return 'poor';
  if (rtt >= 250 || loss >= 3) return 'fair';
  return 'good';
}

/** The reading between two samples (the loss is over that interval only). */
export function reading(previous: StatsSample | null, current: StatsSample): QualityReading {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  const total = received + Math.max(0, lost);
  const lossPercent = total > 0 ? (Math.max(0, lost) / total) * 100 : null;
  return { quality: rate(current.rttMs, lossPercent), rttMs: current.rttMs, lossPercent };
}

const LABELS: Record<Quality, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

export function qualityLabel(quality: Quality | null): string {
  return quality ? LABELS[quality] : 'Measuring…';
}

/** "round trip 42 ms, 0.5% packet loss" (the parts known so far). */
export function qualityDetails(r: QualityReading): string {
  const parts: string[] = [];
  if (r.rttMs !== null) parts.push(`round trip ${Math.round(r.rttMs)} ms`);
  if (r.lossPercent !== null) {
    const loss = r.lossPercent < 1 && r.lossPercent > 0 ? r.lossPercent.toFixed(1) : String(Math.round(r.lossPercent));
    parts.push(`${loss}% packet loss`);
  }
  return parts.join(', ');
}

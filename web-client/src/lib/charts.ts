// The arithmetic behind the dashboard's SVG charts: a value axis with round ticks, bands for
// categories, points of a line, and a sentence that sums a chart up for screen readers. Pure
// functions, so the charts themselves only draw.

export interface Axis {
  /** The top of the axis: the largest value rounded up to a whole number of steps. */
  max: number;
  step: number;
  /** 0, step, 2·step … max. */
  ticks: number[];
}

/** A round step (1, 2 or 5 times a power of ten, and never below 1: counts are whole) near `rough`. */
export function niceStep(rough: number): number {
  if (!Number.isFinite(rough) || rough <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * A value axis from 0 that holds every value with about `target` round steps. An empty or
 * all-zero chart still gets an axis of one step, so bars of 0 sit on a sensible scale.
 */
export function valueAxis(values: readonly number[], target = 4): Axis {
  const largest = values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
  const step = niceStep(largest / Math.max(1, target));
  const max = Math.max(step, Math.ceil(largest / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(t);
  return { max, step, ticks };
}

/** Maps a value on the axis to a length from 0 to `size` pixels (clamped). */
export function scale(value: number, axis: Axis, size: number): number {
  if (!Number.isFinite(value) || value <= 0 || axis.max <= 0) return 0;
  return Math.min(size, (value / axis.max) * size);
}

export interface Band {
  /** Where the band starts. */
  start: number;
  /** Its width. */
  width: number;
  /** Its middle, where a label or a point goes. */
  center: number;
}

/**
 * Splits `size` pixels into `count` equal bands with `gap` (a fraction of a band, 0 to 0.9)
 * between them, and the same half gap at each end.
 */
export function bands(count: number, size: number, gap = 0.25): Band[] {
  if (count <= 0) return [];
  const g = Math.min(0.9, Math.max(0, gap));
  const slot = size / count;
  const width = slot * (1 - g);
  return Array.from({ length: count }, (_, i) => {
    const start = i * slot + (slot - width) / 2;
    return { start, width, center: start + width / 2 };
  });
}

/** The points of a line through `values`, one per band, in an SVG path's `d`. */
export function linePath(values: readonly number[], axis: Axis, width: number, height: number): string {
  const slots = bands(values.length, width, 0);
  return values
    .map((v, i) => {
      const x = slots[i]?.center ?? 0;
      const y = height - scale(v, axis, height);
      return `${i === 0 ? 'M' : 'L'}${round(x)},${round(y)}`;
    })
    .join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Only some of many category labels fit under an axis: every `n`th one, so that at most `max`
 * are shown (the first is always shown).
 */
export function labelEvery(count: number, max: number): number {
  if (count <= max || max <= 0) return 1;
  return Math.ceil(count / max);
}

export interface Series {
  name: string;
  values: readonly number[];
}

/**
 * One sentence that says what a chart shows, for its aria-label: the values themselves when
 * there are few, otherwise each series' range and latest value. The full numbers are in the
 * table beside the chart.
 */
export function chartSummary(title: string, labels: readonly string[], series: readonly Series[]): string {
  if (labels.length === 0) return `${title}: no data.`;
  const parts = series.map((s) => {
    const prefix = series.length > 1 ? `${s.name}: ` : '';
    if (labels.length <= 6) {
      return prefix + labels.map((l, i) => `${l} ${s.values[i] ?? 0}`).join(', ');
    }
    const values = labels.map((_, i) => s.values[i] ?? 0);
    const top = Math.max(...values);
    const at = labels[values.indexOf(top)];
    const total = values.reduce((a, b) => a + b, 0);
    return `${prefix}total ${total}, highest ${top} (${at}), latest ${values[values.length - 1]}`;
  });
  const span = labels.length > 6 ? ` over ${labels.length} points from ${labels[0]} to ${labels[labels.length - 1]}` : '';
  return `${title}${span}. ${parts.join('; ')}.`;
}

/** "2026-03-02" → "2 Mar" (in UTC, as the weeks are calendar dates). */
export function weekLabel(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** A key of the API (`questionnaire_pending`) as words ("Questionnaire pending"). */
export function keyLabel(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : '—';
}

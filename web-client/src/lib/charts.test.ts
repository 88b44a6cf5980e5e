import { describe, expect, it } from 'vitest';
import { bands, chartSummary, keyLabel, labelEvery, linePath, niceStep, scale, valueAxis, weekLabel } from './charts';

describe('value axis', () => {
  it('rounds steps to 1, 2 or 5 times a power of ten, never below 1', () => {
    expect(niceStep(0)).toBe(1);
    expect(niceStep(0.3)).toBe(1);
    expect(niceStep(1.5)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(12)).toBe(20);
    expect(niceStep(260)).toBe(500);
    expect(niceStep(Number.NaN)).toBe(1);
  });

  it('holds the largest value with round ticks from 0', () => {
    expect(valueAxis([3, 7, 2])).toEqual({ max: 8, step: 2, ticks: [0, 2, 4, 6, 8] });
    expect(valueAxis([10])).toEqual({ max: 10, step: 5, ticks: [0, 5, 10] });
    expect(valueAxis([1, 1])).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(valueAxis([42])).toEqual({ max: 60, step: 20, ticks: [0, 20, 40, 60] });
  });

  it('gives an empty or all-zero chart an axis of one step', () => {
    expect(valueAxis([])).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(valueAxis([0, 0])).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(valueAxis([Number.NaN, -3])).toEqual({ max: 1, step: 1, ticks: [0, 1] });
  });

  it('scales values to pixels, clamped to the axis', () => {
    const axis = valueAxis([8]);
    expect(scale(4, axis, 200)).toBe(100);
    expect(scale(8, axis, 200)).toBe(200);
    expect(scale(0, axis, 200)).toBe(0);
    expect(scale(-1, axis, 200)).toBe(0);
    expect(scale(99, axis, 200)).toBe(200);
  });
});

describe('bands', () => {
  it('splits the width into equal bands with gaps', () => {
    const b = bands(4, 400, 0.5);
    expect(b).toHaveLength(4);
    expect(b[0]).toEqual({ start: 25, width: 50, center: 50 });
    expect(b[3]).toEqual({ start: 325, width: 50, center: 350 });
  });

  it('has no bands for no categories', () => {
    expect(bands(0, 400)).toEqual([]);
  });

  it('draws a line through the middle of each band', () => {
    const axis = valueAxis([0, 4]);
    expect(linePath([0, 4], axis, 200, 100)).toBe('M50,100 L150,0');
    expect(linePath([], axis, 200, 100)).toBe('');
  });

  it('shows every nth label when too many would crowd the axis', () => {
    expect(labelEvery(5, 8)).toBe(1);
    expect(labelEvery(20, 8)).toBe(3);
  });
});

describe('summaries', () => {
  it('lists a few values', () => {
    expect(chartSummary('Participants by role', ['Mentee', 'Mentor'], [{ name: 'People', values: [3, 2] }])).toBe(
      'Participants by role. Mentee 3, Mentor 2.',
    );
  });

  it('names each series when there are several', () => {
    const text = chartSummary('Matches', ['2 Mar', '9 Mar'], [
      { name: 'Activated', values: [1, 2] },
      { name: 'Ended', values: [0, 1] },
    ]);
    expect(text).toBe('Matches. Activated: 2 Mar 1, 9 Mar 2; Ended: 2 Mar 0, 9 Mar 1.');
  });

  it('sums long series up', () => {
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const text = chartSummary('Active pairs', labels, [{ name: 'Pairs', values: [1, 5, 2, 0, 0, 3, 4] }]);
    expect(text).toBe('Active pairs over 7 points from a to g. total 15, highest 5 (b), latest 4.');
  });

  it('says when there is nothing', () => {
    expect(chartSummary('Meetings', [], [])).toBe('Meetings: no data.');
  });

  it('formats weeks and keys', () => {
    expect(weekLabel('2026-03-02')).toBe('2 Mar');
    expect(weekLabel('soon')).toBe('soon');
    expect(keyLabel('questionnaire_pending')).toBe('Questionnaire pending');
    expect(keyLabel('6+')).toBe('6+');
  });
});

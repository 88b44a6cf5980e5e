import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { applyAlertFrame, applySurveyFrame, MY_SURVEYS_KEY } from './programData';

function stale(client: QueryClient, key: readonly unknown[]): boolean | undefined {
  return client.getQueryState(key)?.isInvalidated;
}

describe('live program-data frames', () => {
  it('a survey frame refetches my surveys', () => {
    const client = new QueryClient();
    client.setQueryData(MY_SURVEYS_KEY, { items: [] });
    applySurveyFrame(client);
    expect(stale(client, MY_SURVEYS_KEY)).toBe(true);
  });

  it('an alert frame refetches that program’s alerts, engagement and dashboard only', () => {
    const client = new QueryClient();
    const keys = [
      ['alerts', 'p1', false],
      ['engagement', 'p1'],
      ['dashboard', 'p1', {}],
      ['alerts', 'p2', false],
    ];
    for (const key of keys) client.setQueryData(key, {});
    applyAlertFrame(client, { program_id: 'p1' });
    expect(keys.map((k) => stale(client, k))).toEqual([true, true, true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { reportKeys } from '../api/queryKeys';
import type { MyReport } from '../api/types';
import { applyReportFrame, ReportNotices } from './reports';

const MINE: MyReport = {
  id: 'r1',
  program_id: 'p1',
  kind: 'message',
  category: 'harassment',
  note: '',
  subject: { user_id: 'kwame', name: 'Kwame Mentor' },
  created_at: '2030-01-01T10:00:00Z',
  status: 'open',
};

describe('report frames', () => {
  it('refetch the program’s queue, and my reports after a review', () => {
    const client = new QueryClient();
    const empty = { pages: [], pageParams: [] };
    for (const key of [reportKeys.queue('p1', false), reportKeys.queue('p1', true), reportKeys.queue('p2', false), reportKeys.mine]) {
      client.setQueryData(key, empty);
    }
    applyReportFrame(client, { program_id: 'p1', status: 'open' });
    const invalidated = () =>
      [reportKeys.queue('p1', false), reportKeys.queue('p1', true), reportKeys.queue('p2', false), reportKeys.mine].map(
        (key) => client.getQueryState(key)?.isInvalidated,
      );
    expect(invalidated()).toEqual([true, true, false, false]);
    applyReportFrame(client, { program_id: 'p1', status: 'reviewed' });
    expect(invalidated()).toEqual([true, true, false, true]);
  });

  it('raise one polite notice per review, naming the person when known, none for a new report', () => {
    const notices = new ReportNotices();
    let changes = 0;
    notices.subscribe(() => (changes += 1));
    notices.onFrame({ report_id: 'r1', status: 'open' }, undefined);
    expect(notices.getSnapshot()).toEqual([]);
    notices.onFrame({ report_id: 'r1', status: 'reviewed' }, { pages: [{ items: [MINE], next_cursor: null }], pageParams: [null] });
    notices.onFrame({ report_id: 'r1', status: 'reviewed' }, undefined);
    expect(notices.getSnapshot()).toEqual([
      { key: 'r1', text: 'The coordinators reviewed your report about Kwame Mentor. Thank you for telling them.' },
    ]);
    notices.onFrame({ report_id: 'r2', status: 'reviewed' }, undefined);
    expect(notices.getSnapshot().map((n) => n.text)).toEqual([
      'The coordinators reviewed your report about Kwame Mentor. Thank you for telling them.',
      'The coordinators reviewed one of your reports. Thank you for telling them.',
    ]);
    notices.dismiss('r1');
    expect(notices.getSnapshot().map((n) => n.key)).toEqual(['r2']);
    expect(changes).toBe(3);
  });
});

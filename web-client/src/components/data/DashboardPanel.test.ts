import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Dashboard } from '../../api/programData';
import { DashboardView } from './DashboardPanel';

const DATA: Dashboard = {
  participants: {
    by_role: [
      { key: 'coordinator', count: 1 },
      { key: 'mentee', count: 2 },
      { key: 'mentor', count: 1 },
    ],
    by_stage: [{ key: 'resident', count: 2 }],
    by_status: [
      { key: 'matched', count: 2 },
      { key: 'questionnaire_pending', count: 1 },
    ],
  },
  matches_over_time: [
    { week: '2026-11-16', activated: 0, ended: 0 },
    { week: '2026-11-23', activated: 1, ended: 0 },
  ],
  weekly_active_pairs: [],
  meetings_per_pair: [
    { bucket: '0', pairs: 1 },
    { bucket: '1', pairs: 0 },
  ],
  surveys: [
    {
      survey_id: 's1',
      title: 'Check-in',
      responses: 2,
      questions: [
        { id: 'q1', kind: 'scale', prompt: 'How is it going?', count: 2, average: 3, distribution: [0, 1, 0, 1, 0] },
        { id: 'q2', kind: 'single', prompt: 'Fit?', count: 2, options: [{ option: 'Yes', count: 1 }, { option: 'No', count: 1 }] },
        { id: 'q3', kind: 'text', prompt: 'Notes?', count: 1, answers: ['Going <well>'] },
      ],
    },
  ],
  at_risk: { open: 1, by_rule: [{ key: 'not_a_good_fit', count: 1 }] },
  cohorts: [],
};

function count(html: string, pattern: RegExp): number {
  return html.match(pattern)?.length ?? 0;
}

describe('dashboard', () => {
  const html = renderToStaticMarkup(createElement(DashboardView, { data: DATA }));

  it('gives every chart a summary and a table with a caption', () => {
    const charts = count(html, /<svg[^>]*role="img"/g);
    expect(charts).toBe(8);
    expect(count(html, /<table>/g)).toBe(charts);
    expect(count(html, /<caption>/g)).toBe(charts);
    expect(html).toContain('aria-label="Participants by role. Coordinator 1, Mentee 2, Mentor 1."');
    expect(html).toContain('aria-label="Matches over time. Activated: 16 Nov 0, 23 Nov 1; Ended: 16 Nov 0, 23 Nov 0."');
  });

  it('says so where there is no data, and shows text answers as text', () => {
    expect(html).toContain('No activity in this period.');
    expect(html).toContain('Going &lt;well&gt;');
    expect(html).toContain('Average 3.0 from 2 answers.');
  });
});

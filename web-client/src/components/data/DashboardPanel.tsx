// The "Dashboard" section of a program's data page: who takes part, matches and activity over
// time, meetings per pair, survey results and pairs at risk, for the whole program or one
// cohort and a span of dates. Every chart has its table beside it.
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { dataApi, type Dashboard, type DashboardFilter, type KeyCount } from '../../api/programData';
import { dashboardKeys } from '../../api/queryKeys';
import { keyLabel, weekLabel } from '../../lib/charts';
import { BarChart, ColumnChart, LineChart } from '../charts/Charts';
import { FormError, SelectField, TextField } from '../forms';
import { QueryStatus } from '../Page';
import { SurveyResultsView } from './SurveyResultsView';

export function DashboardPanel({ programId }: { programId: string }) {
  const [filter, setFilter] = useState<DashboardFilter>({});
  const dashboard = useQuery({
    queryKey: dashboardKeys.filtered(programId, filter),
    queryFn: () => dataApi.dashboard(programId, filter),
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading">Dashboard</h2>
      <Filters cohorts={dashboard.data?.cohorts ?? []} filter={filter} onApply={setFilter} />
      <QueryStatus query={dashboard} loading="Loading the dashboard…" />
      {dashboard.data ? <DashboardView data={dashboard.data} /> : null}
    </section>
  );
}

function Filters({
  cohorts,
  filter,
  onApply,
}: {
  cohorts: readonly string[];
  filter: DashboardFilter;
  onApply: (filter: DashboardFilter) => void;
}) {
  const [cohort, setCohort] = useState(filter.cohort ?? '');
  const [from, setFrom] = useState(filter.from ?? '');
  const [to, setTo] = useState(filter.to ?? '');
  const [error, setError] = useState<string | null>(null);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (from && to && from > to) {
      setError('The “from” date must be on or before the “to” date.');
      return;
    }
    setError(null);
    onApply({ cohort: cohort || undefined, from: from || undefined, to: to || undefined });
  }

  return (
    <form className="filter-row dashboard-filters" onSubmit={onSubmit} aria-label="Dashboard filters">
      <FormError message={error} />
      <SelectField
        label="Cohort"
        name="cohort"
        value={cohort}
        onChange={setCohort}
        options={[{ value: '', label: 'All cohorts' }, ...cohorts.map((c) => ({ value: c, label: c }))]}
      />
      <TextField label="From" name="from" type="date" value={from} onChange={setFrom} />
      <TextField label="To" name="to" type="date" value={to} onChange={setTo} />
      <div className="actions">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}

function keyed(counts: readonly KeyCount[]) {
  return {
    labels: counts.map((c) => keyLabel(c.key)),
    series: [{ name: 'People', values: counts.map((c) => c.count) }],
  };
}

export function DashboardView({ data }: { data: Dashboard }) {
  const weeks = data.matches_over_time.map((w) => weekLabel(w.week));
  const activeWeeks = data.weekly_active_pairs.map((w) => weekLabel(w.week));
  const total = data.participants.by_role.reduce((n, c) => n + c.count, 0);
  return (
    <div className="dashboard">
      <dl className="facts dashboard-facts">
        <div>
          <dt>Participants</dt>
          <dd>{total}</dd>
        </div>
        <div>
          <dt>Pairs at risk</dt>
          <dd>{data.at_risk.open}</dd>
        </div>
        <div>
          <dt>Surveys</dt>
          <dd>{data.surveys.length}</dd>
        </div>
      </dl>

      <h3 className="dashboard-group">Participants</h3>
      <BarChart level={4} title="Participants by role" labelHeading="Role" {...keyed(data.participants.by_role)} empty="Nobody yet." />
      <BarChart level={4} title="Participants by status" labelHeading="Status" {...keyed(data.participants.by_status)} empty="Nobody yet." />
      <BarChart level={4} title="Participants by career stage" labelHeading="Career stage" {...keyed(data.participants.by_stage)} empty="Nobody yet." />

      <h3 className="dashboard-group">Matches and activity</h3>
      <ColumnChart
        level={4}
        title="Matches over time"
        labelHeading="Week of"
        labels={weeks}
        series={[
          { name: 'Activated', values: data.matches_over_time.map((w) => w.activated) },
          { name: 'Ended', values: data.matches_over_time.map((w) => w.ended) },
        ]}
        empty="No matches in this period."
      />
      <LineChart
        level={4}
        title="Weekly active pairs"
        labelHeading="Week of"
        labels={activeWeeks}
        series={[{ name: 'Active pairs', values: data.weekly_active_pairs.map((w) => w.pairs) }]}
        empty="No activity in this period."
      />
      <ColumnChart
        level={4}
        title="Meetings per pair"
        labelHeading="Meetings"
        labels={data.meetings_per_pair.map((b) => b.bucket)}
        series={[{ name: 'Pairs', values: data.meetings_per_pair.map((b) => b.pairs) }]}
        empty="No pairs yet."
      />

      <h3 className="dashboard-group">Pairs at risk</h3>
      <p>
        {data.at_risk.open === 0
          ? 'No pair is at risk now.'
          : `${data.at_risk.open} open ${data.at_risk.open === 1 ? 'alert' : 'alerts'}; see the Alerts section to act on them.`}
      </p>
      <BarChart
        level={4}
        title="Open alerts by rule"
        labelHeading="Rule"
        labels={data.at_risk.by_rule.map((c) => keyLabel(c.key))}
        series={[{ name: 'Alerts', values: data.at_risk.by_rule.map((c) => c.count) }]}
        empty="No open alerts."
      />

      <h3 className="dashboard-group">Surveys</h3>
      {data.surveys.length === 0 ? <p>No surveys yet.</p> : null}
      {data.surveys.map((s) => (
        <div key={s.survey_id} className="card">
          <SurveyResultsView results={s} />
        </div>
      ))}
    </div>
  );
}

// "Get help now": what each of my programs says to do when something is wrong (its own words and
// contacts, set by its coordinators), reachable from the header of every page. General advice
// comes first, so the page helps even before it loads or when no program has set a panel.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { dataApi } from '../api/programData';
import { helpKeys } from '../api/queryKeys';
import { PageHeading, QueryStatus } from '../components/Page';
import { formatDateTime } from '../lib/format';

export function HelpPage() {
  const help = useQuery({ queryKey: helpKeys.mine, queryFn: dataApi.myHelp });
  const panels = help.data?.items ?? [];
  return (
    <>
      <PageHeading title="Get help now">Get help now</PageHeading>
      <p>
        <strong>If you or someone else is in immediate danger, call your local emergency number now.</strong>
      </p>
      <p>
        To raise a concern about your match, choose “Ask a coordinator for help” on{' '}
        <Link to="/matches">My matches</Link>: your coordinators see that you asked and what you write; the other person
        is not told. During a call, Hang up leaves at once.
      </p>
      <QueryStatus query={help} loading="Loading your programs’ help information…" />
      {help.isSuccess && panels.length === 0 ? (
        <p>None of your programs has set up its own help information yet.</p>
      ) : null}
      {panels.map((panel) => (
        <section key={panel.program_id} className="card help-panel" aria-labelledby={`help-${panel.program_id}`}>
          <h2 id={`help-${panel.program_id}`}>{panel.program_name}</h2>
          <p className="help-text">{panel.text}</p>
          {panel.updated_at ? <p className="muted">Updated {formatDateTime(panel.updated_at)}</p> : null}
        </section>
      ))}
    </>
  );
}

// The matching console of a program, for its coordinators: run and approve rounds, tune the
// weights, place pairs by hand, follow the matches and set up the questionnaire. The section
// shown is kept in the address (?section=…), so a reload or a shared link opens it again.
import { Link, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { programKeys } from '../api/queryKeys';
import { MatchesPanel } from '../components/matching/MatchesPanel';
import { PlacePanel } from '../components/matching/PlacePanel';
import { RoundPanel } from '../components/matching/RoundPanel';
import { SetupPanel } from '../components/matching/SetupPanel';
import { WeightsPanel } from '../components/matching/WeightsPanel';
import { PageHeading, PageQueryStatus } from '../components/Page';
import { Tabs, type TabItem } from '../components/Tabs';
import { canCoordinate, useSession } from '../session';

type Section = 'round' | 'weights' | 'place' | 'matches' | 'setup';

const SECTIONS: readonly TabItem<Section>[] = [
  { value: 'round', label: 'Round' },
  { value: 'weights', label: 'Weights' },
  { value: 'place', label: 'Place by hand' },
  { value: 'matches', label: 'Matches' },
  { value: 'setup', label: 'Questionnaire setup' },
];

export function MatchingPage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const program = useQuery({ queryKey: programKeys.detail(id), queryFn: () => api.program(id) });
  const section = SECTIONS.find((s) => s.value === params.get('section'))?.value ?? 'round';

  const back = (
    <p className="breadcrumb">
      <Link to={`/programs/${encodeURIComponent(id)}`}>{program.data?.name ?? 'Back to the program'}</Link>
    </p>
  );

  if (!program.data) {
    return <PageQueryStatus query={program} title="Matching" back={{ to: '/programs', label: 'Back to your programs' }} />;
  }
  const p = program.data;
  if (!canCoordinate(user, p.my_role)) {
    return (
      <>
        {back}
        <PageHeading title={`Matching · ${p.name}`}>Matching</PageHeading>
        <p>This page is for the program’s coordinators.</p>
        {p.my_role === 'mentee' || p.my_role === 'mentor' ? (
          <p>
            <Link to={`/programs/${encodeURIComponent(p.id)}/questionnaire`}>Fill in your questionnaire</Link> or{' '}
            <Link to="/matches">see your matches</Link>.
          </p>
        ) : null}
      </>
    );
  }

  return (
    <>
      {back}
      <PageHeading title={`Matching · ${p.name}`}>Matching: {p.name}</PageHeading>
      <Tabs
        label="Matching sections"
        tabs={SECTIONS}
        selected={section}
        onSelect={(s) => setParams(s === 'round' ? {} : { section: s }, { replace: true })}
      >
        {section === 'round' ? <RoundPanel programId={p.id} /> : null}
        {section === 'weights' ? <WeightsPanel programId={p.id} /> : null}
        {section === 'place' ? <PlacePanel programId={p.id} /> : null}
        {section === 'matches' ? <MatchesPanel programId={p.id} /> : null}
        {section === 'setup' ? <SetupPanel programId={p.id} /> : null}
      </Tabs>
    </>
  );
}

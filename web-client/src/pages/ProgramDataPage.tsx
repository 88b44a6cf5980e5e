// A program's data, for its coordinators: the dashboard, engagement per pair, alerts about pairs
// at risk and the rules behind them, members (muted, suspended, and the actions), surveys, reports (the moderation queue), the code of conduct,
// the program's "get help now" panel, and exports. Like the matching console, the
// section shown is kept in the address (?section=…).
import { Link, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { programKeys } from '../api/queryKeys';
import { AlertsPanel } from '../components/data/AlertsPanel';
import { DashboardPanel } from '../components/data/DashboardPanel';
import { EngagementPanel } from '../components/data/EngagementPanel';
import { ExportsPanel } from '../components/data/ExportsPanel';
import { HelpPanelEditor } from '../components/data/HelpPanelEditor';
import { RiskSettingsPanel } from '../components/data/RiskSettingsPanel';
import { SurveysPanel } from '../components/data/SurveysPanel';
import { PageHeading, PageQueryStatus } from '../components/Page';
import { ConductEditor } from '../components/safety/ConductEditor';
import { ReportsPanel } from '../components/safety/ReportsPanel';
import { MembersPanel } from '../components/safety/MembersPanel';
import { Tabs, type TabItem } from '../components/Tabs';
import { canCoordinate, useSession } from '../session';
import '../program-data.css';

type Section = 'dashboard' | 'engagement' | 'alerts' | 'members' | 'reports' | 'surveys' | 'risk' | 'conduct' | 'help' | 'exports';

const SECTIONS: readonly TabItem<Section>[] = [
  { value: 'dashboard', label: 'Dashboard' },
  { value: 'engagement', label: 'Engagement' },
  { value: 'alerts', label: 'Alerts' },
  { value: 'members', label: 'Members' },
  { value: 'reports', label: 'Reports' },
  { value: 'surveys', label: 'Surveys' },
  { value: 'risk', label: 'Risk settings' },
  { value: 'conduct', label: 'Code of conduct' },
  { value: 'help', label: 'Help panel' },
  { value: 'exports', label: 'Exports' },
];

export function ProgramDataPage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const program = useQuery({ queryKey: programKeys.detail(id), queryFn: () => api.program(id) });
  const section = SECTIONS.find((s) => s.value === params.get('section'))?.value ?? 'dashboard';

  const back = (
    <p className="breadcrumb">
      <Link to={`/programs/${encodeURIComponent(id)}`}>{program.data?.name ?? 'Back to the program'}</Link>
    </p>
  );

  if (!program.data) {
    return <PageQueryStatus query={program} title="Program data" back={{ to: '/programs', label: 'Back to your programs' }} />;
  }
  const p = program.data;
  if (!canCoordinate(user, p.my_role)) {
    return (
      <>
        {back}
        <PageHeading title={`Program data · ${p.name}`}>Program data</PageHeading>
        <p>This page is for the program’s coordinators.</p>
      </>
    );
  }

  return (
    <>
      {back}
      <PageHeading title={`Program data · ${p.name}`}>Program data: {p.name}</PageHeading>
      <Tabs
        label="Program data sections"
        tabs={SECTIONS}
        selected={section}
        onSelect={(s) => setParams(s === 'dashboard' ? {} : { section: s }, { replace: true })}
      >
        {section === 'dashboard' ? <DashboardPanel programId={p.id} /> : null}
        {section === 'engagement' ? <EngagementPanel programId={p.id} /> : null}
        {section === 'alerts' ? <AlertsPanel programId={p.id} /> : null}
        {section === 'members' ? <MembersPanel programId={p.id} programName={p.name} /> : null}
        {section === 'reports' ? <ReportsPanel programId={p.id} /> : null}
        {section === 'surveys' ? <SurveysPanel programId={p.id} /> : null}
        {section === 'risk' ? <RiskSettingsPanel programId={p.id} /> : null}
        {section === 'conduct' ? <ConductEditor programId={p.id} /> : null}
        {section === 'help' ? <HelpPanelEditor programId={p.id} /> : null}
        {section === 'exports' ? <ExportsPanel programId={p.id} /> : null}
      </Tabs>
    </>
  );
}

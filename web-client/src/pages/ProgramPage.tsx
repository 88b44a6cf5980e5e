// One program: its members, and for its coordinators the tools to invite people (one at a
// time or from a CSV file), to manage the invitations, to open channels and to host events.
import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { invitationKeys, memberKeys, programKeys } from '../api/queryKeys';
import {
  ROLES,
  type ImportResult,
  type Invitation,
  type InvitationStatus,
  type Program,
  type Role,
} from '../api/types';
import { CopyField } from '../components/CopyField';
import { ProgramChannels } from '../components/ProgramChannels';
import { CheckinSummarySection } from '../components/meetings/CheckinSummarySection';
import { ProgramEventsSection } from '../components/events/ProgramEventsSection';
import { FormError, SelectField, StatusMessage, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading, PageQueryStatus, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { Tabs } from '../components/Tabs';
import { careerStageLabel, formatDate, formatDateTime, roleLabel, statusLabel } from '../lib/format';
import { invitationCsvProblem } from '../lib/csv';
import { hasErrors, validateInvite } from '../lib/validation';
import { canCoordinate, useSession } from '../session';

/** The largest CSV we send; the server has its own limit and answers 413 above it. */
const MAX_CSV_BYTES = 1024 * 1024;

export function ProgramPage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const location = useLocation();
  const justCreated = Boolean((location.state as { created?: boolean } | null)?.created);
  const program = useQuery({ queryKey: programKeys.detail(id), queryFn: () => api.program(id) });

  if (!program.data) {
    return <PageQueryStatus query={program} title="Program" back={{ to: '/programs', label: 'Back to your programs' }} />;
  }
  const p = program.data;
  const coordinator = canCoordinate(user, p.my_role);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/programs">Programs</Link>
      </p>
      <PageHeading title={p.name}>{p.name}</PageHeading>
      {justCreated ? (
        <p className="alert alert-success" role="status">
          Program created. Invite people to join it below.
        </p>
      ) : null}
      <ProgramFacts program={p} />
      <MatchingLinks program={p} coordinator={coordinator} />
      <Members programId={p.id} />
      {coordinator ? (
        <>
          <InviteOne programId={p.id} />
          <ImportCsv programId={p.id} />
          <Invitations programId={p.id} />
          <ProgramChannels programId={p.id} />
          <ProgramEventsSection programId={p.id} />
          <CheckinSummarySection programId={p.id} />
        </>
      ) : null}
    </>
  );
}

function ProgramFacts({ program }: { program: Program }) {
  return (
    <section aria-label="About this program" className="card">
      {program.description ? <p className="pre-line">{program.description}</p> : null}
      <dl className="facts">
        <div>
          <dt>Your role</dt>
          <dd>{roleLabel(program.my_role)}</dd>
        </div>
        <div>
          <dt>Starts</dt>
          <dd>{formatDate(program.starts_on)}</dd>
        </div>
        <div>
          <dt>Ends</dt>
          <dd>{formatDate(program.ends_on)}</dd>
        </div>
      </dl>
    </section>
  );
}

/** Where to go for matching: the console for coordinators, the questionnaire for the people matched. */
function MatchingLinks({ program, coordinator }: { program: Program; coordinator: boolean }) {
  const matched = program.my_role === 'mentee' || program.my_role === 'mentor';
  if (!coordinator && !matched) return null;
  const base = `/programs/${encodeURIComponent(program.id)}`;
  return (
    <section aria-labelledby="matching-heading" className="card">
      <h2 id="matching-heading">Matching</h2>
      <ul className="link-list">
        {coordinator ? (
          <li>
            <Link to={`${base}/matching`}>Matching console</Link> — run rounds, approve proposals, set up the
            questionnaire
          </li>
        ) : null}
        {coordinator ? (
          <li>
            <Link to={`${base}/data`}>Program data</Link> — dashboard, engagement, pairs at risk, surveys and exports
          </li>
        ) : null}
        {matched ? (
          <>
            <li>
              <Link to={`${base}/questionnaire`}>Your {program.my_role} questionnaire</Link> — what you tell us to find
              you a good match
            </li>
            <li>
              <Link to="/matches">My matches</Link>
            </li>
          </>
        ) : null}
      </ul>
    </section>
  );
}

function Members({ programId }: { programId: string }) {
  const members = usePagedList(memberKeys.list(programId), (cursor) => api.members(programId, cursor));
  return (
    <section aria-labelledby="members-heading" className="card">
      <h2 id="members-heading">Members</h2>
      <QueryStatus query={members} loading="Loading members…" />
      {members.isSuccess && members.items.length === 0 ? <p>No members yet.</p> : null}
      {members.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="members-caption" tabIndex={0}>
          <table>
            <caption id="members-caption" className="visually-hidden">
              Members of this program
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Institution</th>
                <th scope="col">Career stage</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {members.items.map((m) => (
                <tr key={m.user_id}>
                  <td>
                    {m.name}
                    {m.pronouns ? <span className="muted"> ({m.pronouns})</span> : null}
                  </td>
                  <td className="break">{m.email}</td>
                  <td>{roleLabel(m.role)}</td>
                  <td>{m.institution ?? '—'}</td>
                  <td>{careerStageLabel(m.career_stage)}</td>
                  <td className="nowrap">{formatDateTime(m.joined_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...members} what="members" />
    </section>
  );
}

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));

function InviteOne({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('mentee');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<Invitation | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const invite = useMutation({
    mutationFn: () => api.invite(programId, { name: name.trim(), email: email.trim(), role }),
    onSuccess: (invitation) => {
      setSent(invitation);
      setName('');
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: invitationKeys.ofProgram(programId) });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['name', 'email', 'role']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateInvite(name, email);
    setErrors(found);
    setFormError(null);
    setSent(null);
    if (!hasErrors(found)) invite.mutate();
  }

  return (
    <section aria-labelledby="invite-heading" className="card">
      <h2 id="invite-heading">Invite someone</h2>
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <FormError message={formError} />
        <div className="field-row">
          <TextField label="Name" name="name" value={name} onChange={setName} error={errors.name} required />
          <TextField
            label="Email"
            name="email"
            type="email"
            value={email}
            onChange={setEmail}
            error={errors.email}
            required
          />
          <SelectField
            label="Role"
            name="role"
            value={role}
            onChange={(v) => setRole(v as Role)}
            options={ROLE_OPTIONS}
            error={errors.role}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={invite.isPending}>
            {invite.isPending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
      <StatusMessage message={sent ? `Invitation sent to ${sent.name} <${sent.email}>.` : null} />
      {sent?.link ? (
        <CopyField label="Invitation link" value={sent.link} hint="You can also share this link yourself." />
      ) : null}
    </section>
  );
}

function ImportCsv({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const upload = useMutation({
    mutationFn: (csv: string) => api.importInvitations(programId, csv),
    onSuccess: (r) => {
      setResult(r);
      if (fileRef.current) fileRef.current.value = '';
      void queryClient.invalidateQueries({ queryKey: invitationKeys.ofProgram(programId) });
    },
    onError: (e) => {
      // A problem with the file as a whole (its header, its encoding) belongs next to the input.
      const fileProblem = fieldErrors(e).file;
      if (fileProblem) {
        setFileError(fileProblem);
        fileRef.current?.focus();
      } else {
        setFormError(errorMessage(e));
      }
    },
  });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    setFileError(null);
    setResult(null);
    const file = fileRef.current?.files?.[0];
    let problem: string | null = null;
    let text = '';
    if (!file) problem = 'Choose a CSV file to upload.';
    else if (file.size > MAX_CSV_BYTES) problem = 'The file is larger than 1 MB. Split it into smaller files.';
    else {
      text = await file.text();
      problem = invitationCsvProblem(text);
    }
    if (problem) {
      setFileError(problem);
      fileRef.current?.focus();
      return;
    }
    upload.mutate(text);
  }

  const created = result?.created.length ?? 0;
  return (
    <section aria-labelledby="import-heading" className="card">
      <h2 id="import-heading">Invite from a CSV file</h2>
      <form ref={formRef} onSubmit={(e) => void onSubmit(e)} noValidate>
        <FormError message={formError} />
        <div className={fileError ? 'field field-invalid' : 'field'}>
          <label htmlFor="csv-file">CSV file</label>
          <p className="field-hint" id="csv-file-hint">
            The first line must be the header <code>name,email,role</code>; role is mentee, mentor or
            coordinator. Each following line invites one person.
          </p>
          <input
            id="csv-file"
            ref={fileRef}
            type="file"
            name="csv"
            accept=".csv,text/csv"
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? 'csv-file-hint csv-file-error' : 'csv-file-hint'}
          />
          {fileError ? (
            <p className="field-error" id="csv-file-error">
              {fileError}
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button type="submit" disabled={upload.isPending}>
            {upload.isPending ? 'Uploading…' : 'Upload and invite'}
          </button>
        </div>
      </form>
      <StatusMessage
        message={
          result
            ? `${created} invited.` +
              (result.errors.length > 0
                ? ` ${result.errors.length} ${result.errors.length === 1 ? 'row' : 'rows'} could not be used.`
                : '')
            : null
        }
      />
      {result && result.errors.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="bad-rows-caption" tabIndex={0}>
          <table className="bad-rows">
            <caption id="bad-rows-caption">Rows that were not imported</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {result.errors.map((e) => (
                <tr key={`${e.line}-${e.reason}`}>
                  <td>{e.line}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

type StatusFilter = InvitationStatus | 'all';
const STATUS_TABS: { value: StatusFilter; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'accepted', label: 'Accepted' },
  { value: 'expired', label: 'Expired' },
  { value: 'revoked', label: 'Revoked' },
  { value: 'all', label: 'All' },
];

function Invitations({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StatusFilter>('pending');
  const invitations = usePagedList(invitationKeys.list(programId, status), (cursor) =>
    api.invitations(programId, status, cursor),
  );
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [resent, setResent] = useState<Invitation | null>(null);

  const act = useMutation({
    mutationFn: ({ invitation, action }: { invitation: Invitation; action: 'resend' | 'revoke' }) =>
      action === 'resend'
        ? api.resendInvitation(programId, invitation.id)
        : api.revokeInvitation(programId, invitation.id),
    onMutate: () => {
      setMessage(null);
      setActionError(null);
      setResent(null);
    },
    onSuccess: (updated, { action }) => {
      if (action === 'resend') {
        setMessage(`Invitation resent to ${updated.email}. It now expires ${formatDateTime(updated.expires_at)}.`);
        setResent(updated);
      } else {
        setMessage(`Invitation for ${updated.email} revoked.`);
      }
      void queryClient.invalidateQueries({ queryKey: invitationKeys.ofProgram(programId) });
    },
    onError: (e) => setActionError(errorMessage(e)),
  });

  return (
    <section aria-labelledby="invitations-heading" className="card">
      <h2 id="invitations-heading">Invitations</h2>
      <StatusMessage message={message} />
      <FormError message={actionError} />
      {resent?.link ? <CopyField label="New invitation link" value={resent.link} /> : null}
      <Tabs label="Invitation status" tabs={STATUS_TABS} selected={status} onSelect={setStatus}>
        <QueryStatus query={invitations} loading="Loading invitations…" />
        {invitations.isSuccess && invitations.items.length === 0 ? (
          <p>No {status === 'all' ? '' : `${status} `}invitations.</p>
        ) : null}
        {invitations.items.length > 0 ? (
          <div className="table-wrap" role="region" aria-labelledby="invitations-caption" tabIndex={0}>
            <table>
              <caption id="invitations-caption" className="visually-hidden">
                {status === 'all' ? 'All invitations' : `${statusLabel(status)} invitations`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires or accepted</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.items.map((inv) => (
                  <tr key={inv.id}>
                    <td>{inv.name}</td>
                    <td className="break">{inv.email}</td>
                    <td>{roleLabel(inv.role)}</td>
                    <td>
                      <span className={`badge badge-${inv.status}`}>{statusLabel(inv.status)}</span>
                    </td>
                    <td className="nowrap">
                      {inv.status === 'accepted' ? formatDateTime(inv.accepted_at) : formatDateTime(inv.expires_at)}
                    </td>
                    <td className="row-actions">
                      {inv.status === 'pending' || inv.status === 'expired' ? (
                        <>
                          <button
                            type="button"
                            className="button-secondary"
                            disabled={act.isPending}
                            onClick={() => act.mutate({ invitation: inv, action: 'resend' })}
                          >
                            Resend<span className="visually-hidden"> invitation to {inv.name}</span>
                          </button>
                          <button
                            type="button"
                            className="button-danger"
                            disabled={act.isPending}
                            onClick={() => {
                              if (window.confirm(`Revoke the invitation to ${inv.name} <${inv.email}>? The link will stop working.`)) {
                                act.mutate({ invitation: inv, action: 'revoke' });
                              }
                            }}
                          >
                            Revoke<span className="visually-hidden"> invitation to {inv.name}</span>
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <LoadMore {...invitations} what="invitations" />
      </Tabs>
    </section>
  );
}

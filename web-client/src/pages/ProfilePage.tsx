import { useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { accountKeys } from '../api/queryKeys';
import { CAREER_STAGES, type CareerStage, type CreatedToken, type User } from '../api/types';
import { CopyField } from '../components/CopyField';
import { FormError, SelectField, StatusMessage, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { browserTimeZone, formatDateTime, roleLabel, timeZones } from '../lib/format';
import { blankToNull, hasErrors } from '../lib/validation';
import { useSession } from '../session';

export function ProfilePage() {
  const { session } = useSession();
  const location = useLocation();
  const welcome = (location.state as { welcome?: string } | null)?.welcome;
  const me = useQuery({ queryKey: accountKeys.me, queryFn: api.me });

  return (
    <>
      <PageHeading title="Your profile">Your profile</PageHeading>
      {welcome ? (
        <p className="alert alert-success">
          Welcome to {welcome}! Tell your program a little about yourself.
        </p>
      ) : null}
      <QueryStatus query={me} />
      {me.data ? <ProfileForm user={me.data} /> : null}
      {session && session.memberships.length > 0 ? (
        <section aria-labelledby="memberships-heading" className="card">
          <h2 id="memberships-heading">Your programs</h2>
          <ul>
            {session.memberships.map((m) => (
              <li key={m.program_id}>
                <Link to={`/programs/${encodeURIComponent(m.program_id)}`}>{m.program_name}</Link> —{' '}
                {roleLabel(m.role)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ApiTokens />
    </>
  );
}

function ProfileForm({ user }: { user: User }) {
  const { setUser } = useSession();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(user.name);
  const [pronouns, setPronouns] = useState(user.pronouns ?? '');
  const [institution, setInstitution] = useState(user.institution ?? '');
  const [careerStage, setCareerStage] = useState<string>(user.career_stage ?? '');
  const [timeZone, setTimeZone] = useState(user.time_zone ?? browserTimeZone());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const zones = useMemo(() => timeZones(user.time_zone, browserTimeZone()), [user.time_zone]);
  const stageOptions = [{ value: '', label: 'Not set' }, ...CAREER_STAGES];

  const save = useMutation({
    mutationFn: () =>
      api.updateMe({
        name: name.trim(),
        pronouns: blankToNull(pronouns),
        institution: blankToNull(institution),
        career_stage: careerStage === '' ? null : (careerStage as CareerStage),
        time_zone: timeZone,
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(accountKeys.me, updated);
      setUser(updated);
      setSaved('Saved');
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['name', 'pronouns', 'institution', 'career_stage', 'time_zone']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (name.trim() === '') found.name = 'Enter your name.';
    setErrors(found);
    setFormError(null);
    setSaved(null);
    if (!hasErrors(found)) save.mutate();
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="card" aria-labelledby="about-heading">
      <h2 id="about-heading">About you</h2>
      <p className="muted">
        Signed in as <span className="break">{user.email}</span>
      </p>
      <FormError message={formError} />
      <TextField label="Name" name="name" autoComplete="name" value={name} onChange={setName} error={errors.name} required />
      <TextField
        label="Pronouns"
        name="pronouns"
        hint="For example: she/her, he/him, they/them."
        value={pronouns}
        onChange={setPronouns}
        error={errors.pronouns}
      />
      <TextField
        label="Institution"
        name="institution"
        autoComplete="organization"
        value={institution}
        onChange={setInstitution}
        error={errors.institution}
      />
      <SelectField
        label="Career stage"
        name="career_stage"
        value={careerStage}
        onChange={setCareerStage}
        options={stageOptions}
        error={errors.career_stage}
      />
      <SelectField
        label="Time zone"
        name="time_zone"
        value={timeZone}
        onChange={setTimeZone}
        options={zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))}
        error={errors.time_zone}
      />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save profile'}
        </button>
      </div>
      <StatusMessage message={saved} />
    </form>
  );
}

function ApiTokens() {
  const queryClient = useQueryClient();
  const tokens = usePagedList(accountKeys.tokens, (cursor) => api.tokens(cursor));
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: () => api.createToken(name.trim()),
    onSuccess: (result) => {
      setCreated(result);
      setName('');
      setStatus(`Token “${result.token.name}” created.`);
      void queryClient.invalidateQueries({ queryKey: accountKeys.tokens });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['name']));
    },
  });

  const revoke = useMutation({
    mutationFn: (id: string) => api.deleteToken(id),
    onSuccess: (_, id) => {
      const revoked = tokens.items.find((t) => t.id === id);
      setStatus(`Token “${revoked?.name ?? ''}” revoked.`);
      if (created?.token.id === id) setCreated(null);
      void queryClient.invalidateQueries({ queryKey: accountKeys.tokens });
    },
    onError: (e) => setFormError(errorMessage(e)),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (name.trim() === '') found.name = 'Enter a name so you can recognise the token later.';
    setErrors(found);
    setFormError(null);
    setStatus(null);
    if (!hasErrors(found)) create.mutate();
  }

  return (
    <section aria-labelledby="tokens-heading" className="card">
      <h2 id="tokens-heading">API tokens</h2>
      <p>Tokens let scripts use the Kindred API as you. Treat them like passwords.</p>
      <StatusMessage message={status} />
      {created ? (
        <CopyField
          label={`Secret for “${created.token.name}”`}
          value={created.secret}
          hint="Copy it now: it will not be shown again."
        />
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="inline-form">
        <FormError message={formError} />
        <TextField label="Token name" name="token_name" value={name} onChange={setName} error={errors.name} required />
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      <QueryStatus query={tokens} loading="Loading tokens…" />
      {tokens.isSuccess && tokens.items.length === 0 ? <p>You have no API tokens.</p> : null}
      {tokens.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="tokens-caption" tabIndex={0}>
          <table>
            <caption id="tokens-caption">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="nowrap">{formatDateTime(t.created_at)}</td>
                  <td className="nowrap">{t.last_used_at ? formatDateTime(t.last_used_at) : 'Never'}</td>
                  <td>
                    <button
                      type="button"
                      className="button-danger"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke the token “${t.name}”? Scripts using it will stop working.`)) {
                          revoke.mutate(t.id);
                        }
                      }}
                    >
                      Revoke<span className="visually-hidden"> token {t.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...tokens} what="tokens" />
    </section>
  );
}

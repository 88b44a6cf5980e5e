import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { programKeys, sessionKeys } from '../api/queryKeys';
import { FormError, TextAreaField, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { formatDate, roleLabel } from '../lib/format';
import { hasErrors, validateProgram } from '../lib/validation';
import { canCreatePrograms, useSession } from '../session';

export function ProgramsPage() {
  const { user } = useSession();
  const programs = usePagedList(programKeys.list, (cursor) => api.programs(cursor));

  return (
    <>
      <PageHeading title="Programs">Your programs</PageHeading>
      <QueryStatus query={programs} loading="Loading programs…" />
      {programs.isSuccess && programs.items.length === 0 ? (
        <p>
          {canCreatePrograms(user)
            ? 'You have no programs yet. Create one below.'
            : 'You are not in any program yet. When a coordinator invites you, the program will appear here.'}
        </p>
      ) : null}
      {programs.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="programs-caption" tabIndex={0}>
          <table>
            <caption id="programs-caption" className="visually-hidden">
              Programs
            </caption>
            <thead>
              <tr>
                <th scope="col">Program</th>
                <th scope="col">Your role</th>
                <th scope="col">Starts</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {programs.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/programs/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                  </td>
                  <td>{p.my_role ? roleLabel(p.my_role) : user?.is_admin ? 'Administrator' : '—'}</td>
                  <td>{formatDate(p.starts_on)}</td>
                  <td>{formatDate(p.ends_on)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...programs} what="programs" />
      {canCreatePrograms(user) ? <NewProgramForm /> : null}
    </>
  );
}

function NewProgramForm() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: () =>
      api.createProgram({
        name: name.trim(),
        description: description.trim(),
        starts_on: startsOn || null,
        ends_on: endsOn || null,
      }),
    onSuccess: (program) => {
      void queryClient.invalidateQueries({ queryKey: programKeys.list });
      // The creator becomes a coordinator: the session's memberships change.
      void queryClient.invalidateQueries({ queryKey: sessionKeys.current });
      queryClient.setQueryData(programKeys.detail(program.id), program);
      navigate(`/programs/${encodeURIComponent(program.id)}`, { state: { created: true } });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['name', 'description', 'starts_on', 'ends_on']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateProgram(name, startsOn, endsOn);
    setErrors(found);
    setFormError(null);
    if (!hasErrors(found)) create.mutate();
  }

  return (
    <section aria-labelledby="new-program-heading" className="card">
      <h2 id="new-program-heading">New program</h2>
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        <FormError message={formError} />
        <TextField label="Program name" name="name" value={name} onChange={setName} error={errors.name} required />
        <TextAreaField
          label="Description"
          name="description"
          value={description}
          onChange={setDescription}
          error={errors.description}
        />
        <div className="field-row">
          <TextField
            label="Start date"
            name="starts_on"
            type="date"
            value={startsOn}
            onChange={setStartsOn}
            error={errors.starts_on}
          />
          <TextField
            label="End date"
            name="ends_on"
            type="date"
            value={endsOn}
            onChange={setEndsOn}
            error={errors.ends_on}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create program'}
          </button>
        </div>
      </form>
    </section>
  );
}

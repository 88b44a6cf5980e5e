// For coordinators on a program's page: open a pair channel between two members, or create a
// group or announcement channel (for everyone in the program, or for chosen members).
import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { memberKeys } from '../api/queryKeys';
import type { Member } from '../api/types';
import type { Channel } from '../chat/protocol';
import { roleLabel } from '../lib/format';
import { FormError, SelectField, StatusMessage, TextField, useFocusFirstInvalid } from './forms';
import { QueryStatus } from './Page';

/** Pages of members fetched for the pickers, at most (100 a page would be 5000 people). */
const MAX_MEMBER_PAGES = 50;

export async function allMembers(programId: string): Promise<Member[]> {
  const out: Member[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_MEMBER_PAGES; i++) {
    const page = await api.members(programId, cursor);
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function memberLabel(m: Member): string {
  return `${m.name} (${roleLabel(m.role)})`;
}

export function ProgramChannels({ programId }: { programId: string }) {
  const members = useQuery({ queryKey: memberKeys.everyone(programId), queryFn: () => allMembers(programId) });
  return (
    <section aria-labelledby="channels-heading" className="card">
      <h2 id="channels-heading">Channels</h2>
      <p className="muted">
        Conversations happen in channels. A pair channel is a private conversation between two people (a mentor
        and a mentee); coordinators do not see its messages.
      </p>
      <QueryStatus query={members} loading="Loading members…" />
      {members.isSuccess ? (
        <>
          <OpenPair programId={programId} members={members.data} />
          <CreateChannel programId={programId} members={members.data} />
        </>
      ) : null}
    </section>
  );
}

function OpenPair({ programId, members }: { programId: string; members: Member[] }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const open = useMutation({
    mutationFn: () => api.createChannel(programId, { kind: 'pair', members: [first, second] }),
    onSuccess: ({ channel, created }) => {
      setResult(
        created
          ? `Pair channel “${channel.name}” opened. Both people can now message each other.`
          : `These two people already have a channel, “${channel.name}”; nothing changed.`,
      );
    },
    onError: (e) => {
      const found = fieldErrors(e);
      // The API reports problems with the pair under "members"; show them at the second pick.
      setErrors(found.members ? { second: found.members } : {});
      setFormError(formErrorMessage(e, ['members']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    setFormError(null);
    const found: FieldErrors = {};
    if (!first) found.first = 'Choose the first person.';
    if (!second) found.second = 'Choose the second person.';
    else if (second === first) found.second = 'Choose two different people.';
    setErrors(found);
    if (Object.keys(found).length === 0) open.mutate();
  }

  const options = [{ value: '', label: 'Choose someone…' }, ...members.map((m) => ({ value: m.user_id, label: memberLabel(m) }))];
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="pair-heading" className="subsection">
      <h3 id="pair-heading">Open a pair channel</h3>
      <FormError message={formError} />
      <div className="field-row">
        <SelectField label="First person" name="first" value={first} onChange={setFirst} options={options} error={errors.first} required />
        <SelectField label="Second person" name="second" value={second} onChange={setSecond} options={options} error={errors.second} required />
      </div>
      <div className="actions">
        <button type="submit" disabled={open.isPending}>
          {open.isPending ? 'Opening…' : 'Open pair channel'}
        </button>
      </div>
      <StatusMessage message={result} />
    </form>
  );
}

function CreateChannel({ programId, members }: { programId: string; members: Member[] }) {
  const formRef = useRef<HTMLFormElement>(null);
  const base = useId();
  const [kind, setKind] = useState<'group' | 'announcement'>('group');
  const [name, setName] = useState('');
  const [programWide, setProgramWide] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<Channel | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: () =>
      api.createChannel(programId, {
        kind,
        name: name.trim(),
        program_wide: programWide,
        members: programWide ? [] : chosen,
      }),
    onSuccess: ({ channel }) => {
      setCreated(channel);
      setName('');
      setChosen([]);
      setProgramWide(false);
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['name', 'members']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setFormError(null);
    const found: FieldErrors = {};
    if (!name.trim()) found.name = 'Give the channel a name.';
    if (!programWide && chosen.length === 0) found.members = 'Choose members, or make the channel program-wide.';
    setErrors(found);
    if (Object.keys(found).length === 0) create.mutate();
  }

  function toggle(userId: string, on: boolean) {
    setChosen((old) => (on ? [...old, userId] : old.filter((id) => id !== userId)));
  }

  const membersErrorId = `${base}-members-error`;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="group-heading" className="subsection">
      <h3 id="group-heading">Create a group or announcement channel</h3>
      <FormError message={formError} />
      <div className="field-row">
        <SelectField
          label="Kind"
          name="kind"
          value={kind}
          onChange={(v) => setKind(v === 'announcement' ? 'announcement' : 'group')}
          options={[
            { value: 'group', label: 'Group (everyone can post)' },
            { value: 'announcement', label: 'Announcement (only coordinators post)' },
          ]}
        />
        <TextField label="Channel name" name="channel-name" value={name} onChange={setName} error={errors.name} required maxLength={100} />
      </div>
      <div className="field checkbox-field">
        <input
          id={`${base}-wide`}
          type="checkbox"
          checked={programWide}
          onChange={(e) => setProgramWide(e.target.checked)}
          aria-describedby={`${base}-wide-hint`}
        />
        <label htmlFor={`${base}-wide`}>Everyone in the program</label>
        <p className="field-hint" id={`${base}-wide-hint`}>
          People who join the program later are added too.
        </p>
      </div>
      {!programWide ? (
        <fieldset
          className={errors.members ? 'member-picker field-invalid' : 'member-picker'}
          aria-describedby={errors.members ? membersErrorId : undefined}
        >
          <legend>Members</legend>
          <ul className="checkbox-list">
            {members.map((m) => {
              const id = `${base}-m-${m.user_id}`;
              return (
                <li key={m.user_id}>
                  <input
                    id={id}
                    type="checkbox"
                    checked={chosen.includes(m.user_id)}
                    onChange={(e) => toggle(m.user_id, e.target.checked)}
                    aria-invalid={errors.members ? true : undefined}
                  />
                  <label htmlFor={id}>{memberLabel(m)}</label>
                </li>
              );
            })}
          </ul>
          {errors.members ? (
            <p className="field-error" id={membersErrorId}>
              {errors.members}
            </p>
          ) : null}
        </fieldset>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create channel'}
        </button>
      </div>
      <StatusMessage
        message={created ? `${created.kind === 'announcement' ? 'Announcement' : 'Group'} channel “${created.name}” created.` : null}
      />
      {created ? (
        <p>
          <Link to={`/messages/${encodeURIComponent(created.id)}`}>Open “{created.name}” in Messages</Link>
        </p>
      ) : null}
    </form>
  );
}

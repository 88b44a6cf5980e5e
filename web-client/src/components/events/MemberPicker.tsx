// Choosing people among a program's members (an event's speakers or invitees): a search box
// narrows the list of checkboxes by name or email; the people chosen stay in the list whatever
// is typed, and are counted in the legend's hint.
import { useId, useState } from 'react';
import type { Member } from '../../api/types';
import { filterMembers } from '../../lib/events';
import { roleLabel } from '../../lib/format';

/** More than this many matches asks for a narrower search instead of a very long list. */
const SHOWN = 100;

export function MemberPicker({
  legend,
  members,
  values,
  onChange,
  error,
  hint,
}: {
  legend: string;
  members: readonly Member[];
  values: readonly string[];
  onChange: (values: string[]) => void;
  error?: string;
  hint?: string;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const shown = filterMembers(members, search, values);
  const visible = shown.slice(0, SHOWN);
  const hintId = `${id}-hint`;
  const errorId = error ? `${id}-error` : undefined;
  const chosenNames = members.filter((m) => values.includes(m.user_id)).map((m) => m.name);

  function toggle(userId: string, on: boolean) {
    onChange(on ? [...values, userId] : values.filter((v) => v !== userId));
  }

  return (
    <fieldset className={error ? 'choice-group field-invalid' : 'choice-group'} aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}>
      <legend>{legend}</legend>
      <p className="field-hint" id={hintId}>
        {hint ? `${hint} ` : ''}
        {chosenNames.length === 0 ? 'Nobody chosen yet.' : `Chosen (${chosenNames.length}): ${chosenNames.join(', ')}.`}
      </p>
      <div className="field">
        <label htmlFor={`${id}-search`}>Search {legend.toLowerCase()}</label>
        <input id={`${id}-search`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {members.length === 0 ? <p>The program has no members yet.</p> : null}
      {members.length > 0 && shown.length === 0 ? <p>Nobody matches “{search}”.</p> : null}
      <ul className="checkbox-list member-picker">
        {visible.map((m) => (
          <li key={m.user_id}>
            <input
              id={`${id}-${m.user_id}`}
              type="checkbox"
              checked={values.includes(m.user_id)}
              onChange={(e) => toggle(m.user_id, e.target.checked)}
              aria-invalid={error ? true : undefined}
            />
            <label htmlFor={`${id}-${m.user_id}`}>
              {m.name} <span className="muted">({roleLabel(m.role)})</span>
            </label>
          </li>
        ))}
      </ul>
      {shown.length > SHOWN ? <p className="muted">{shown.length - SHOWN} more match: type more of a name to find them.</p> : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

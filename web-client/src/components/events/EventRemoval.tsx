// A program's coordinators take someone out of a group event (docs/safety.md, "Taking someone out
// of an event"): its speakers who may be taken out, each with the action, and any other member of
// the program to pick. The action opens the moderation dialog (a plain sentence of what it does
// and a required reason). The host and coordinators are never offered.
import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { GroupEvent } from '../../api/events';
import { memberKeys } from '../../api/queryKeys';
import { mayTakeOutOfEvent } from '../../lib/moderation';
import { allMembers } from '../ProgramChannels';
import { useModeration } from '../safety/Moderation';

export function EventRemoval({ event, me, programName }: { event: GroupEvent; me: string | null; programName: string }) {
  const id = useId();
  const moderation = useModeration();
  const members = useQuery({ queryKey: memberKeys.everyone(event.program_id), queryFn: () => allMembers(event.program_id) });
  const [picked, setPicked] = useState('');
  if (!moderation) return null;
  const roleOf = (userId: string) => members.data?.find((m) => m.user_id === userId)?.role;
  const speakers = event.speakers.filter((s) => mayTakeOutOfEvent(me, { id: s.user_id, role: roleOf(s.user_id) }, event.host.user_id));
  const others = (members.data ?? []).filter(
    (m) =>
      !m.suspended_at &&
      !event.speakers.some((s) => s.user_id === m.user_id) &&
      mayTakeOutOfEvent(me, { id: m.user_id, role: m.role }, event.host.user_id),
  );
  const ask = (person: { id: string; name: string }) =>
    moderation.ask({
      action: 'event-remove',
      programId: event.program_id,
      programName,
      person,
      event: { id: event.id, title: `“${event.title}”` },
    });
  const chosen = others.find((m) => m.user_id === picked);
  return (
    <section aria-labelledby={`${id}-title`} className="card event-removal">
      <h2 id={`${id}-title`}>Take someone out of this event</h2>
      <p className="field-hint">
        For coordinators. Whoever you take out is no longer invited: they no longer see the event, cannot say they are going
        or enter its room, and leave its chat. The host and coordinators are not taken out.
      </p>
      {speakers.length > 0 ? (
        <ul className="plain-list">
          {speakers.map((s) => (
            <li key={s.user_id}>
              {s.name} <span className="muted">· speaker</span>{' '}
              <button type="button" className="button-secondary" onClick={() => ask({ id: s.user_id, name: s.name })}>
                Take {s.name} out of this event…
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {members.isError ? <p className="alert alert-error">The program’s members could not be read.</p> : null}
      {others.length > 0 ? (
        <div className="event-removal-pick">
          <label htmlFor={`${id}-person`}>Person</label>{' '}
          <select id={`${id}-person`} value={picked} onChange={(e) => setPicked(e.target.value)}>
            <option value="">Choose someone</option>
            {others.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {m.name}
              </option>
            ))}
          </select>{' '}
          <button
            type="button"
            className="button-secondary"
            aria-disabled={chosen ? undefined : true}
            onClick={() => {
              if (chosen) ask({ id: chosen.user_id, name: chosen.name });
            }}
          >
            Take out of this event…
          </button>
        </div>
      ) : null}
    </section>
  );
}

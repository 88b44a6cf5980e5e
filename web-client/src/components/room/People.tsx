// Who is in the room: on stage, the audience (raised hands first), and for hosts the lobby. A
// host has controls on each person who is not a host: admit, bring on stage or send back to the
// audience, mute or unmute, remove (after a confirmation). Everyone has "Report…" on each other
// person (to the program's coordinators, about this event). Every control names its person.
import { useEffect, useRef } from 'react';
import type { RoomPerson } from '../../chat/protocol';
import { eventReportTarget, type ReportableEvent } from '../../lib/reports';
import type { RoomController } from '../../room/controller';
import { audiencePeople, isHost, lobbyPeople, peopleCount, stagePeople, type RoomUi } from '../../room/state';
import { ReportButton } from '../safety/Reporting';
import { ConfirmAction, Named } from './controls';

/** The event the room belongs to, as a report about someone in it names it. */
export type RoomEvent = Pick<ReportableEvent, 'id' | 'program_id' | 'title'>;

function Hand() {
  return (
    <span className="room-hand" role="img" aria-label="Hand raised">
      ✋
    </span>
  );
}

function PersonRow({
  person,
  event,
  ui,
  controller,
  focusList,
}: {
  person: RoomPerson;
  event: RoomEvent;
  ui: RoomUi;
  controller: RoomController;
  focusList: () => void;
}) {
  const me = person.user === ui.you?.user;
  const moderate = isHost(ui) && !me && person.role !== 'host';
  const name = person.name;
  const onStage = person.role !== 'audience';
  return (
    <li className="room-person">
      <span className="room-person-name">
        {person.hand ? (
          <>
                <Hand />{' '}
          </>
        ) : null}
        {name}
        {me ? ' (you)' : ''}
        {person.role === 'host' ? <span className="muted"> · host</span> : null}
        {person.role === 'speaker' ? <span className="muted"> · speaker</span> : null}
        {person.muted ? <span className="muted"> · muted by the host</span> : null}
      </span>
      {moderate || !me ? (
        <span className="room-person-actions">
          {moderate ? (
            <>
          {onStage ? (
            <button type="button" className="button-secondary button-small" onClick={() => controller.stage(person.user, false)}>
              <Named verb="Send" name={name} rest="back to the audience" />
            </button>
          ) : (
            <button type="button" className="button-secondary button-small" onClick={() => controller.stage(person.user, true)}>
              <Named verb="Bring" name={name} rest="on stage" />
            </button>
          )}
          {onStage || person.muted ? (
            <button
              type="button"
              className="button-secondary button-small"
              onClick={() => controller.mute(person.user, !person.muted)}
            >
              <Named verb={person.muted ? 'Unmute' : 'Mute'} name={name} />
            </button>
          ) : null}
          <ConfirmAction
            trigger={<Named verb="Remove" name={name} />}
            question={`Remove ${name} from this event? They cannot come back.`}
            confirm={<Named verb="Yes, remove" name={name} />}
            onConfirm={() => controller.remove(person.user)}
            focusAfter={focusList}
          />
            </>
          ) : null}
          {me ? null : (
            <ReportButton
              target={() => eventReportTarget(event, { id: person.user, name })}
              label={`Report ${name} from this event`}
              className="button-secondary button-small"
            />
          )}
        </span>
      ) : null}
    </li>
  );
}

export function People({ ui, controller, event }: { ui: RoomUi; controller: RoomController; event: RoomEvent }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const focusList = () => heading.current?.focus();
  const stage = stagePeople(ui);
  const audience = audiencePeople(ui);
  const hands = audience.filter((p) => p.hand).length;
  return (
    <section className="room-people" aria-labelledby="room-people-heading">
      <h3 id="room-people-heading" ref={heading} tabIndex={-1}>
        People in the room
      </h3>
      <h4 id="room-on-stage">On stage ({stage.length})</h4>
      {stage.length > 0 ? (
        <ul className="room-person-list" aria-labelledby="room-on-stage">
          {stage.map((p) => (
            <PersonRow key={p.user} person={p} event={event} ui={ui} controller={controller} focusList={focusList} />
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody is on stage.</p>
      )}
      <h4 id="room-audience">
        Audience ({peopleCount(audience.length)}
        {hands > 0 ? `, ${hands} ${hands === 1 ? 'hand' : 'hands'} raised` : ''})
      </h4>
      {audience.length > 0 ? (
        <ul className="room-person-list" aria-labelledby="room-audience">
          {audience.map((p) => (
            <PersonRow key={p.user} person={p} event={event} ui={ui} controller={controller} focusList={focusList} />
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody is in the audience yet.</p>
      )}
    </section>
  );
}

/** The host's room controls: open, lock, end, and the people waiting in the lobby. */
export function HostControls({ ui, controller }: { ui: RoomUi; controller: RoomController }) {
  const lobby = lobbyPeople(ui);
  const lobbyHeading = useRef<HTMLHeadingElement>(null);
  const admitButtons = useRef(new Map<string, HTMLButtonElement>());
  // After an admission the row goes away: the focus moves to the next person waiting, or the heading.
  const focusAfterAdmit = useRef<{ admitted: string; next: string | null } | null>(null);
  useEffect(() => {
    const pending = focusAfterAdmit.current;
    if (!pending || lobby.some((p) => p.user === pending.admitted)) return;
    focusAfterAdmit.current = null;
    const next = pending.next ? admitButtons.current.get(pending.next) : undefined;
    if (next) next.focus();
    else lobbyHeading.current?.focus();
  });

  return (
    <section className="room-host" aria-labelledby="room-host-heading">
      <h3 id="room-host-heading">Host controls</h3>
      <p>
        {ui.status === 'lobby'
          ? 'The room is not open yet: people wait in the lobby until you open it or admit them.'
          : 'The room is open: people who join come straight in.'}
        {ui.locked ? ' It is locked: nobody new can come in.' : ''}
      </p>
      <div className="actions room-host-actions">
        {ui.status === 'lobby' ? (
          <button type="button" onClick={() => controller.open()}>
            Open the room
          </button>
        ) : null}
        <button type="button" className="button-secondary" onClick={() => controller.lock(!ui.locked)}>
          {ui.locked ? 'Unlock the room' : 'Lock the room'}
        </button>
        <ConfirmAction
          className="button-danger"
          trigger="End the event"
          question="End the event for everyone? Everybody leaves the room."
          confirm="Yes, end the event"
          onConfirm={() => controller.end()}
        />
      </div>
      <h4 id="room-lobby" ref={lobbyHeading} tabIndex={-1}>
        Waiting in the lobby ({lobby.length})
      </h4>
      {lobby.length > 0 ? (
        <ul className="room-person-list" aria-labelledby="room-lobby">
          {lobby.map((p, i) => (
            <li key={p.user} className="room-person">
              <span className="room-person-name">{p.name}</span>
              <span className="room-person-actions">
                <button
                  type="button"
                  className="button-small"
                  ref={(el) => {
                    if (el) admitButtons.current.set(p.user, el);
                    else admitButtons.current.delete(p.user);
                  }}
                  onClick={() => {
                    const next = lobby[i + 1] ?? lobby[i - 1] ?? null;
                    focusAfterAdmit.current = { admitted: p.user, next: next?.user ?? null };
                    controller.admit(p.user);
                  }}
                >
                  <Named verb="Admit" name={p.name} />
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody is waiting.</p>
      )}
    </section>
  );
}

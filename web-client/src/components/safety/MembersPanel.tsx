// The "Members" section of a program's data (docs/safety.md, "Moderating group channels",
// "Suspending someone"): everyone in the program with their role, whether they are suspended or
// muted (until when), and for members who are not coordinators Mute… / Unmute… and Suspend… /
// Reinstate…, each through a dialog that says what it does and asks for a reason.
import { api } from '../../api/endpoints';
import { memberKeys } from '../../api/queryKeys';
import type { Member } from '../../api/types';
import { formatDateTime, roleLabel } from '../../lib/format';
import { isMuted, type ModerationAction } from '../../lib/moderation';
import { useNow } from '../../lib/useNow';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';
import { useModeration } from './Moderation';

export function MembersPanel({ programId, programName }: { programId: string; programName: string }) {
  const members = usePagedList(memberKeys.list(programId), (cursor) => api.members(programId, cursor));
  const moderation = useModeration();
  const now = useNow(30_000);
  const ask = (action: ModerationAction, m: Member) =>
    moderation?.ask({ action, programId, programName, person: { id: m.user_id, name: m.name } });
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <p>
        A muted member reads the program’s group channels but cannot post there until the mute ends; a suspended member
        is no member of the program until reinstated, and nothing of theirs is deleted. Coordinators are neither muted
        nor suspended. Every action asks for a reason, kept in the audit log with your name.
      </p>
      <QueryStatus query={members} loading="Loading members…" />
      {members.isSuccess && members.items.length === 0 ? <p>No members yet.</p> : null}
      {members.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="members-caption" tabIndex={0}>
          <table>
            <caption id="members-caption">Members of {programName}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {members.items.map((m) => {
                const muted = isMuted(m.muted_until, now);
                const suspended = Boolean(m.suspended_at);
                return (
                  <tr key={m.user_id}>
                    <th scope="row">{m.name}</th>
                    <td>{roleLabel(m.role)}</td>
                    <td>
                      {suspended ? (
                        <span className="badge badge-suspended">Suspended since {formatDateTime(m.suspended_at)}</span>
                      ) : null}
                      {suspended && muted ? ' ' : null}
                      {muted ? <span className="badge badge-muted">Muted until {formatDateTime(m.muted_until)}</span> : null}
                      {!suspended && !muted ? 'Active' : null}
                    </td>
                    <td>
                      {m.role === 'coordinator' ? (
                        <span className="muted">None for coordinators</span>
                      ) : (
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button-secondary"
                            aria-label={`${muted ? 'Unmute' : 'Mute'} ${m.name}…`}
                            onClick={() => ask(muted ? 'unmute' : 'mute', m)}
                          >
                            {muted ? 'Unmute…' : 'Mute…'}
                          </button>
                          <button
                            type="button"
                            className="button-secondary"
                            aria-label={`${suspended ? 'Reinstate' : 'Suspend'} ${m.name}…`}
                            onClick={() => ask(suspended ? 'reinstate' : 'suspend', m)}
                          >
                            {suspended ? 'Reinstate…' : 'Suspend…'}
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...members} what="members" />
    </section>
  );
}

// The audit log, for admins: who exported what, and other recorded actions, newest first.
import { PageHeading, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { dataApi, type AuditEntry } from '../api/programData';
import { adminKeys } from '../api/queryKeys';
import { formatDateTime } from '../lib/format';

/** The entry's details as short text (they are a small JSON object). */
export function auditDetail(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '—';
  if (typeof detail === 'string') return detail;
  if (typeof detail === 'object' && !Array.isArray(detail)) {
    const parts = Object.entries(detail as Record<string, unknown>).map(
      ([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    );
    return parts.length > 0 ? parts.join(', ') : '—';
  }
  return JSON.stringify(detail);
}

function actorName(entry: AuditEntry): string {
  return entry.actor_name ?? (entry.actor_id ? 'Deleted person' : 'Kindred');
}

export function AuditPage() {
  const entries = usePagedList(adminKeys.audit, (cursor) => dataApi.audit(cursor));
  return (
    <>
      <PageHeading title="Audit log">Audit log</PageHeading>
      <p>Recorded actions, such as every export of program data, newest first.</p>
      <QueryStatus query={entries} loading="Loading the audit log…" />
      {entries.isSuccess && entries.items.length === 0 ? <p>Nothing recorded yet.</p> : null}
      {entries.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="audit-caption" tabIndex={0}>
          <table>
            <caption id="audit-caption" className="visually-hidden">
              Audit log entries
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.items.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatDateTime(e.created_at)}</td>
                  <td>{actorName(e)}</td>
                  <th scope="row">{e.action}</th>
                  <td className="break">{auditDetail(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...entries} what="entries" />
    </>
  );
}

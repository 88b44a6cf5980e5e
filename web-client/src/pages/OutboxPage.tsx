// The admin's view of mail the server "sent" while no SMTP server is configured. Bodies are
// shown as text; only links to this site itself become clickable.
import { PageHeading, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { api } from '../api/endpoints';
import { adminKeys } from '../api/queryKeys';
import { formatDateTime } from '../lib/format';
import { linkify } from '../lib/links';

function MailBody({ body }: { body: string }) {
  const segments = linkify(body, window.location.origin);
  return (
    <div className="mail-body">
      {segments.map((s, i) =>
        s.kind === 'link' ? (
          <a key={i} href={s.href}>
            {s.href}
          </a>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </div>
  );
}

export function OutboxPage() {
  const mails = usePagedList(adminKeys.outbox, (cursor) => api.outbox(cursor));
  return (
    <>
      <PageHeading title="Outbox">Outbox</PageHeading>
      <p>
        Email that Kindred would have sent. It is kept here because no mail server is configured.
      </p>
      <QueryStatus query={mails} loading="Loading mail…" />
      {mails.isSuccess && mails.items.length === 0 ? <p>The outbox is empty.</p> : null}
      {mails.items.length > 0 ? (
        <ol className="mail-list">
          {mails.items.map((m) => (
            <li key={m.id}>
              <article className="card mail" aria-labelledby={`mail-${m.id}-subject`}>
                <h2 id={`mail-${m.id}-subject`}>{m.subject}</h2>
                <dl className="facts">
                  <div>
                    <dt>To</dt>
                    <dd className="break">{m.to}</dd>
                  </div>
                  <div>
                    <dt>Sent</dt>
                    <dd>{formatDateTime(m.created_at)}</dd>
                  </div>
                </dl>
                <MailBody body={m.body} />
              </article>
            </li>
          ))}
        </ol>
      ) : null}
      <LoadMore {...mails} what="mail" />
    </>
  );
}

// The person's conversations, most recently active first, with unread counts and, for pairs,
// whether the other person is here. The welcome brings the most recently active ones; "Show older
// conversations" loads the next page.
import { Link } from 'react-router';
import { channelTitle, otherMember, sortedChannels, type ChatState } from '../../chat/state';
import { Loading } from '../Page';
import { PresenceDot, PresenceHidden } from './Presence';

const KIND_LABELS = { pair: 'Pair', group: 'Group', announcement: 'Announcements' } as const;

export function ChannelList({
  state,
  activeId,
  onShowOlder,
}: {
  state: ChatState;
  activeId: string | null;
  /** Loads the next page of conversations (ChatClient.loadMoreChannels). */
  onShowOlder: () => void;
}) {
  if (!state.welcomed) return <Loading label="Loading conversations…" />;
  const channels = sortedChannels(state);
  const more = (
    <>
      {state.channelsError ? (
        <p className="alert alert-error" role="alert">
          {state.channelsError}
        </p>
      ) : null}
      {state.channelsNext !== null ? (
        <p className="channel-more">
          <button type="button" className="button-secondary" onClick={onShowOlder} disabled={state.channelsLoading}>
            {state.channelsLoading ? 'Loading…' : 'Show older conversations'}
          </button>
        </p>
      ) : null}
    </>
  );
  if (channels.length === 0) {
    return (
      <>
        {state.channelsNext === null ? (
          <p className="muted">No conversations yet. When you are matched or added to a group, it appears here.</p>
        ) : null}
        {more}
      </>
    );
  }
  return (
    <>
      <ul className="channel-items">
        {channels.map((c) => {
          const other = otherMember(c, state.userId);
          const active = c.id === activeId;
          return (
            <li key={c.id}>
              <Link
                to={`/messages/${encodeURIComponent(c.id)}`}
                className={active ? 'channel-link channel-link-active' : 'channel-link'}
                aria-current={active ? 'page' : undefined}
              >
                <span className="channel-link-name">
                  {other ? <PresenceDot state={state.presence[other.user_id]} /> : null}
                  <span className="channel-title">{channelTitle(c, state.userId)}</span>
                  {other ? <PresenceHidden state={state.presence[other.user_id]} /> : null}
                </span>
                <span className="channel-link-meta">
                  {c.kind !== 'pair' ? <span className="channel-kind">{KIND_LABELS[c.kind]}</span> : null}
                  {c.unread > 0 ? (
                    <span className="unread-badge">
                      {c.unread}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  ) : null}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      {more}
    </>
  );
}

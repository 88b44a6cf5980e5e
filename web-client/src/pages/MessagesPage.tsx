// Messages: the person's conversations and, at /messages/:channelId, one conversation. On a
// wide screen the list and the conversation sit side by side; on a phone the list shows at
// /messages and the conversation alone at /messages/:channelId, with a link back. The list holds
// the most recently active conversations, and older ones on request; a conversation opened by
// link that is not among them is fetched by id. A pair conversation's header offers to call,
// to schedule a meeting, to block and to report the other person; once I blocked them, only the
// conversation's history stays (and Report).
import { Link, useParams } from 'react-router';
import { useBlocked } from '../chat/blocks';
import { useChannel, useChat } from '../chat/ChatProvider';
import { channelTitle, otherMember } from '../chat/state';
import { CallButton } from '../components/call/CallButton';
import { ChannelList } from '../components/chat/ChannelList';
import { ChannelLoadFailed } from '../components/chat/ChannelLoadFailed';
import { ConnectionStatus } from '../components/chat/ConnectionStatus';
import { Conversation } from '../components/chat/Conversation';
import { ScheduleLink } from '../components/meetings/ScheduleLink';
import { PresenceText } from '../components/chat/Presence';
import { Loading, PageHeading } from '../components/Page';
import { BlockButton } from '../components/safety/Blocking';
import { ReportButton } from '../components/safety/Reporting';
import { LockControl } from '../components/chat/LockControl';
import { SlowModeControl } from '../components/chat/SlowModeControl';
import { mayLock, REMOVED_FROM_CHANNEL_TEXT, roleIn } from '../lib/moderation';
import { useSession } from '../session';

const KIND_NOTES = { group: 'Group', announcement: 'Announcements' } as const;

export function MessagesPage() {
  const { channelId = null } = useParams();
  const { client, state } = useChat();
  const found = useChannel(client, state, channelId);
  const channel = channelId && found.status === 'ready' ? found.channel : undefined;
  const other = channel ? otherMember(channel, state.userId) : null;
  const blocked = useBlocked();
  const blockedOther = other !== null && blocked.ids.has(other.user_id);
  const { session } = useSession();
  const lockable = channel ? mayLock(channel, roleIn(session?.memberships, channel.programId)) : false;
  const removed = found.status === 'not_found' && found.removed === true;

  let title = 'Messages';
  if (channelId) {
    if (channel) title = channelTitle(channel, state.userId);
    else if (removed) title = 'Messages';
    else if (found.status === 'not_found') title = 'Conversation not found';
  }

  return (
    <div className={channelId ? 'messages-page has-conversation' : 'messages-page'}>
      <div className="messages-bar">
        <div className="messages-heading">
          {channelId ? (
            <p className="breadcrumb messages-back">
              <Link to="/messages">All conversations</Link>
            </p>
          ) : null}
          {/* Keyed so that opening another conversation moves focus to its heading. */}
          <PageHeading key={channelId ?? 'list'} title={channelId && channel ? `${title} · Messages` : title}>
            {title}
          </PageHeading>
          {other ? (
            <p className="conversation-presence">
              <PresenceText state={state.presence[other.user_id]} />
            </p>
          ) : null}
          {channel && channel.kind !== 'pair' ? (
            <p className="conversation-presence muted">
              {KIND_NOTES[channel.kind]} · {channel.programWide ? 'everyone in the program' : `${channel.memberCount} members`}
              {channel.locked ? ' · Locked' : ''}
              {channel.slowModeS > 0 ? ' · Slow mode' : ''}
            </p>
          ) : null}
          {channel && lockable ? <LockControl client={client} channel={channel} /> : null}
          {channel && lockable ? <SlowModeControl client={client} channel={channel} /> : null}
        </div>
        <div className="messages-actions">
          {channel && !blockedOther ? <ScheduleLink channel={channel} me={state.userId} /> : null}
          {channel && !blockedOther ? (
            <CallButton channel={channel} me={state.userId} connected={state.status === 'connected'} />
          ) : null}
          {other && blocked.ready && !blockedOther ? (
            <BlockButton person={{ id: other.user_id, name: other.name }} />
          ) : null}
          {channel && other ? (
            <ReportButton
              target={() => ({
                kind: 'person',
                programId: channel.programId,
                person: { id: other.user_id, name: other.name },
              })}
              label={`Report ${other.name}`}
            />
          ) : null}
          <ConnectionStatus status={state.status} />
        </div>
      </div>
      <div className="messages-layout">
        <nav className="channel-list" aria-labelledby="conversations-heading">
          <h2 id="conversations-heading">Conversations</h2>
          <ChannelList state={state} activeId={channelId} onShowOlder={() => client?.loadMoreChannels()} />
        </nav>
        <div className="conversation-pane">
          {!channelId ? (
            <p className="muted conversation-placeholder">Choose a conversation to read and write messages.</p>
          ) : channel && client ? (
            <Conversation key={channel.id} client={client} state={state} channel={channel} />
          ) : removed ? (
            <div className="alert alert-info" role="status">
              {REMOVED_FROM_CHANNEL_TEXT} <Link to="/messages">See your conversations</Link>.
            </div>
          ) : found.status === 'not_found' ? (
            <div className="alert alert-error" role="alert">
              This conversation does not exist, or you are not in it. <Link to="/messages">See your conversations</Link>.
            </div>
          ) : found.status === 'failed' ? (
            <ChannelLoadFailed client={client} channelId={channelId} error={found.error} />
          ) : (
            <Loading label="Loading conversation…" />
          )}
        </div>
      </div>
    </div>
  );
}

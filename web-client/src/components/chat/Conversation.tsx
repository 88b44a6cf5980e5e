// One open conversation: its history (scrolled to the newest, with older pages on request),
// live messages, who is typing, whether my last message was seen, and the composer. While the
// conversation is on screen, what arrives is marked read. In shared group channels the messages
// of people I blocked are hidden, and a conversation closed by a block says so instead of
// offering the composer (docs/safety.md). Someone else's message can be reported, sharing
// messages of those on screen.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useBlocked } from '../../chat/blocks';
import type { ChatClient } from '../../chat/client';
import { messageTime } from '../../chat/format';
import { ordered } from '../../chat/messages';
import type { PendingOp } from '../../chat/pending';
import {
  channelTitle,
  memberName,
  seenBy,
  typingNames,
  typingText,
  type ChannelState,
  type ChatState,
} from '../../chat/state';
import { SYSTEM_USER_ID } from '../../chat/protocol';
import {
  BLOCKED_PEOPLE_PATH,
  CLOSED_TEXT,
  closure,
  hiddenText,
  hidesBlocked,
  shownMessages,
  type Closure,
} from '../../lib/safety';
import { Loading } from '../Page';
import { BlockButton } from '../safety/Blocking';
import { ReportButton } from '../safety/Reporting';
import { shareCandidates, type ReportTarget } from '../../lib/reports';
import { LOCKED_TEXT, mayActOn, mayModerate, removeMessageQuestion, roleIn, slowModeLine } from '../../lib/moderation';
import { memberKeys } from '../../api/queryKeys';
import type { Role } from '../../api/types';
import { useSession } from '../../session';
import { allMembers } from '../ProgramChannels';
import { useModeration } from '../safety/Moderation';
import { Composer, type ComposerHandle } from './Composer';
import { MessageItem, PendingItem } from './MessageItem';

/** Whose messages a report does not offer to share: Kindred's own. */
const SYSTEM_ONLY: ReadonlySet<string> = new Set([SYSTEM_USER_ID]);

/** How close to the bottom (px) still counts as "at the newest message". */
const STICK_PX = 80;

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/** Re-renders every second while someone is typing, so the indicator goes away on time. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

export function Conversation({ client, state, channel }: { client: ChatClient; state: ChatState; channel: ChannelState }) {
  const me = state.userId;
  const connected = state.status === 'connected';
  const visible = usePageVisible();
  const scrollRef = useRef<HTMLDivElement>(null);
  const composerRef = useRef<ComposerHandle>(null);
  const stick = useRef(true);
  const firstSeq = useRef<number | null>(null);
  const heightBefore = useRef(0);
  const [editing, setEditing] = useState<number | null>(null);
  const [focusEdit, setFocusEdit] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const loadingOlder = useRef(false);
  const announced = useRef<number>(channel.log.applied);

  const id = channel.id;
  const history = channel.history;

  // The newest page, once the channel is known from the live connection (so nothing between
  // the page and the live events is missed).
  useEffect(() => {
    if (!history.loaded && !history.loading && !history.error) client.loadHistory(id);
  }, [client, id, history.loaded, history.loading, history.error]);

  // A channel too large to carry its members: the names of the people it shows.
  const typists = Object.keys(channel.typing).join(',');
  useEffect(() => {
    client.loadNames(id);
  }, [client, id, channel.log.applied, history.loaded, typists]);

  // Read while on screen.
  useEffect(() => {
    if (visible && connected && history.loaded) client.markRead(id);
  }, [client, id, visible, connected, history.loaded, channel.log.applied, channel.lastReadSeq]);

  // Whether the composer showed in this conversation, so that a closed note replacing it (a
  // refused message closed the conversation) takes the focus it leaves.
  const hadComposer = useRef(channel.canPost);
  useEffect(() => {
    if (channel.canPost) hadComposer.current = true;
  }, [channel.canPost]);

  // A coordinator of the channel's program moderates it (a group or announcement channel of more
  // than two people): removes anyone's message, mutes or takes out anyone but coordinators.
  const { session } = useSession();
  const myRole = roleIn(session?.memberships, channel.programId);
  // Coordinators are not slowed; members read why their next message may wait.
  const slowLine = myRole === 'coordinator' ? null : slowModeLine(channel.slowModeS);
  const moderator = mayModerate(channel, myRole);
  const moderation = useModeration();
  const programMembers = useQuery({
    queryKey: memberKeys.everyone(channel.programId),
    queryFn: () => allMembers(channel.programId),
    enabled: moderator,
  });
  const roles = useMemo(() => {
    const out = new Map<string, Role>();
    for (const m of programMembers.data ?? []) out.set(m.user_id, m.role);
    return out;
  }, [programMembers.data]);
  const programName = session?.memberships.find((m) => m.program_id === channel.programId)?.program_name ?? 'this program';

  const blocked = useBlocked();
  const hide = hidesBlocked(channel);
  // A channel that hides messages waits until it knows whose; if that cannot be known, it
  // shows none rather than those of someone I blocked.
  const waitingForBlocks = hide && !blocked.ready;
  const messages = ordered(channel.messages);
  const shown = shownMessages(messages, blocked.ids, hide);
  const myClientIds = new Set(messages.filter((m) => m.sender_id === me).map((m) => m.client_id));
  const ops = state.pending.filter((p) => p.channel === id);
  const sending = ops.filter((p) => p.kind === 'send' && !myClientIds.has(p.client_id));
  const opFor = new Map<number, PendingOp>();
  for (const op of ops) if (op.kind !== 'send' && op.target !== null) opFor.set(op.target, op);
  const seen = seenBy(channel, me);
  const typingActive = Object.keys(channel.typing).length > 0;
  const now = useNow(typingActive);
  const typing = typingText(typingNames(channel, now));
  const first = messages[0]?.seq ?? null;

  // Announce messages from others as they arrive live (not history, not my own).
  useEffect(() => {
    const fresh = messages.filter(
      (m) => m.seq > announced.current && m.sender_id !== me && !m.deleted_at && !(hide && blocked.ids.has(m.sender_id)),
    );
    if (channel.log.applied > announced.current) announced.current = channel.log.applied;
    if (!history.loaded || fresh.length === 0) return;
    const last = fresh[fresh.length - 1];
    if (!last) return;
    const who = memberName(channel, last.sender_id) ?? 'someone';
    setAnnouncement(fresh.length === 1 ? `New message from ${who}.` : `${fresh.length} new messages.`);
    // Runs when events are applied (the log position moves), not on every render.
  }, [channel.log.applied, history.loaded]);

  // Scrolling: stay at the newest message when already there (or after sending); keep the
  // view still when older messages are added above.
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
  }, []);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const prependedOlder = firstSeq.current !== null && first !== null && first < firstSeq.current;
    if (prependedOlder) {
      el.scrollTop += el.scrollHeight - heightBefore.current;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    firstSeq.current = first;
    heightBefore.current = el.scrollHeight;
  });

  // When the last older page is in, the button goes away; keep the focus in the conversation.
  useEffect(() => {
    if (!loadingOlder.current || history.loading) return;
    loadingOlder.current = false;
    if (history.nextBefore === null && document.activeElement === document.body) scrollRef.current?.focus();
  }, [history.loading, history.nextBefore]);

  const title = channelTitle(channel, me);

  /** A report of the message `seq` by `sender`, offering to share the messages on screen now. */
  function reportTarget(seq: number, sender: { id: string; name: string }): ReportTarget {
    const visible = shown.flatMap((entry) => (entry.kind === 'message' ? [entry.message] : []));
    const nameOf = (userId: string) => (userId === me ? 'You' : (memberName(channel, userId) ?? 'Former member'));
    return {
      kind: 'message',
      channelId: id,
      seq,
      programId: channel.programId,
      person: sender,
      candidates: shareCandidates(visible, seq, nameOf, SYSTEM_ONLY),
    };
  }
  const send = (body: string) => {
    stick.current = true;
    client.send(id, body);
  };

  function startEdit(seq: number) {
    setEditing(seq);
  }
  function closeEdit(seq: number) {
    setEditing(null);
    setFocusEdit(seq);
  }
  const clearFocus = useCallback(() => setFocusEdit(null), []);

  function remove(seq: number, sender?: string) {
    const question = sender
      ? removeMessageQuestion(sender)
      : 'Delete this message? Everyone in the conversation will see that it was deleted.';
    if (!window.confirm(question)) return;
    client.remove(id, seq);
    if (composerRef.current) composerRef.current.focus();
    else scrollRef.current?.focus();
  }

  return (
    <div className="conversation">
      <div
        className="message-scroll"
        ref={scrollRef}
        onScroll={onScroll}
        role="region"
        aria-label={`Messages with ${title}`}
        tabIndex={0}
      >
        {history.loaded && history.nextBefore !== null ? (
          <p className="load-earlier">
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                if (history.loading) return;
                stick.current = false;
                loadingOlder.current = true;
                client.loadHistory(id, true);
              }}
              // Not `disabled`: that would drop the keyboard focus while the page loads.
              aria-disabled={history.loading ? true : undefined}
            >
              {history.loading ? 'Loading…' : 'Load earlier messages'}
            </button>
          </p>
        ) : null}
        {history.loaded && history.nextBefore === null && messages.length > 0 ? (
          <p className="conversation-start muted">This is the beginning of the conversation.</p>
        ) : null}
        {!history.loaded && history.loading ? <Loading label="Loading messages…" /> : null}
        {history.error ? (
          <div className="alert alert-error" role="alert">
            {history.error}{' '}
            <button type="button" className="button-link" onClick={() => client.loadHistory(id, history.loaded)}>
              Try again
            </button>
          </div>
        ) : null}
        {history.loaded && messages.length === 0 && sending.length === 0 ? (
          <p className="muted conversation-empty">No messages yet. Say hello!</p>
        ) : null}
        {waitingForBlocks && blocked.failed ? (
          <div className="alert alert-error" role="alert">
            The messages cannot be shown: the list of people you blocked did not load.{' '}
            <button type="button" className="button-link" onClick={blocked.retry}>
              Try again
            </button>
          </div>
        ) : waitingForBlocks ? (
          <Loading label="Loading messages…" />
        ) : null}
        <ol className="message-list" aria-label="Messages">
          {(waitingForBlocks ? [] : shown).map((entry) => {
            if (entry.kind === 'hidden') {
              return (
                <li key={entry.seq} className="message message-hidden" data-seq={entry.seq}>
                  <p className="message-tombstone">{hiddenText(entry.count, entry.people)}</p>
                </li>
              );
            }
            const m = entry.message;
            const mine = m.sender_id === me;
            const name = memberName(channel, m.sender_id);
            // Someone else's message in a shared channel: its author can be blocked from here (in
            // a pair conversation, from the header).
            const blockable = channel.kind !== 'pair' && !mine && m.sender_id !== SYSTEM_USER_ID && name !== null;
            // Anyone's message but mine and Kindred's can be reported, while it is there.
            const reportable = !mine && m.sender_id !== SYSTEM_USER_ID && !m.deleted_at;
            const sender = name ?? 'Former member';
            // A coordinator removes it, and mutes or takes out its author (not a coordinator).
            const removable = moderator && reportable;
            const actOn = moderator && moderation !== null && !m.deleted_at && name !== null && mayActOn(me, m.sender_id, roles.get(m.sender_id));
            const person = { id: m.sender_id, name: sender };
            return (
              <MessageItem
                key={m.seq}
                message={m}
                sender={mine ? 'You' : (name ?? 'Former member')}
                mine={mine}
                canEdit={channel.canPost}
                senderTools={
                  blockable || reportable ? (
                    <>
                      {removable ? (
                        <button
                          type="button"
                          className="message-tool message-tool-danger"
                          aria-label={`Remove the message from ${sender}, ${messageTime(m.created_at)}`}
                          onClick={() => remove(m.seq, sender)}
                        >
                          Remove message
                        </button>
                      ) : null}
                      {actOn ? (
                        <>
                          <button
                            type="button"
                            className="message-tool message-tool-danger"
                            aria-label={`Mute ${sender} in this program…`}
                            onClick={() =>
                              moderation?.ask({ action: 'mute', programId: channel.programId, programName, person })
                            }
                          >
                            Mute in this program…
                          </button>
                          <button
                            type="button"
                            className="message-tool message-tool-danger"
                            aria-label={`Take ${sender} out of this channel…`}
                            onClick={() =>
                              moderation?.ask({
                                action: 'remove',
                                programId: channel.programId,
                                programName,
                                person,
                                channel: { id, name: title },
                              })
                            }
                          >
                            Take out of this channel…
                          </button>
                        </>
                      ) : null}
                      {reportable ? (
                        <ReportButton
                          target={() => reportTarget(m.seq, { id: m.sender_id, name: sender })}
                          label={`Report the message from ${sender}, ${messageTime(m.created_at)}`}
                          className="message-tool message-tool-danger"
                        />
                      ) : null}
                      {blockable ? (
                        <BlockButton person={{ id: m.sender_id, name }} className="message-tool message-tool-danger" />
                      ) : null}
                    </>
                  ) : null
                }
                connected={connected}
                pendingOp={opFor.get(m.seq) ?? null}
                editing={editing === m.seq}
                focusEdit={focusEdit === m.seq}
                seen={
                  seen && seen.seq === m.seq && seen.names.length > 0
                    ? channel.kind === 'pair'
                      ? 'Seen'
                      : `Seen by ${seen.names.join(', ')}`
                    : null
                }
                onStartEdit={() => startEdit(m.seq)}
                onCancelEdit={() => closeEdit(m.seq)}
                onSaveEdit={(body) => {
                  client.edit(id, m.seq, body);
                  closeEdit(m.seq);
                }}
                onDelete={() => remove(m.seq)}
                onRetry={(clientId) => client.retry(clientId)}
                onDiscard={(clientId) => client.discard(clientId)}
                onFocused={clearFocus}
              />
            );
          })}
          {sending.map((op) => (
            <PendingItem
              key={op.client_id}
              op={op}
              connected={connected}
              onRetry={(clientId) => client.retry(clientId)}
              onDiscard={(clientId) => client.discard(clientId)}
            />
          ))}
        </ol>
      </div>
      <p className="typing" aria-live="polite">
        {typing}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {channel.canPost && slowLine ? <p className="field-hint slow-mode-line">{slowLine}</p> : null}
      {channel.canPost ? (
        <Composer ref={composerRef} recipient={title} onSend={send} onTyping={() => client.typing(id)} />
      ) : (
        <ClosedNote closed={closure(channel, me, blocked.ids)} locked={channel.locked} replacedComposer={hadComposer} />
      )}
    </div>
  );
}

/**
 * Instead of the composer: why I cannot write here. Replacing the composer while I typed in it
 * (my message was refused) leaves the focus nowhere: it moves to this note.
 */
function ClosedNote({
  closed,
  locked,
  replacedComposer,
}: {
  closed: Closure;
  locked: boolean;
  replacedComposer: { readonly current: boolean };
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (replacedComposer.current && document.activeElement === document.body) ref.current?.focus();
  }, [replacedComposer]);
  return (
    <div ref={ref} className="read-only-note" tabIndex={-1}>
      {locked ? (
        <p>{LOCKED_TEXT}</p>
      ) : closed?.reason === 'closed' ? (
        <>
          <p>{CLOSED_TEXT}</p>
          {closed.blockedByMe ? (
            <p>
              You blocked {closed.blockedByMe.name}.{' '}
              <Link to={BLOCKED_PEOPLE_PATH}>Manage the people you blocked in Settings</Link>
            </p>
          ) : null}
        </>
      ) : (
        <p>Only coordinators post in this channel. You can read everything here.</p>
      )}
    </div>
  );
}

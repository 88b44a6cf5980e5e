// Presence shown as a coloured dot. Colour is never the only signal: the dot always comes with
// text, visible (conversation header) or visually hidden (conversation list).
import type { PresenceState } from '../../chat/protocol';
import { presenceLabel } from '../../chat/format';

export function PresenceDot({ state }: { state: PresenceState | undefined }) {
  return <span className={`presence-dot presence-${state ?? 'offline'}`} aria-hidden="true" />;
}

/** The dot with its state in words, e.g. "● Online". */
export function PresenceText({ state }: { state: PresenceState | undefined }) {
  return (
    <span className="presence">
      <PresenceDot state={state} />
      <span className="presence-label">{presenceLabel(state)}</span>
    </span>
  );
}

/** The state in words for screen readers only, after a name: " (online)". */
export function PresenceHidden({ state }: { state: PresenceState | undefined }) {
  return <span className="visually-hidden"> ({presenceLabel(state).toLowerCase()})</span>;
}

// The state of the live connection, in a polite status region so a drop and a recovery are
// announced as well as shown.
import { connectionLabel } from '../../chat/format';
import type { ConnectionStatus as Status } from '../../chat/state';

export function ConnectionStatus({ status }: { status: Status }) {
  return (
    <p role="status" className={`connection connection-${status}`}>
      <span className="connection-dot" aria-hidden="true" />
      {connectionLabel(status)}
    </p>
  );
}

// The stage: a shared screen shown large, a grid of tiles (one per person on stage, the active
// speaker's highlighted), the caption "Speaking: …" in a polite live region, and the sound.
import { useState } from 'react';
import type { RoomView } from '../../room/controller';
import { buildStage, tileLabel, tileStatus, type StageTile } from '../../room/stage';
import { speakingCaption } from '../../room/state';
import { RoomAudio, RoomVideo } from './Media';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => Array.from(p ?? '')[0] ?? '').join('').toUpperCase() || '?';
}

function Tile({ tile, view }: { tile: StageTile<MediaStream>; view: RoomView }) {
  const stream = tile.me ? (view.cameraOff ? null : view.localStream) : tile.video;
  const status = tileStatus(tile, { micMuted: view.micMuted, cameraOff: view.cameraOff, hasCamera: view.hasCamera });
  return (
    <li className={tile.speaking ? 'room-tile room-tile-speaking' : 'room-tile'}>
      <figure className="room-figure">
        {stream ? (
          <RoomVideo stream={stream} label={tileLabel(tile)} mirrored={tile.me} />
        ) : (
          <div className="room-tile-empty" aria-hidden="true">
            {initials(tile.name)}
          </div>
        )}
        <figcaption>
          <span className="room-tile-name">{tile.me ? `${tile.name} (you)` : tile.name}</span>
          {tile.role === 'host' ? <span className="room-tile-role"> · host</span> : null}
          {status ? <span className="room-tile-status">{` · ${status}`}</span> : null}
        </figcaption>
      </figure>
    </li>
  );
}

export function Stage({ view }: { view: RoomView }) {
  const ui = view.ui;
  const stage = buildStage(ui, view.received);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const caption = speakingCaption(ui);
  const myScreen = view.sharing && view.screenStream && !stage.screen;

  return (
    <section className="room-stage" aria-labelledby="room-stage-heading">
      <h3 id="room-stage-heading">Stage</h3>
      {stage.screen ? (
        <figure className="room-screen">
          <RoomVideo stream={stage.screen.media} label={`Screen shared by ${stage.screen.name}`} />
          <figcaption>{stage.screen.name} is sharing their screen</figcaption>
        </figure>
      ) : myScreen ? (
        <figure className="room-screen">
          <RoomVideo stream={view.screenStream} label="Your shared screen (preview)" />
          <figcaption>You are sharing your screen</figcaption>
        </figure>
      ) : null}
      {stage.tiles.length > 0 ? (
        <ul className="room-tiles" aria-label="People on stage">
          {stage.tiles.map((tile) => (
            <Tile key={tile.user} tile={tile} view={view} />
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody is on stage yet.</p>
      )}
      <p className="room-caption" aria-live="polite">
        {caption}
      </p>
      {soundBlocked ? (
        <p className="room-sound">
          <button
            type="button"
            onClick={() => {
              setSoundBlocked(false);
              setAttempt((n) => n + 1);
            }}
          >
            Turn on the event’s sound
          </button>
        </p>
      ) : null}
      <div className="room-audio">
        {stage.audio.map((a) => (
          <RoomAudio key={a.mid} stream={a.media} attempt={attempt} onBlocked={() => setSoundBlocked(true)} />
        ))}
      </div>
    </section>
  );
}

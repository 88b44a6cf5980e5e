// The room's components rendered to HTML (no browser): who is shown where, and that every
// control names its person.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RoomController, type RoomView } from '../../room/controller';
import { initialRoom, type RoomUi } from '../../room/state';
import { EVENT, ME, person, track, you } from '../../room/testing';
import { ReportingProvider } from '../safety/Reporting';
import { HostControls, People } from './People';
import { Stage } from './Stage';

const controller = new RoomController({ addRoomListener: () => () => {}, sendRoom: () => true }, EVENT, {
  mediaDevices: null,
  iceServers: () => Promise.resolve([]),
  log: () => {},
});

function ui(overrides: Partial<RoomUi> = {}): RoomUi {
  return {
    ...initialRoom(EVENT),
    phase: 'live',
    status: 'live',
    you: you({ role: 'host' }),
    people: [
      person(ME, 'Hana Host', { role: 'host' }),
      person('ada', 'Ada Lovelace', { role: 'speaker' }),
      person('bo', 'Bo Diddley', { hand: true }),
      person('wes', 'Wes Waiting', { admitted: false }),
    ],
    activeSpeaker: 'ada',
    tracks: [track('0', 'ada', 'video', 'camera'), track('1', 'ada', 'audio', 'microphone')],
    ...overrides,
  };
}

const ROOM_EVENT = { id: EVENT, program_id: 'p1', title: 'Career panel' };

function view(u: RoomUi): RoomView {
  return { ...controller.getView(), ui: u };
}

/** Text of the markup with the tags gone, as a screen reader would read it. */
function text(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
}

describe('room components', () => {
  it('the stage: tiles, the speaking caption, the active speaker highlighted', () => {
    const html = renderToStaticMarkup(createElement(Stage, { view: view(ui()) }));
    expect(html).toContain('Speaking: Ada Lovelace');
    expect(html).toMatch(/<li class="room-tile room-tile-speaking">.*Ada Lovelace/);
    expect(html).toContain('Hana Host (you)');
    expect(html).toContain('aria-live="polite"');
  });

  it('host controls name their person', () => {
    const html = renderToStaticMarkup(createElement(People, { ui: ui(), controller, event: ROOM_EVENT }));
    const t = text(html);
    expect(t).toContain('Send Ada Lovelace back to the audience');
    expect(t).toContain('Mute Ada Lovelace');
    expect(t).toContain('Remove Ada Lovelace');
    expect(t).toContain('Bring Bo Diddley on stage');
    expect(t).not.toContain('Mute Bo Diddley');
    expect(html).toContain('aria-label="Hand raised"');
    // No controls on the host (me).
    expect(t).not.toContain('Remove Hana Host');
    // The lobby is not in these lists.
    expect(t).not.toContain('Wes Waiting');
  });

  it('the audience sees no moderation', () => {
    const html = renderToStaticMarkup(createElement(People, { ui: ui({ you: you() }), controller, event: ROOM_EVENT }));
    expect(text(html)).not.toMatch(/Remove|Mute|Bring/);
  });

  it('everyone can report each other person, never themselves', () => {
    const html = renderToStaticMarkup(
      createElement(ReportingProvider, null, createElement(People, { ui: ui({ you: you() }), controller, event: ROOM_EVENT })),
    );
    expect(html).toContain('aria-label="Report Ada Lovelace from this event…"');
    expect(html).toContain('aria-label="Report Bo Diddley from this event…"');
    expect(html).not.toContain('Report Hana Host');
    expect(html).not.toMatch(/Remove|Mute|Bring/);
  });

  it('the host’s lobby, with Admit, and Open while the room is not open', () => {
    const t = text(renderToStaticMarkup(createElement(HostControls, { ui: ui({ status: 'lobby' }), controller })));
    expect(t).toContain('Admit Wes Waiting');
    expect(t).toContain('Open the room');
    expect(t).toContain('Lock the room');
    expect(t).toContain('End the event');
    const open = text(renderToStaticMarkup(createElement(HostControls, { ui: ui({ locked: true }), controller })));
    expect(open).not.toContain('Open the room');
    expect(open).toContain('Unlock the room');
  });
});

// The conversation list rendered to HTML (no browser): its order, and the "Show older
// conversations" button of a list that has more pages.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import * as S from '../../chat/state';
import { view, welcome } from '../../chat/testing';
import { ChannelList } from './ChannelList';

function render(state: S.ChatState): string {
  return renderToStaticMarkup(
    createElement(MemoryRouter, null, createElement(ChannelList, { state, activeId: null, onShowOlder: () => {} })),
  );
}

function listed(next: string | null): S.ChatState {
  return S.onWelcome(
    S.INITIAL_STATE,
    welcome(
      [
        view({ id: 'a', kind: 'group', name: 'Alpha group', last_activity_at: '2030-01-02T00:00:00Z' }),
        view({ id: 'b', kind: 'group', name: 'Beta group', last_activity_at: '2030-01-09T00:00:00Z' }),
      ],
      { channels_next: next },
    ),
    0,
  );
}

/** The button of the list, if it has one. */
function button(html: string): string | null {
  return /<button[^>]*>[^<]*<\/button>/.exec(html)?.[0] ?? null;
}

describe('ChannelList', () => {
  it('lists the most recently active conversation first', () => {
    const html = render(listed(null));
    expect(html.indexOf('Beta group')).toBeGreaterThan(-1);
    expect(html.indexOf('Beta group')).toBeLessThan(html.indexOf('Alpha group'));
  });

  it('offers older conversations only while there are more pages', () => {
    expect(button(render(listed(null)))).toBeNull();
    const more = button(render(listed('c1')));
    expect(more).toContain('Show older conversations');
    expect(more).not.toContain('disabled');
  });

  it('shows the loading state on the button, and a failure as an alert', () => {
    const state = listed('c1');
    const loading = button(render(S.onChannelsLoadStart(state)));
    expect(loading).toContain('Loading…');
    expect(loading).toContain('disabled');
    const html = render(S.onChannelsLoadFailed(S.onChannelsLoadStart(state), 'Could not reach the server.'));
    expect(html).toMatch(/role="alert"[^>]*>Could not reach the server\.</);
    expect(button(html)).toContain('Show older conversations');
  });
});

import { describe, expect, it } from 'vitest';
import { onWelcome, INITIAL_STATE } from '../chat/state';
import { CH, ME, THEM, view } from '../chat/testing';
import { findPeer } from './peers';

describe('findPeer', () => {
  it('names the caller from our pair channel', () => {
    const state = onWelcome(
      INITIAL_STATE,
      {
        type: 'welcome',
        v: 1,
        user_id: ME,
        heartbeat_ms: 20000,
        channels: [
          view({ id: 'group-1', kind: 'group', name: 'Cohort' }),
          view(),
        ],
        channels_next: null,
        presence: {},
      },
      0,
    );
    expect(findPeer(state, THEM)).toEqual({ id: THEM, name: 'Nia', channel: CH });
    expect(findPeer(state, 'nobody')).toBeNull();
  });
});

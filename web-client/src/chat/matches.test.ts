import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { applyMatchUpdate, isMatch, MATCHES_KEY, upsertMatch, type MatchPages } from './matches';
import { match } from './testing';

function pages(...lists: ReturnType<typeof match>[][]): MatchPages {
  return {
    pages: lists.map((items, i) => ({ items, next_cursor: i < lists.length - 1 ? `c${i + 1}` : null })),
    pageParams: lists.map((_, i) => (i === 0 ? null : `c${i}`)),
  };
}

describe('upsertMatch', () => {
  it('replaces the match where it is, on any page', () => {
    const a = match({ id: 'a' });
    const b = match({ id: 'b' });
    const c = match({ id: 'c' });
    const data = pages([a, b], [c]);
    const updated = match({ id: 'c', status: 'active', mentor_response: 'accepted' });
    const next = upsertMatch(data, updated);
    expect(next?.pages[1]?.items).toEqual([updated]);
    expect(next?.pages[0]).toBe(data.pages[0]);
    expect(next?.pageParams).toEqual(data.pageParams);
  });

  it('puts a new match first (the list is newest first)', () => {
    const a = match({ id: 'a' });
    const fresh = match({ id: 'new' });
    const next = upsertMatch(pages([a], []), fresh);
    expect(next?.pages[0]?.items.map((m) => m.id)).toEqual(['new', 'a']);
    expect(next?.pages).toHaveLength(2);
  });

  it('leaves an uncached list alone, and fills an empty one', () => {
    expect(upsertMatch(undefined, match())).toBeUndefined();
    const next = upsertMatch({ pages: [], pageParams: [] }, match({ id: 'x' }));
    expect(next?.pages[0]?.items.map((m) => m.id)).toEqual(['x']);
  });
});

describe('isMatch', () => {
  it('accepts a match and refuses what is not one', () => {
    expect(isMatch(match())).toBe(true);
    expect(isMatch(null)).toBe(false);
    expect(isMatch({ id: 'a' })).toBe(false);
    expect(isMatch({ id: 1, status: 'active', mentee: {}, mentor: {} })).toBe(false);
  });
});

describe('applyMatchUpdate', () => {
  it('updates the cached list at once and marks it for refetching', () => {
    const client = new QueryClient();
    client.setQueryData(MATCHES_KEY, pages([match({ id: 'a' })]));
    const accepted = match({ id: 'a', status: 'active', mentee_response: 'accepted', mentor_response: 'accepted' });
    applyMatchUpdate(client, accepted);
    const data = client.getQueryData<MatchPages>(MATCHES_KEY);
    expect(data?.pages[0]?.items).toEqual([accepted]);
    expect(client.getQueryState(MATCHES_KEY)?.isInvalidated).toBe(true);
  });

  it('ignores a frame whose match is malformed', () => {
    const client = new QueryClient();
    const data = pages([match({ id: 'a' })]);
    client.setQueryData(MATCHES_KEY, data);
    applyMatchUpdate(client, { nope: true });
    expect(client.getQueryData(MATCHES_KEY)).toBe(data);
    expect(client.getQueryState(MATCHES_KEY)?.isInvalidated).toBe(false);
  });
});

// Live match updates: the server sends `{type: "match", match}` whenever a match of the signed-in
// person changes (proposed, answered, activated, ended). The match replaces its old version in
// the cached `['matches']` list at once, and the list is refetched for anything else that moved
// (a new proposal's place in the order, a page boundary).
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { matchKeys } from '../api/queryKeys';
import type { Match, Page } from '../api/types';

/** The query key of my matches (GET /api/me/matches, an infinite list; api/queryKeys.ts). */
export const MATCHES_KEY = matchKeys.mine;

export type MatchPages = InfiniteData<Page<Match>, string | null>;

/** Enough of a match to file it: an object with an id and two people. */
export function isMatch(value: unknown): value is Match {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<Match>;
  return (
    typeof m.id === 'string' &&
    typeof m.status === 'string' &&
    typeof m.mentee === 'object' &&
    m.mentee !== null &&
    typeof m.mentor === 'object' &&
    m.mentor !== null
  );
}

/**
 * The cached pages with `match` in them: replacing the version with the same id wherever it
 * is, or else first on the first page (the list is newest first). Nothing cached stays nothing.
 */
export function upsertMatch(data: MatchPages | undefined, match: Match): MatchPages | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    if (!page.items.some((m) => m.id === match.id)) return page;
    found = true;
    return { ...page, items: page.items.map((m) => (m.id === match.id ? match : m)) };
  });
  if (found) return { ...data, pages };
  const [first, ...rest] = data.pages;
  if (!first) return { ...data, pages: [{ items: [match], next_cursor: null }] };
  return { ...data, pages: [{ ...first, items: [match, ...first.items] }, ...rest] };
}

/** Applies a match frame (or a mutation's answer) to the cache and refetches the list. */
export function applyMatchUpdate(queryClient: QueryClient, match: unknown): void {
  if (!isMatch(match)) return;
  queryClient.setQueryData<MatchPages>(MATCHES_KEY, (old) => upsertMatch(old, match));
  void queryClient.invalidateQueries({ queryKey: MATCHES_KEY });
}

// The people I blocked (docs/safety.md), as the set of ids that group channels hide and that
// offers to block or to call leave out: every page of GET /api/me/blocks, cached under
// `blockKeys.ids`. It stays live: a `block` frame (sent to every connection of mine when I block
// or unblock someone, on any device) changes the set at once and refetches it, with the paged
// list of Settings → Blocked people (`blockKeys.list`).
import { useMemo } from 'react';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { blockKeys } from '../api/queryKeys';
import type { Block, Page } from '../api/types';
import { useSession } from '../session';

/** Page size when reading every block (the API's largest). */
const PAGE = 200;
/** Pages read at most (40,000 people): a guard against a cursor that never ends. */
const MAX_PAGES = 200;

/** The ids of everyone I blocked, every page read. */
export async function fetchBlockedIds(
  fetchPage: (cursor: string | null, limit: number) => Promise<Page<Block>> = api.blocks,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: Page<Block> = await fetchPage(cursor, PAGE);
    for (const b of page.items) ids.push(b.user_id);
    if (!page.next_cursor || page.next_cursor === cursor) break;
    cursor = page.next_cursor;
  }
  return ids;
}

/** The cached ids with `userId` added (`blocked`) or taken out; nothing cached stays nothing. */
export function withBlock(ids: readonly string[] | undefined, userId: string, blocked: boolean): string[] | undefined {
  if (!ids) return ids;
  const rest = ids.filter((id) => id !== userId);
  return blocked ? [...rest, userId] : rest;
}

/** I blocked `userId` or lifted my block (a `block` frame, or my own request's answer). */
export function applyBlockUpdate(queryClient: QueryClient, userId: string, blocked: boolean): void {
  queryClient.setQueryData<string[]>(blockKeys.ids, (old) => withBlock(old, userId, blocked));
  void queryClient.invalidateQueries({ queryKey: blockKeys.mine });
}

const NOBODY: ReadonlySet<string> = new Set();

/**
 * The people I blocked. `ready` once known: until then (and after a failure, `failed`) the set
 * is empty, and a conversation that hides messages waits for it.
 */
export function useBlocked(): { ids: ReadonlySet<string>; ready: boolean; failed: boolean; retry: () => void } {
  const { user } = useSession();
  const query = useQuery({
    queryKey: blockKeys.ids,
    queryFn: () => fetchBlockedIds(),
    enabled: Boolean(user),
    // Kept current by `block` frames, and read again after the connection was down (ChatProvider).
    staleTime: Infinity,
  });
  const { data, refetch } = query;
  const ids = useMemo(() => (data ? new Set(data) : NOBODY), [data]);
  return {
    ids,
    ready: data !== undefined,
    failed: query.isError && data === undefined,
    retry: () => void refetch(),
  };
}

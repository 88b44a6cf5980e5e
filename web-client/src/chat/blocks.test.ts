import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { blockKeys } from '../api/queryKeys';
import type { Block, Page } from '../api/types';
import { applyBlockUpdate, fetchBlockedIds, withBlock } from './blocks';

function block(id: string): Block {
  return { user_id: id, name: `Person ${id}`, created_at: '2030-01-01T00:00:00Z' };
}

describe('the people I blocked', () => {
  it('are read page after page, the largest pages the API gives', async () => {
    const asked: [string | null, number][] = [];
    const pages: Record<string, Page<Block>> = {
      first: { items: [block('a'), block('b')], next_cursor: 'b' },
      b: { items: [block('c')], next_cursor: null },
    };
    const ids = await fetchBlockedIds((cursor, limit) => {
      asked.push([cursor, limit]);
      const page = pages[cursor ?? 'first'];
      return page ? Promise.resolve(page) : Promise.reject(new Error('no such page'));
    });
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(asked).toEqual([
      [null, 200],
      ['b', 200],
    ]);
  });

  it('stop at a cursor that does not move', async () => {
    let calls = 0;
    const ids = await fetchBlockedIds(() => {
      calls += 1;
      return Promise.resolve({ items: [block('a')], next_cursor: 'same' });
    });
    expect(calls).toBe(2);
    expect(ids).toEqual(['a', 'a']);
  });

  it('change at once with a block frame, and nothing cached stays nothing', () => {
    expect(withBlock(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(withBlock(['a', 'b'], 'b', true)).toEqual(['a', 'b']);
    expect(withBlock(['a', 'b'], 'a', false)).toEqual(['b']);
    expect(withBlock(undefined, 'a', true)).toBeUndefined();
  });

  it('are refetched with the paged list after a change', () => {
    const client = new QueryClient();
    client.setQueryData(blockKeys.ids, ['a']);
    client.setQueryData(blockKeys.list, { pages: [], pageParams: [] });
    applyBlockUpdate(client, 'b', true);
    expect(client.getQueryData(blockKeys.ids)).toEqual(['a', 'b']);
    expect(client.getQueryState(blockKeys.ids)?.isInvalidated).toBe(true);
    expect(client.getQueryState(blockKeys.list)?.isInvalidated).toBe(true);
  });
});

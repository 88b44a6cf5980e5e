// The group event list endpoints are cursor-paged like the program's other lists.
import { describe, expect, it } from 'vitest';
import { setFetch } from './client';
import { eventsApi } from './events';

function mock(urls: string[]) {
  setFetch(async (url) => {
    urls.push(url);
    return new Response(JSON.stringify({ items: [], next_cursor: null }), { status: 200 });
  });
}

describe('event lists', () => {
  it('ask for the first page without a cursor and the next ones with it', async () => {
    const urls: string[] = [];
    mock(urls);
    await eventsApi.mine();
    await eventsApi.mine(null);
    await eventsApi.mine('next page/2');
    await eventsApi.ofProgram('p 1');
    await eventsApi.ofProgram('p 1', 'abc');
    expect(urls).toEqual([
      '/api/me/events',
      '/api/me/events',
      '/api/me/events?cursor=next+page%2F2',
      '/api/programs/p%201/events',
      '/api/programs/p%201/events?cursor=abc',
    ]);
  });
});

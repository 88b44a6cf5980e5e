import { describe, expect, it } from 'vitest';
import { loadPage, PageLoadError } from './lazy';

function Page() {
  return null;
}

describe('lazily loaded pages', () => {
  it('pick their page from the loaded area', async () => {
    const loaded = await loadPage(() => Promise.resolve({ Page, Other: () => null }), (area) => area.Page);
    expect(loaded.default).toBe(Page);
  });

  it('turn an area that cannot be loaded into a PageLoadError, keeping the cause', async () => {
    const cause = new TypeError('Failed to fetch dynamically imported module');
    const failed = loadPage(() => Promise.reject(cause), () => Page);
    await expect(failed).rejects.toBeInstanceOf(PageLoadError);
    await expect(failed).rejects.toHaveProperty('cause', cause);
  });
});

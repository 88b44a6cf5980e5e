// Pages load lazily, one chunk per area (the other modules of this folder), so the first page
// needs only the app's frame and its own area. `lazyPage` makes a page component from its
// area; while the area loads, the Suspense boundary of App.tsx shows `Loading`.
//
// An area that cannot be loaded — the network failed, or a new release of Kindred replaced the
// files this tab was started with — is reported by `PageLoadFailed`, the route error element
// around the pages, with a way to reload. Any other error goes on to the router's own.
import { lazy, type ComponentType } from 'react';
import { useRouteError } from 'react-router';
import { PageHeading } from '../components/Page';

/** The code of a page could not be loaded. */
export class PageLoadError extends Error {
  constructor(cause: unknown) {
    super('The page could not be loaded.', { cause });
    this.name = 'PageLoadError';
  }
}

/** Loads a page's area and picks the page, as React.lazy wants it; a failure is a PageLoadError. */
export function loadPage<Area>(
  load: () => Promise<Area>,
  pick: (area: Area) => ComponentType,
): Promise<{ default: ComponentType }> {
  return load().then(
    (area) => ({ default: pick(area) }),
    (error: unknown) => {
      throw new PageLoadError(error);
    },
  );
}

export function lazyPage<Area>(load: () => Promise<Area>, pick: (area: Area) => ComponentType) {
  return lazy(() => loadPage(load, pick));
}

export function PageLoadFailed() {
  const error = useRouteError();
  if (!(error instanceof PageLoadError)) throw error;
  return (
    <>
      <PageHeading title="Page unavailable">Page unavailable</PageHeading>
      <p role="alert">
        This page could not be loaded. Kindred may have been updated since you opened it, or the connection dropped.
      </p>
      <p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </p>
    </>
  );
}

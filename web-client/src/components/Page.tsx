// Every page has exactly one h1 and a document title. After a client-side navigation focus moves
// to the new page's h1, so screen-reader and keyboard users start at the top of the new content.
import { useEffect, useRef, type ReactNode } from 'react';
import { errorMessage } from '../api/client';

let initialPageShown = false;

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Kindred` : 'Kindred';
  }, [title]);
}

export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(title);
  useEffect(() => {
    if (initialPageShown) ref.current?.focus({ preventScroll: false });
    initialPageShown = true;
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="loading">
      {label}
    </p>
  );
}

/** The loading and error states of a query, shown the same way on every page. */
export function QueryStatus({
  query,
  loading,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown };
  loading?: string;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.isError) {
    return (
      <div className="alert alert-error" role="alert">
        {errorMessage(query.error)}
      </div>
    );
  }
  return null;
}

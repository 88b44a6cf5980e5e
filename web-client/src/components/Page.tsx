// Every page has exactly one h1 and a document title. After a client-side navigation focus moves
// to the new page's h1, so screen-reader and keyboard users start at the top of the new content.
import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'react-router';
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

/**
 * A whole page's loading and error states for the query the page is about (a program, say):
 * the heading, then the spinner or the error with a way back. Null once there is data.
 */
export function PageQueryStatus({
  query,
  title,
  back,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown };
  title: string;
  back: { to: string; label: string };
}) {
  if (query.isPending) {
    return (
      <>
        <PageHeading title={title}>{title}</PageHeading>
        <Loading />
      </>
    );
  }
  if (query.isError) {
    return (
      <>
        <PageHeading title={`${title} unavailable`}>{title} unavailable</PageHeading>
        <div className="alert alert-error" role="alert">
          {errorMessage(query.error)}
        </div>
        <p>
          <Link to={back.to}>{back.label}</Link>
        </p>
      </>
    );
  }
  return null;
}

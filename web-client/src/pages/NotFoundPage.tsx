import { Link } from 'react-router';
import { PageHeading } from '../components/Page';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found">Page not found</PageHeading>
      <p>
        There is nothing at this address. <Link to="/programs">Go to your programs</Link>.
      </p>
    </>
  );
}

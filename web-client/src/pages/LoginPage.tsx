import { useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { FormError, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading } from '../components/Page';
import { safeNextPath } from '../lib/links';
import { hasErrors, validateLogin } from '../lib/validation';
import { ACCOUNT_DELETED_KEY, useSession } from '../session';

export function LoginPage() {
  const { session, setSession } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const navigate = useNavigate();
  // Settings sends a person here after deleting their account. A time in session storage, not
  // the router's state: on the way the page may pass through other routes (and their guards)
  // while the session clears, and mount more than once. Shown for a minute, or until a sign-in.
  const [deleted] = useState(() => Date.now() - Number(sessionStorage.getItem(ACCOUNT_DELETED_KEY) ?? 0) < 60_000);
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const login = useMutation({
    mutationFn: () => api.login(email.trim(), password),
    onSuccess: (s) => {
      sessionStorage.removeItem(ACCOUNT_DELETED_KEY);
      setSession(s);
      navigate(next, { replace: true });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['email', 'password']));
    },
  });

  if (session && !login.isPending) return <Navigate to={next} replace />;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateLogin(email, password);
    setErrors(found);
    if (hasErrors(found)) {
      setFormError(null);
      return;
    }
    setFormError(null);
    login.mutate();
  }

  return (
    <div className="narrow">
      <PageHeading title="Sign in">Sign in to Kindred</PageHeading>
      {deleted ? <p className="alert alert-success">Your account was deleted. Thank you for taking part.</p> : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="card">
        <FormError message={formError} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={setEmail}
          error={errors.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          required
        />
        <div className="actions">
          <button type="submit" disabled={login.isPending}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
          <Link to="/forgot-password">Forgot your password?</Link>
        </div>
      </form>
    </div>
  );
}

import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { ApiError, errorMessage, formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { FormError, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading } from '../components/Page';
import { hasErrors, MIN_PASSWORD_LENGTH, validateNewPassword } from '../lib/validation';

export function ResetPasswordPage() {
  const { token = '' } = useParams();
  const formRef = useRef<HTMLFormElement>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const reset = useMutation({
    mutationFn: () => api.resetPassword(token, password),
    onError: (e) => {
      setErrors(fieldErrors(e));
      if (e instanceof ApiError && e.status === 404) {
        setFormError('This reset link is not valid. Check that you opened the whole link, or request a new one.');
      } else if (e instanceof ApiError && e.status === 410) {
        setFormError(`${errorMessage(e).replace(/\.$/, '')}. Reset links work once and expire: request a new one.`);
      } else {
        setFormError(formErrorMessage(e, ['password', 'confirm']));
      }
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateNewPassword(password, confirm);
    setErrors(found);
    setFormError(null);
    if (!hasErrors(found)) reset.mutate();
  }

  if (reset.isSuccess) {
    return (
      <div className="narrow">
        <PageHeading title="Password changed">Your password was changed</PageHeading>
        <p role="status" className="alert alert-success">
          You can now sign in with your new password.
        </p>
        <p>
          <Link to="/login" className="button">
            Sign in
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div className="narrow">
      <PageHeading title="Choose a new password">Choose a new password</PageHeading>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="card">
        <FormError message={formError} />
        <TextField
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={password}
          onChange={setPassword}
          error={errors.password}
          required
        />
        <TextField
          label="New password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={setConfirm}
          error={errors.confirm}
          required
        />
        <div className="actions">
          <button type="submit" disabled={reset.isPending}>
            {reset.isPending ? 'Saving…' : 'Change password'}
          </button>
          <Link to="/forgot-password">Request a new link</Link>
        </div>
      </form>
    </div>
  );
}

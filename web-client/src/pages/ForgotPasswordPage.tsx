import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { FormError, StatusMessage, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading } from '../components/Page';
import { hasErrors, validateEmailOnly } from '../lib/validation';

export function ForgotPasswordPage() {
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const forgot = useMutation({
    mutationFn: () => api.forgotPassword(email.trim()),
    onSuccess: () =>
      setSent(
        `If an account exists for ${email.trim()}, we sent a link to reset its password. Check your email.`,
      ),
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['email']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateEmailOnly(email);
    setErrors(found);
    setFormError(null);
    setSent(null);
    if (!hasErrors(found)) forgot.mutate();
  }

  return (
    <div className="narrow">
      <PageHeading title="Forgot password">Forgot your password?</PageHeading>
      <p>Enter the email address of your account and we will send you a link to choose a new password.</p>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="card">
        <FormError message={formError} />
        <StatusMessage message={sent} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
          required
        />
        <div className="actions">
          <button type="submit" disabled={forgot.isPending}>
            {forgot.isPending ? 'Sending…' : 'Send reset link'}
          </button>
          <Link to="/login">Back to sign in</Link>
        </div>
      </form>
    </div>
  );
}

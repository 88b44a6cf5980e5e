// Accepting an invitation: a newcomer chooses a name and password; someone who already has an
// account confirms with their password. Either way they end up signed in on their profile.
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, errorMessage, formErrorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { invitationKeys } from '../api/queryKeys';
import type { InvitationPreview } from '../api/types';
import { FormError, TextField, useFocusFirstInvalid } from '../components/forms';
import { Loading, PageHeading } from '../components/Page';
import { formatDateTime, roleLabel } from '../lib/format';
import { hasErrors, MIN_PASSWORD_LENGTH, validateNewPassword } from '../lib/validation';
import { useSession } from '../session';

export function InvitePage() {
  const { token = '' } = useParams();
  const invitation = useQuery({
    queryKey: invitationKeys.preview(token),
    queryFn: () => api.invitation(token),
    retry: false,
  });

  if (invitation.isPending) {
    return (
      <div className="narrow">
        <PageHeading title="Invitation">Your invitation</PageHeading>
        <Loading />
      </div>
    );
  }
  if (invitation.isError) {
    const e = invitation.error;
    const title =
      e instanceof ApiError && (e.status === 410 || e.status === 404)
        ? 'This invitation can’t be used'
        : 'Could not load the invitation';
    return (
      <div className="narrow">
        <PageHeading title={title}>{title}</PageHeading>
        <div className="alert alert-error" role="alert">
          {errorMessage(e)}
        </div>
        <p>
          Ask your program coordinator to send you a new invitation. If you already have an account,{' '}
          <Link to="/login">sign in</Link>.
        </p>
      </div>
    );
  }
  return <AcceptForm token={token} invitation={invitation.data} />;
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const { setSession } = useSession();
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const newAccount = !invitation.account_exists;
  const [name, setName] = useState(invitation.name);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const accept = useMutation({
    mutationFn: () => api.acceptInvitation(token, password, newAccount ? name.trim() : undefined),
    onSuccess: (session) => {
      setSession(session);
      navigate('/profile', { replace: true, state: { welcome: invitation.program.name } });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, newAccount ? ['name', 'password', 'confirm'] : ['password']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    let found: FieldErrors = {};
    if (newAccount) {
      found = validateNewPassword(password, confirm);
      if (name.trim() === '') found.name = 'Enter your name.';
    } else if (password === '') {
      found.password = 'Enter your password.';
    }
    setErrors(found);
    setFormError(null);
    if (!hasErrors(found)) accept.mutate();
  }

  return (
    <div className="narrow">
      <PageHeading title={`Join ${invitation.program.name}`}>Join {invitation.program.name}</PageHeading>
      <dl className="facts card">
        <div>
          <dt>Program</dt>
          <dd>{invitation.program.name}</dd>
        </div>
        <div>
          <dt>Your role</dt>
          <dd>{roleLabel(invitation.role)}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd className="break">{invitation.email}</dd>
        </div>
        <div>
          <dt>Invitation expires</dt>
          <dd>{formatDateTime(invitation.expires_at)}</dd>
        </div>
      </dl>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="card">
        <h2>{newAccount ? 'Create your account' : 'Confirm it’s you'}</h2>
        {newAccount ? null : (
          <p>You already have a Kindred account with this email. Enter its password to join the program.</p>
        )}
        <FormError message={formError} />
        {/* Lets password managers store the password under the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={invitation.email} readOnly />
        {newAccount ? (
          <TextField
            label="Your name"
            name="name"
            autoComplete="name"
            value={name}
            onChange={setName}
            error={errors.name}
            required
          />
        ) : null}
        <TextField
          label={newAccount ? 'Choose a password' : 'Password'}
          name="password"
          type="password"
          autoComplete={newAccount ? 'new-password' : 'current-password'}
          hint={newAccount ? `At least ${MIN_PASSWORD_LENGTH} characters.` : undefined}
          value={password}
          onChange={setPassword}
          error={errors.password}
          required
        />
        {newAccount ? (
          <TextField
            label="Password again"
            name="confirm"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={setConfirm}
            error={errors.confirm}
            required
          />
        ) : null}
        <div className="actions">
          <button type="submit" disabled={accept.isPending}>
            {accept.isPending ? 'Joining…' : 'Accept invitation'}
          </button>
          {newAccount ? null : <Link to="/forgot-password">Forgot your password?</Link>}
        </div>
      </form>
    </div>
  );
}

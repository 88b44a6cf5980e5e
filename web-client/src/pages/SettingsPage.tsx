// My settings: which emails Kindred sends me, the people I blocked, what I reported (and whether
// it was reviewed), a copy of everything it holds about me, and deleting my account (with my
// password, after a clear warning; then I am signed out).
import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage, fieldErrors, formErrorMessage, type FieldErrors } from '../api/client';
import { dataApi, MY_EXPORT_URL, type NotificationSettings } from '../api/programData';
import { accountKeys } from '../api/queryKeys';
import { CheckboxField, FormError, StatusMessage, TextField, useFocusFirstInvalid } from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { BlockedPeople } from '../components/safety/BlockedPeople';
import { MyReports } from '../components/safety/MyReports';
import { ACCOUNT_DELETED_KEY, useSession } from '../session';
import '../program-data.css';

const KINDS: readonly { key: keyof NotificationSettings; label: string; hint: string }[] = [
  { key: 'message_digest', label: 'Unread messages', hint: 'A digest of messages that arrive while you are offline.' },
  { key: 'meeting_reminders', label: 'Meeting reminders', hint: 'Before a scheduled meeting starts.' },
  { key: 'survey_invitations', label: 'Survey invitations', hint: 'When a survey is waiting for you, and a reminder.' },
  { key: 'match_proposals', label: 'Match proposals', hint: 'When you are proposed a match.' },
];

export function SettingsPage() {
  return (
    <>
      <PageHeading title="Settings">Settings</PageHeading>
      <Notifications />
      <BlockedPeople />
      <MyReports />
      <MyData />
      <DeleteAccount />
    </>
  );
}

function Notifications() {
  const settings = useQuery({ queryKey: accountKeys.notifications, queryFn: dataApi.notifications });
  return (
    <section aria-labelledby="notifications-heading" className="card">
      <h2 id="notifications-heading">Email notifications</h2>
      <QueryStatus query={settings} loading="Loading your notification settings…" />
      {settings.data ? <NotificationsForm settings={settings.data} /> : null}
    </section>
  );
}

function NotificationsForm({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<NotificationSettings>(settings);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => dataApi.updateNotifications(values),
    onSuccess: (saved) => {
      queryClient.setQueryData(accountKeys.notifications, saved);
      setValues(saved);
      setError(null);
      setStatus('Notification settings saved.');
    },
    onError: (e) => {
      setStatus(null);
      setError(formErrorMessage(e, []));
    },
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    save.mutate();
  }
  return (
    <form onSubmit={onSubmit} aria-labelledby="notifications-heading">
      <FormError message={error} />
      <fieldset className="choice-group">
        <legend>Send me an email about</legend>
        {KINDS.map((k) => (
          <CheckboxField
            key={k.key}
            label={k.label}
            hint={k.hint}
            checked={values[k.key]}
            onChange={(on) => setValues((v) => ({ ...v, [k.key]: on }))}
          />
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save notification settings'}
        </button>
      </div>
      <StatusMessage message={status} />
    </form>
  );
}

function MyData() {
  return (
    <section aria-labelledby="my-data-heading" className="card">
      <h2 id="my-data-heading">Your data</h2>
      <p>
        A file (JSON) with everything Kindred holds about you: your profile, programs, questionnaires, matches, the
        messages you wrote, meetings, check-ins, your named survey answers and these settings.
      </p>
      <p>
        <a className="button button-secondary" href={MY_EXPORT_URL} download="kindred-my-data.json">
          Download my data
        </a>
      </p>
    </section>
  );
}

function DeleteAccount() {
  const { setSession } = useSession();
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const [password, setPassword] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const remove = useMutation({
    mutationFn: () => dataApi.deleteAccount(password),
    onSuccess: () => {
      sessionStorage.setItem(ACCOUNT_DELETED_KEY, String(Date.now()));
      setSession(null);
      navigate('/login', { replace: true });
    },
    onError: (e) => {
      const found = fieldErrors(e);
      // A wrong password (403) is the mistake to fix here; say it at the field.
      if (!found.password && e instanceof ApiError && e.status === 403) {
        setErrors({ password: errorMessage(e) });
        setFormError('Please correct the problem marked below.');
        return;
      }
      setErrors(found);
      setFormError(formErrorMessage(e, ['password']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (password === '') found.password = 'Enter your password to confirm.';
    setErrors(found);
    if (!understood) {
      setFormError('Tick the box to confirm that you understand what deleting your account does.');
      return;
    }
    if (Object.keys(found).length > 0) {
      setFormError('Please correct the problems marked below.');
      return;
    }
    setFormError(null);
    remove.mutate();
  }

  return (
    <section aria-labelledby="delete-heading" className="card danger-zone">
      <h2 id="delete-heading">Delete my account</h2>
      <div className="alert alert-warning">
        <p>
          <strong>This cannot be undone.</strong> Deleting your account:
        </p>
        <ul>
          <li>removes your email, password, sessions, questionnaires and named survey answers;</li>
          <li>erases the text of every message you wrote (the conversations keep their order);</li>
          <li>shows your name as “Deleted person” to the people you talked with;</li>
          <li>ends your open matches, and tells the other person in the pair.</li>
        </ul>
        <p>Download your data first if you want a copy.</p>
      </div>
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="delete-heading">
        <FormError message={formError} />
        <CheckboxField label="I understand that my account and data will be deleted for good" checked={understood} onChange={setUnderstood} />
        <TextField
          label="Your password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        <div className="actions">
          <button type="submit" className="button-danger" disabled={remove.isPending}>
            {remove.isPending ? 'Deleting…' : 'Delete my account'}
          </button>
        </div>
      </form>
    </section>
  );
}

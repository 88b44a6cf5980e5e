// Coordinators' moderation of a member (docs/safety.md): mute them in the program's group
// channels for a time (or lift it), take them out of a group channel, suspend them from the
// program (or reinstate them). Each opens one dialog, held by the page's frame (Layout) like the
// block and report dialogs, that says in plain words what the action does, asks for the required
// reason (and, for a mute, for how long), and then says how it went.
import { useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import { eventKeys, memberKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import {
  actionConsequences,
  actionDone,
  actionSubmit,
  actionTitle,
  chosenMinutes,
  DURATION_CHOICES,
  MAX_MUTE_MINUTES,
  minutesProblem,
  reasonProblem,
  type DurationChoice,
  type ModerationAction,
} from '../../lib/moderation';
import { useModalDialog } from '../call/useModalDialog';
import { FormError, RadioGroupField, StatusMessage, TextAreaField, TextField, useFocusFirstInvalid } from '../forms';
import { dialogHost, pageHeading } from './DialogHost';

/** One moderation action on one person. */
export interface ModerationTarget {
  readonly action: ModerationAction;
  readonly programId: string;
  readonly programName: string;
  readonly person: { readonly id: string; readonly name: string };
  /** For `remove`: the channel they are taken out of. */
  readonly channel?: { readonly id: string; readonly name: string };
  /** For `event-remove`: the event they are taken out of. */
  readonly event?: { readonly id: string; readonly title: string };
}

const host = dialogHost<ModerationTarget>((target, onClose) => <ModerationDialog target={target} onClose={onClose} />);

/** Holds the moderation dialog of the signed-in frame (Layout). */
export const ModerationProvider = host.Provider;

/** Opens the moderation dialog (null outside a ModerationProvider). */
export const useModeration = host.useAsk;

function perform(target: ModerationTarget, reason: string, minutes: number | null): Promise<string | undefined> {
  const { programId, person } = target;
  switch (target.action) {
    case 'mute':
      return api.mute(programId, person.id, minutes ?? 0, reason).then((mute) => formatDateTime(mute.until));
    case 'unmute':
      return api.unmute(programId, person.id, reason).then(() => undefined);
    case 'remove':
      return api.removeFromChannel(target.channel?.id ?? '', person.id, reason).then(() => undefined);
    case 'suspend':
      return api.suspend(programId, person.id, reason).then(() => undefined);
    case 'reinstate':
      return api.reinstate(programId, person.id, reason).then(() => undefined);
    case 'event-remove':
      return api.removeFromEvent(target.event?.id ?? '', person.id, reason).then(() => undefined);
  }
}

function ModerationDialog({ target, onClose }: { target: ModerationTarget; onClose: () => void }) {
  const base = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useModalDialog(dialog, titleRef, pageHeading);
  const queryClient = useQueryClient();
  const { action, person } = target;
  const [choice, setChoice] = useState<DurationChoice | ''>('');
  const [custom, setCustom] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const run = useMutation({
    mutationFn: (minutes: number | null) => perform(target, reason.trim(), minutes),
    onMutate: () => setFormError(null),
    onSuccess: (until) => {
      setDone(actionDone(action, person.name, until));
      void queryClient.invalidateQueries({ queryKey: memberKeys.list(target.programId) });
      if (target.event) void queryClient.invalidateQueries({ queryKey: eventKeys.detail(target.event.id) });
    },
    onError: (e) => setFormError(errorMessage(e)),
  });

  useLayoutEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);

  const minutes = action === 'mute' ? chosenMinutes(choice, custom) : null;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (run.isPending) return;
    const found: Record<string, string> = {};
    if (action === 'mute') {
      const problem = minutesProblem(choice, custom);
      if (problem) found[choice === 'custom' ? 'minutes' : 'duration'] = problem;
    }
    const why = reasonProblem(reason);
    if (why) found.reason = why;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Please correct the problems marked below.');
      return;
    }
    run.mutate(minutes);
  }

  const titleId = `${base}-title`;
  const introId = `${base}-intro`;
  const title = actionTitle(action, person.name, target.event?.title ?? target.channel?.name);
  const gentle = action === 'unmute' || action === 'reinstate';
  return (
    <dialog
      ref={dialog}
      className="call-dialog moderation-dialog"
      aria-labelledby={titleId}
      aria-describedby={introId}
      onCancel={(event) => {
        event.preventDefault();
        if (!run.isPending) onClose();
      }}
    >
      <h2 id={titleId} ref={titleRef} tabIndex={-1}>
        {done ? title : `${title}?`}
      </h2>
      <StatusMessage message={done} />
      {done ? (
        <div className="actions">
          <button ref={closeRef} type="button" onClick={onClose}>
            Close
          </button>
        </div>
      ) : (
        <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
          <div id={introId}>
            <p>What this does:</p>
            <ul className="block-consequences">
              {actionConsequences(action, person.name, target.programName, target.event?.title ?? target.channel?.name).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
          <FormError message={formError} />
          {action === 'mute' ? (
            <>
              <RadioGroupField
                legend="For how long"
                required
                value={choice}
                onChange={(value) => setChoice(value as DurationChoice)}
                options={DURATION_CHOICES}
                error={errors.duration}
              />
              {choice === 'custom' ? (
                <TextField
                  label="Minutes"
                  name="minutes"
                  inputMode="numeric"
                  required
                  value={custom}
                  onChange={setCustom}
                  error={errors.minutes}
                  hint={`From 1 to ${MAX_MUTE_MINUTES.toLocaleString('en')} (30 days).`}
                />
              ) : null}
            </>
          ) : null}
          <TextAreaField
            label="Reason"
            name="reason"
            rows={3}
            required
            value={reason}
            onChange={setReason}
            error={errors.reason}
            hint="Why you do this. Kept in the audit log with your name, and shown to the program’s coordinators."
          />
          <div className="actions">
            <button
              type="submit"
              className={gentle ? undefined : 'button-danger'}
              aria-disabled={run.isPending ? true : undefined}
            >
              {run.isPending ? 'Saving…' : actionSubmit(action, person.name, minutes)}
            </button>
            <button type="button" className="button-secondary" onClick={onClose} disabled={run.isPending}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

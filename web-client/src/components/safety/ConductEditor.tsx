// The "Code of conduct" section of a program's data (coordinators): the current version and when
// it was saved, the text as members read it (plain text, line breaks kept), and an editor that
// saves it (PUT …/conduct). A changed text is a new version, which every member accepts again
// before they post, call or join events; the editor says so before saving.
import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { conductKeys } from '../../api/queryKeys';
import type { Conduct } from '../../api/types';
import {
  conductSaved,
  conductTextProblem,
  conductVersionText,
  MAX_CONDUCT,
  NEW_VERSION_EXPLAINED,
} from '../../lib/conduct';
import { formatDateTime } from '../../lib/format';
import { FormError, StatusMessage, TextAreaField, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';

export function ConductEditor({ programId }: { programId: string }) {
  const conduct = useQuery({ queryKey: conductKeys.ofProgram(programId), queryFn: () => api.conduct(programId) });
  return (
    <section aria-labelledby="conduct-heading">
      <h2 id="conduct-heading">Code of conduct</h2>
      <p>
        How members of this program treat each other. Members (not coordinators) read it and accept it before they can
        post a message, call their match, say they are going to an event or enter an event’s room.
      </p>
      <QueryStatus query={conduct} loading="Loading the code of conduct…" />
      {conduct.data ? <ConductForm programId={programId} conduct={conduct.data} /> : null}
    </section>
  );
}

function ConductForm({ programId, conduct }: { programId: string; conduct: Conduct }) {
  const queryClient = useQueryClient();
  const base = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [text, setText] = useState(conduct.text);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const save = useMutation({
    mutationFn: () => api.saveConduct(programId, text),
    onSuccess: (saved) => {
      queryClient.setQueryData(conductKeys.ofProgram(programId), saved);
      // Mine too: a coordinator who is a member elsewhere, another tab.
      void queryClient.invalidateQueries({ queryKey: conductKeys.mine });
      setText(saved.text);
      setStatus(conductSaved(conduct.version, saved));
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['text']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const problem = conductTextProblem(text);
    setErrors(problem ? { text: problem } : {});
    setFormError(problem ? 'Please correct the problem marked below.' : null);
    if (!problem) save.mutate();
  }

  const length = Array.from(text).length;
  const currentId = `${base}-current`;
  return (
    <>
      <p>
        <strong>{conductVersionText(conduct, formatDateTime)}</strong>
      </p>
      {conduct.text ? (
        <div className="conduct-current">
          <h3 id={currentId}>What members read now</h3>
          <div className="conduct-text" tabIndex={0} role="region" aria-labelledby={currentId}>
            {conduct.text}
          </div>
        </div>
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="conduct-heading">
        <FormError message={formError} />
        <TextAreaField
          label="Code of conduct text"
          name="text"
          value={text}
          onChange={setText}
          error={errors.text}
          rows={12}
          hint={`Members see it as plain text, line breaks kept. At most ${MAX_CONDUCT.toLocaleString('en')} characters (${length.toLocaleString('en')} now).`}
        />
        <p className="alert alert-info">{NEW_VERSION_EXPLAINED}</p>
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save code of conduct'}
          </button>
        </div>
        <StatusMessage message={status} />
      </form>
    </>
  );
}

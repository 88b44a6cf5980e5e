// The "Help panel" section of a program's data: the words and contacts every member of the
// program sees under "Get help now", on every page. Saving an empty text removes the panel.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { dataApi, MAX_HELP_TEXT, type ProgramHelp } from '../../api/programData';
import { helpKeys } from '../../api/queryKeys';
import { helpSaved, helpTextError } from '../../lib/help';
import { FormError, StatusMessage, TextAreaField, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';

export function HelpPanelEditor({ programId }: { programId: string }) {
  const help = useQuery({ queryKey: helpKeys.ofProgram(programId), queryFn: () => dataApi.programHelp(programId) });
  return (
    <section aria-labelledby="help-panel-heading">
      <h2 id="help-panel-heading">Help panel</h2>
      <p>
        What members should do when something is wrong: who to call, when, and how to reach the program in a hurry.
        Every member sees it under “Get help now”, which is in the header of every page, after a line telling them to
        call their local emergency number if anyone is in immediate danger.
      </p>
      <QueryStatus query={help} loading="Loading the help panel…" />
      {help.data ? <HelpForm programId={programId} help={help.data} /> : null}
    </section>
  );
}

function HelpForm({ programId, help }: { programId: string; help: ProgramHelp }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [text, setText] = useState(help.text);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const save = useMutation({
    mutationFn: () => dataApi.saveProgramHelp(programId, text),
    onSuccess: (saved) => {
      queryClient.setQueryData(helpKeys.ofProgram(programId), saved);
      void queryClient.invalidateQueries({ queryKey: helpKeys.mine });
      setText(saved.text);
      setStatus(helpSaved(saved.text));
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['text']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const problem = helpTextError(text);
    setErrors(problem ? { text: problem } : {});
    setFormError(null);
    if (!problem) save.mutate();
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="help-panel-heading">
      <FormError message={formError} />
      <TextAreaField
        label="Get help now: what members see"
        name="text"
        value={text}
        onChange={setText}
        error={errors.text}
        rows={8}
        hint={`Plain text; line breaks are kept. At most ${MAX_HELP_TEXT} characters. Leave it empty to remove the panel.`}
      />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save help panel'}
        </button>
      </div>
      <StatusMessage message={status} />
    </form>
  );
}

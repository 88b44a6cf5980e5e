// The console's "Questionnaire setup" section: the program's interest taxonomy and its custom
// questions.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { matchingKeys } from '../../api/queryKeys';
import type { Interest, Question, QuestionAudience, QuestionKind } from '../../api/types';
import { EMPTY_QUESTION, MAX_OPTION, MAX_OPTIONS, MAX_PROMPT, validateQuestion, type QuestionForm } from '../../lib/matching';
import {
  CheckboxField,
  FormError,
  SelectField,
  StatusMessage,
  TextAreaField,
  TextField,
  useFocusFirstInvalid,
} from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

const MAX_INTEREST = 60;

const AUDIENCES: { value: QuestionAudience; label: string }[] = [
  { value: 'both', label: 'Mentees and mentors' },
  { value: 'mentee', label: 'Mentees' },
  { value: 'mentor', label: 'Mentors' },
];

const KINDS: { value: QuestionKind; label: string }[] = [
  { value: 'choice', label: 'Choice of options' },
  { value: 'text', label: 'Free text' },
];

function audienceLabel(audience: QuestionAudience): string {
  return AUDIENCES.find((a) => a.value === audience)?.label ?? audience;
}

export function SetupPanel({ programId }: { programId: string }) {
  return (
    <section aria-labelledby="setup-heading">
      <h2 id="setup-heading">Questionnaire setup</h2>
      <p>
        Mentees and mentors choose their interests from the taxonomy and answer the custom questions in their
        questionnaire. Removing an interest or a question removes it from everyone’s answers.
      </p>
      <Interests programId={programId} />
      <Questions programId={programId} />
    </section>
  );
}

function Interests({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const interests = usePagedList(matchingKeys.interests(programId), (cursor) => api.interests(programId, cursor));
  const formRef = useRef<HTMLFormElement>(null);
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const add = useMutation({
    mutationFn: (text: string) => api.createInterest(programId, text),
    onSuccess: (created) => {
      setLabel('');
      setStatus(`Interest “${created.label}” added.`);
      void queryClient.invalidateQueries({ queryKey: matchingKeys.interests(programId) });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['label']));
    },
  });

  const remove = useMutation({
    mutationFn: (interest: Interest) => api.deleteInterest(programId, interest.id),
    onMutate: () => {
      setStatus(null);
      setFormError(null);
    },
    onSuccess: (_, interest) => {
      setStatus(`Interest “${interest.label}” removed.`);
      void queryClient.invalidateQueries({ queryKey: matchingKeys.interests(programId) });
    },
    onError: (e) => setFormError(errorMessage(e)),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    setFormError(null);
    const text = label.trim().replace(/\s+/g, ' ');
    const found: FieldErrors = {};
    if (text === '') found.label = 'Write the interest’s name.';
    else if (text.length > MAX_INTEREST) found.label = `Keep it under ${MAX_INTEREST} characters.`;
    else if (interests.items.some((i) => i.label.toLocaleLowerCase() === text.toLocaleLowerCase())) {
      found.label = 'This interest is already in the list.';
    }
    setErrors(found);
    if (Object.keys(found).length === 0) add.mutate(text);
  }

  return (
    <div className="subsection">
      <h3 id="interests-heading">Interest taxonomy</h3>
      <StatusMessage message={status} />
      <FormError message={formError} />
      <QueryStatus query={interests} loading="Loading interests…" />
      {interests.isSuccess && interests.items.length === 0 ? (
        <p>No interests yet. People can still add their own tags.</p>
      ) : null}
      {interests.items.length > 0 ? (
        <ul className="interest-list" aria-labelledby="interests-heading">
          {interests.items.map((i) => (
            <li key={i.id}>
              <span className="break">{i.label}</span>
              <button
                type="button"
                className="button-danger button-small"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Remove the interest “${i.label}”? It is removed from everyone’s answers.`)) {
                    remove.mutate(i);
                  }
                }}
              >
                Remove<span className="visually-hidden"> {i.label}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...interests} what="interests" />
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-label="Add an interest" className="inline-add">
        <TextField
          label="New interest"
          name="interest"
          hint="For example: Cardiology, Research careers, Work–life balance."
          value={label}
          onChange={setLabel}
          error={errors.label}
          maxLength={MAX_INTEREST}
          required
        />
        <div className="actions">
          <button type="submit" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add interest'}
          </button>
        </div>
      </form>
    </div>
  );
}

function Questions({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const questions = usePagedList(matchingKeys.questions(programId), (cursor) => api.questions(programId, cursor));
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (question: Question) => api.deleteQuestion(programId, question.id),
    onMutate: () => {
      setStatus(null);
      setError(null);
    },
    onSuccess: (_, question) => {
      setStatus(`Question “${question.prompt}” removed.`);
      void queryClient.invalidateQueries({ queryKey: matchingKeys.questions(programId) });
    },
    onError: (e) => setError(errorMessage(e)),
  });

  return (
    <div className="subsection">
      <h3>Custom questions</h3>
      <StatusMessage message={status} />
      <FormError message={error} />
      <QueryStatus query={questions} loading="Loading questions…" />
      {questions.isSuccess && questions.items.length === 0 ? <p>No custom questions yet.</p> : null}
      {questions.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="questions-caption" tabIndex={0}>
          <table>
            <caption id="questions-caption" className="visually-hidden">
              Custom questions
            </caption>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Answer</th>
                <th scope="col">Asked of</th>
                <th scope="col">Required</th>
                <th scope="col">Used for matching</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {questions.items.map((q) => (
                <tr key={q.id}>
                  <th scope="row" className="break">
                    {q.prompt}
                  </th>
                  <td>
                    {q.kind === 'choice' ? (
                      <>
                        One of:
                        <ul className="cell-list">
                          {q.options.map((o) => (
                            <li key={o}>{o}</li>
                          ))}
                        </ul>
                      </>
                    ) : (
                      'Free text'
                    )}
                  </td>
                  <td>{audienceLabel(q.audience)}</td>
                  <td>{q.required ? 'Yes' : 'No'}</td>
                  <td>{q.feeds_matching ? 'Yes' : 'No'}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button-danger"
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm(`Remove the question “${q.prompt}”? Everyone’s answers to it are removed.`)) {
                          remove.mutate(q);
                        }
                      }}
                    >
                      Remove<span className="visually-hidden"> the question “{q.prompt}”</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...questions} what="questions" />
      <AddQuestion programId={programId} onAdded={(q) => setStatus(`Question “${q.prompt}” added.`)} />
    </div>
  );
}

function AddQuestion({ programId, onAdded }: { programId: string; onAdded: (q: Question) => void }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [form, setForm] = useState<QuestionForm>(EMPTY_QUESTION);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  function set<K extends keyof QuestionForm>(key: K, value: QuestionForm[K]) {
    setForm((old) => ({ ...old, [key]: value }));
  }

  const create = useMutation({
    mutationFn: (question: NonNullable<ReturnType<typeof validateQuestion>['question']>) =>
      api.createQuestion(programId, question),
    onSuccess: (created) => {
      setForm(EMPTY_QUESTION);
      onAdded(created);
      void queryClient.invalidateQueries({ queryKey: matchingKeys.questions(programId) });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['prompt', 'options']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const { question, errors: found } = validateQuestion(form);
    setErrors(found);
    if (question) create.mutate(question);
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="add-question-heading" className="subsection">
      <h4 id="add-question-heading">Add a question</h4>
      <FormError message={formError} />
      <TextField
        label="Question"
        name="prompt"
        value={form.prompt}
        onChange={(v) => set('prompt', v)}
        error={errors.prompt}
        maxLength={MAX_PROMPT}
        required
      />
      <div className="field-row">
        <SelectField
          label="Kind of answer"
          name="kind"
          value={form.kind}
          onChange={(v) => set('kind', v === 'text' ? 'text' : 'choice')}
          options={KINDS}
        />
        <SelectField
          label="Asked of"
          name="audience"
          value={form.audience}
          onChange={(v) => set('audience', AUDIENCES.find((a) => a.value === v)?.value ?? 'both')}
          options={AUDIENCES}
        />
      </div>
      {form.kind === 'choice' ? (
        <TextAreaField
          label="Options"
          name="options"
          hint={`One option a line; at least 2, at most ${MAX_OPTIONS}, each up to ${MAX_OPTION} characters.`}
          value={form.options}
          onChange={(v) => set('options', v)}
          error={errors.options}
          required
          rows={5}
        />
      ) : null}
      <CheckboxField
        label="Required"
        hint="An answer is needed to complete the questionnaire."
        checked={form.required}
        onChange={(v) => set('required', v)}
      />
      {form.kind === 'choice' ? (
        <CheckboxField
          label="Use for matching"
          hint="Pairs who chose the same option score higher (the “Program questions” weight)."
          checked={form.feeds_matching}
          onChange={(v) => set('feeds_matching', v)}
        />
      ) : null}
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add question'}
        </button>
      </div>
    </form>
  );
}

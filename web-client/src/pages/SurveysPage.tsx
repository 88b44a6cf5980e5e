// My open survey invitations, and the form to answer one. A `survey` frame on the chat socket
// refreshes the list when a new invitation arrives.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage, fieldErrors, formErrorMessage, type FieldErrors } from '../api/client';
import { dataApi, type SurveyInvitation, type SurveyQuestion } from '../api/programData';
import { surveyKeys } from '../api/queryKeys';
import {
  CheckboxGroupField,
  FormError,
  RadioGroupField,
  StatusMessage,
  TextAreaField,
  useFocusFirstInvalid,
} from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { formatDateTime } from '../lib/format';
import { answerFieldErrors, buildAnswers, emptyAnswers, SCALE_POINTS, type AnswerDraft } from '../lib/surveys';
import '../program-data.css';

export function SurveysPage() {
  const surveys = useQuery({ queryKey: surveyKeys.mine, queryFn: dataApi.mySurveys });
  const [openId, setOpenId] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const items = surveys.data?.items ?? [];
  const open = items.find((s) => s.id === openId) ?? null;

  return (
    <>
      <PageHeading title="Surveys">Surveys</PageHeading>
      <p>Short questions from your program’s coordinators about how your mentoring is going.</p>
      <StatusMessage message={done} />
      <QueryStatus query={surveys} loading="Loading your surveys…" />
      {surveys.isSuccess && items.length === 0 ? <p>You have no surveys to answer. Thank you!</p> : null}
      {items.length > 0 && !open ? (
        <ul className="survey-list">
          {items.map((s) => (
            <li key={s.id} className="card">
              <h2 className="survey-card-title">{s.title}</h2>
              <p className="muted">
                {s.program_name ? `${s.program_name} · ` : ''}
                {s.questions.length} {s.questions.length === 1 ? 'question' : 'questions'} · sent{' '}
                {formatDateTime(s.created_at)}
                {s.anonymous ? ' · anonymous' : ''}
              </p>
              <button
                type="button"
                onClick={() => {
                  setDone(null);
                  setOpenId(s.id);
                }}
              >
                Answer “{s.title}”
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {open ? (
        <SurveyForm
          key={open.id}
          invitation={open}
          onCancel={() => setOpenId(null)}
          onDone={(message) => {
            setOpenId(null);
            setDone(message);
          }}
        />
      ) : null}
    </>
  );
}

function SurveyForm({
  invitation,
  onCancel,
  onDone,
}: {
  invitation: SurveyInvitation;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<AnswerDraft>(() => emptyAnswers(invitation.questions));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);
  const ids = invitation.questions.map((q) => q.id);

  const send = useMutation({
    mutationFn: (answers: Record<string, number | string | string[]>) => dataApi.answerSurvey(invitation.id, answers),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: surveyKeys.mine });
      onDone(`Thank you: your answers to “${invitation.title}” were sent.`);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) {
        void queryClient.invalidateQueries({ queryKey: surveyKeys.mine });
        onDone(`You had already answered “${invitation.title}”.`);
        return;
      }
      const found = answerFieldErrors(fieldErrors(e), invitation.questions);
      setErrors(found);
      setFormError(formErrorMessage(e, ids.map((id) => `answers.${id}`).concat(ids)));
      if (Object.keys(found).length === 0) setFormError(errorMessage(e));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { answers, errors: found } = buildAnswers(invitation.questions, draft);
    setErrors(found);
    if (!answers) {
      setFormError('Please answer the questions marked below.');
      return;
    }
    setFormError(null);
    send.mutate(answers);
  }

  return (
    <section aria-labelledby="survey-form-heading" className="card">
      <h2 id="survey-form-heading">{invitation.title}</h2>
      <p className="field-hint">
        {invitation.anonymous
          ? 'This survey is anonymous: your answers are never linked to you or your pair.'
          : 'Your coordinators see your answers with your name.'}{' '}
        Questions marked <span aria-hidden="true">*</span>
        <span className="visually-hidden">required</span> need an answer.
      </p>
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="survey-form-heading">
        <FormError message={formError} />
        {invitation.questions.map((q, i) => (
          <QuestionField
            key={q.id}
            number={i + 1}
            question={q}
            value={draft[q.id] ?? (q.kind === 'multiple' ? [] : '')}
            onChange={(v) => setDraft((d) => ({ ...d, [q.id]: v }))}
            error={errors[q.id]}
          />
        ))}
        <div className="actions">
          <button type="submit" disabled={send.isPending}>
            {send.isPending ? 'Sending…' : 'Send answers'}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel} disabled={send.isPending}>
            Back to the list
          </button>
        </div>
      </form>
    </section>
  );
}

const SCALE_OPTIONS = SCALE_POINTS.map((p) => ({
  value: p,
  label: p === '1' ? '1 (lowest)' : p === '5' ? '5 (highest)' : p,
}));

function QuestionField({
  number,
  question,
  value,
  onChange,
  error,
}: {
  number: number;
  question: SurveyQuestion;
  value: string | string[];
  onChange: (value: string | string[]) => void;
  error?: string;
}) {
  const legend = `${number}. ${question.prompt}`;
  const options = (question.options ?? []).map((o) => ({ value: o, label: o }));
  switch (question.kind) {
    case 'scale':
      return (
        <div className="scale-question">
          <RadioGroupField
            legend={legend}
            value={typeof value === 'string' ? value : ''}
            onChange={onChange}
            options={SCALE_OPTIONS}
            required={question.required}
            error={error}
          />
        </div>
      );
    case 'single':
      return (
        <RadioGroupField
          legend={legend}
          value={typeof value === 'string' ? value : ''}
          onChange={onChange}
          options={options}
          required={question.required}
          error={error}
        />
      );
    case 'multiple':
      return (
        <CheckboxGroupField
          legend={legend}
          values={Array.isArray(value) ? value : []}
          onChange={onChange}
          options={options}
          required={question.required}
          error={error}
          hint="Choose any that apply."
        />
      );
    case 'text':
      return (
        <TextAreaField
          label={legend}
          value={typeof value === 'string' ? value : ''}
          onChange={onChange}
          required={question.required}
          error={error}
        />
      );
  }
}

// The "Surveys" section: the program's surveys with their results, and a builder for a new one
// (its moment, audience, whether it is anonymous, and up to 30 questions).
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import {
  dataApi,
  QUESTION_KINDS,
  SURVEY_AUDIENCES,
  SURVEY_TRIGGERS,
  type Survey,
  type SurveyAudience,
  type SurveyQuestionKind,
  type SurveyTrigger,
} from '../../api/programData';
import { dashboardKeys, surveyKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import {
  buildSurvey,
  emptySurvey,
  hasOptions,
  MAX_QUESTIONS,
  newQuestion,
  optionList,
  surveyFieldErrors,
  type QuestionDraft,
  type SurveyDraft,
} from '../../lib/surveys';
import {
  CheckboxField,
  CheckboxGroupField,
  FormError,
  SelectField,
  StatusMessage,
  TextAreaField,
  TextField,
  useFocusFirstInvalid,
} from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';
import { SurveyResultsView } from './SurveyResultsView';

export function triggerLabel(trigger: SurveyTrigger, dueAt?: string | null): string {
  const label = SURVEY_TRIGGERS.find((t) => t.value === trigger)?.label ?? trigger;
  return trigger === 'date' && dueAt ? `On ${formatDateTime(dueAt)}` : label;
}

export function SurveysPanel({ programId }: { programId: string }) {
  const surveys = usePagedList(surveyKeys.ofProgram(programId), (cursor) => dataApi.surveys(programId, cursor));
  return (
    <section aria-labelledby="surveys-heading">
      <h2 id="surveys-heading">Surveys</h2>
      <QueryStatus query={surveys} loading="Loading surveys…" />
      {surveys.isSuccess && surveys.items.length === 0 ? <p>No surveys yet. Build the first one below.</p> : null}
      {surveys.items.length > 0 ? (
        <ul className="survey-list">
          {surveys.items.map((s) => (
            <li key={s.id}>
              <SurveyCard programId={programId} survey={s} />
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...surveys} what="surveys" />
      <SurveyBuilder programId={programId} />
    </section>
  );
}

function SurveyCard({ programId, survey }: { programId: string; survey: Survey }) {
  const [open, setOpen] = useState(false);
  const results = useQuery({
    queryKey: surveyKeys.results(programId, survey.id),
    queryFn: () => dataApi.surveyResults(programId, survey.id),
    enabled: open,
  });
  const audience = SURVEY_AUDIENCES.find((a) => a.value === survey.audience)?.label ?? survey.audience;
  return (
    <article className="card" aria-label={survey.title}>
      <p className="survey-card-title">
        <strong>{survey.title}</strong>
      </p>
      <dl className="facts">
        <div>
          <dt>When</dt>
          <dd>{triggerLabel(survey.trigger, survey.due_at)}</dd>
        </div>
        <div>
          <dt>Who</dt>
          <dd>{audience}</dd>
        </div>
        <div>
          <dt>Responses</dt>
          <dd>{survey.anonymous ? 'Anonymous' : 'Named'}</dd>
        </div>
        <div>
          <dt>Questions</dt>
          <dd>{survey.questions.length}</dd>
        </div>
      </dl>
      <button type="button" className="button-secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide results' : 'Show results'}
      </button>
      {open ? (
        <div className="subsection">
          <QueryStatus query={results} loading="Loading results…" />
          {results.data ? <SurveyResultsView results={results.data} /> : null}
        </div>
      ) : null}
    </article>
  );
}

function SurveyBuilder({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<SurveyDraft>(emptySurvey);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: () => {
      const { survey } = buildSurvey(draft);
      if (!survey) throw new Error('The survey is not complete.');
      return dataApi.createSurvey(programId, survey);
    },
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: surveyKeys.ofProgram(programId) });
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.ofProgram(programId) });
      setDraft(emptySurvey());
      setErrors({});
      setFormError(null);
      setStatus(`Survey “${created.title}” created.`);
    },
    onError: (e) => {
      const found = surveyFieldErrors(fieldErrors(e));
      setErrors(found);
      setFormError(formErrorMessage(e, shownKeys(draft)));
    },
  });

  function update(patch: Partial<SurveyDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
  }
  function updateQuestion(index: number, patch: Partial<QuestionDraft>) {
    setDraft((d) => ({ ...d, questions: d.questions.map((q, i) => (i === index ? { ...q, ...patch } : q)) }));
  }
  function removeQuestion(index: number) {
    setDraft((d) => ({ ...d, questions: d.questions.filter((_, i) => i !== index) }));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const { survey, errors: found } = buildSurvey(draft);
    setErrors(found);
    if (!survey) {
      setFormError(found.questions ?? 'Please correct the problems marked below.');
      return;
    }
    setFormError(null);
    create.mutate();
  }

  return (
    <section aria-labelledby="builder-heading" className="card subsection">
      <h3 id="builder-heading">New survey</h3>
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="builder-heading">
        <FormError message={formError} />
        <TextField label="Title" name="title" required value={draft.title} onChange={(v) => update({ title: v })} error={errors.title} />
        <SelectField
          label="When it goes out"
          name="trigger"
          value={draft.trigger}
          onChange={(v) => update({ trigger: v as SurveyTrigger })}
          options={SURVEY_TRIGGERS}
          error={errors.trigger}
        />
        {draft.trigger === 'date' ? (
          <TextField
            label="Date"
            name="due_at"
            type="date"
            required
            value={draft.dueDate}
            onChange={(v) => update({ dueDate: v })}
            error={errors.due_at}
            hint="Everyone of the audience in an active match that day is invited."
          />
        ) : null}
        <SelectField
          label="Who answers"
          name="audience"
          value={draft.audience}
          onChange={(v) => update({ audience: v as SurveyAudience })}
          options={SURVEY_AUDIENCES}
          error={errors.audience}
        />
        <CheckboxField
          label="Anonymous"
          checked={draft.anonymous}
          onChange={(v) => update({ anonymous: v })}
          hint="Anonymous responses are never linked to a person or a pair, so they cannot flag a pair at risk."
        />
        <h4>Questions</h4>
        {draft.questions.map((q, i) => (
          <QuestionEditor
            key={q.id}
            index={i}
            question={q}
            errors={errors}
            anonymous={draft.anonymous}
            onChange={(patch) => updateQuestion(i, patch)}
            onRemove={draft.questions.length > 1 ? () => removeQuestion(i) : undefined}
          />
        ))}
        {errors.questions ? <p className="field-error">{errors.questions}</p> : null}
        <div className="actions">
          <button
            type="button"
            className="button-secondary"
            disabled={draft.questions.length >= MAX_QUESTIONS}
            onClick={() => setDraft((d) => ({ ...d, questions: [...d.questions, newQuestion(d.questions)] }))}
          >
            Add a question
          </button>
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create survey'}
          </button>
        </div>
        <StatusMessage message={status} />
      </form>
    </section>
  );
}

function shownKeys(draft: SurveyDraft): string[] {
  const keys = ['title', 'trigger', 'due_at', 'audience', 'questions'];
  draft.questions.forEach((_, i) => keys.push(`questions.${i}.prompt`, `questions.${i}.options`, `questions.${i}.at_risk_options`));
  return keys;
}

function QuestionEditor({
  index,
  question,
  errors,
  anonymous,
  onChange,
  onRemove,
}: {
  index: number;
  question: QuestionDraft;
  errors: FieldErrors;
  anonymous: boolean;
  onChange: (patch: Partial<QuestionDraft>) => void;
  onRemove?: () => void;
}) {
  const key = `questions.${index}`;
  const options = optionList(question.options);
  return (
    <fieldset className="choice-group question-editor">
      <legend>Question {index + 1}</legend>
      <TextField
        label={`Question ${index + 1} text`}
        required
        value={question.prompt}
        onChange={(v) => onChange({ prompt: v })}
        error={errors[`${key}.prompt`]}
      />
      <SelectField
        label={`Question ${index + 1} kind`}
        value={question.kind}
        onChange={(v) => onChange({ kind: v as SurveyQuestionKind })}
        options={QUESTION_KINDS}
        error={errors[`${key}.kind`]}
      />
      <CheckboxField label={`Question ${index + 1} must be answered`} checked={question.required} onChange={(v) => onChange({ required: v })} />
      {hasOptions(question.kind) ? (
        <>
          <TextAreaField
            label={`Question ${index + 1} options`}
            hint="One per line, 2 to 20."
            rows={4}
            required
            value={question.options}
            onChange={(v) => onChange({ options: v, atRisk: question.atRisk.filter((o) => optionList(v).includes(o)) })}
            error={errors[`${key}.options`]}
          />
          {options.length > 0 ? (
            <CheckboxGroupField
              legend={`Question ${index + 1}: options that flag the pair at risk`}
              hint={
                anonymous
                  ? 'This survey is anonymous, so its answers cannot flag a pair.'
                  : 'When a named response picks one of these (for example “Not a good fit”), the pair gets an alert.'
              }
              values={question.atRisk}
              onChange={(v) => onChange({ atRisk: v })}
              options={options.map((o) => ({ value: o, label: o }))}
              error={errors[`${key}.at_risk_options`]}
            />
          ) : null}
        </>
      ) : null}
      {onRemove ? (
        <div className="actions">
          <button type="button" className="button-link" onClick={onRemove}>
            Remove question {index + 1}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}

// The matching questionnaire of a program, for a mentee or a mentor, in steps. Moving between
// steps saves a draft; the page reopens at the first step with a required answer missing; the
// last step shows everything for review and submits it. Field errors from the server are
// shown on the step where the answer is given.
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, fieldErrors, type FieldErrors } from '../api/client';
import { api } from '../api/endpoints';
import { programKeys, questionnaireKeys } from '../api/queryKeys';
import {
  CAREER_STAGES,
  VISIBILITIES,
  type Interest,
  type MatchingRole,
  type Question,
  type Questionnaire,
  type Visibility,
} from '../api/types';
import {
  CheckboxField,
  CheckboxGroupField,
  focusFirstInvalid,
  FormError,
  RadioGroupField,
  SelectField,
  StatusMessage,
  TextAreaField,
  TextField,
} from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { browserTimeZone, careerStageLabel, formatDateTime, roleLabel, timeZones } from '../lib/format';
import {
  answersToForm,
  customKey,
  draftProblems,
  errorsOfStep,
  firstIncompleteStep,
  firstStepWithErrors,
  formToAnswers,
  LIMITS,
  missingRequired,
  normalizeFieldErrors,
  questionsFor,
  splitList,
  STEP_TITLES,
  stepOfField,
  stepsFor,
  type QuestionnaireForm,
  type StepId,
} from '../lib/questionnaire';

const seg = encodeURIComponent;

export function QuestionnairePage() {
  const { id = '' } = useParams();
  const program = useQuery({ queryKey: programKeys.detail(id), queryFn: () => api.program(id) });
  const questionnaire = useQuery({ queryKey: questionnaireKeys.mine(id), queryFn: () => api.questionnaire(id) });
  const programName = program.data?.name;
  const title = questionnaire.data ? `${roleLabel(questionnaire.data.role)} questionnaire` : 'Questionnaire';

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/programs/${seg(id)}`}>{programName ?? 'Back to the program'}</Link>
      </p>
      <PageHeading title={programName ? `${title} · ${programName}` : title}>{title}</PageHeading>
      <QueryStatus query={questionnaire} loading="Loading your questionnaire…" />
      {questionnaire.data ? <Wizard key={id} programId={id} initial={questionnaire.data} /> : null}
    </>
  );
}

function visibilityLabel(v: Visibility): string {
  switch (v) {
    case 'matching_only':
      return 'only for matching';
    case 'coordinators':
      return 'also shown to coordinators';
    case 'match':
      return 'also shown to coordinators and my match';
  }
}

function stepsWithErrors(errors: FieldErrors, steps: readonly StepId[]): StepId[] {
  return steps.filter((s) => Object.keys(errorsOfStep(errors, s, steps)).length > 0);
}

function CompletionStatus({ saved }: { saved: Questionnaire }) {
  if (saved.completed_at) {
    return (
      <p className="completion completion-done">
        <strong>Submitted</strong> on {formatDateTime(saved.completed_at)}. You can change your answers at any time;
        the answers you save are used for matching from then on.
      </p>
    );
  }
  return (
    <p className="completion completion-draft">
      <strong>Not submitted yet.</strong>{' '}
      {saved.updated_at ? `Your answers were saved as a draft ${formatDateTime(saved.updated_at)}. ` : ''}
      Moving between steps saves your answers; submit on the last step when everything needed is answered.
    </p>
  );
}

interface Nav {
  to: number;
  from: number;
  complete: boolean;
}

function Wizard({ programId, initial }: { programId: string; initial: Questionnaire }) {
  const queryClient = useQueryClient();
  const role = initial.role;
  const allQuestions = initial.questions;
  const steps = useMemo(() => stepsFor(role, allQuestions), [role, allQuestions]);
  const [initialForm] = useState(() =>
    answersToForm(initial.answers, {
      timeZone: browserTimeZone(),
      interests: initial.interests,
      questions: questionsFor(role, allQuestions),
    }),
  );
  const [form, setForm] = useState<QuestionnaireForm>(initialForm);
  const [stepIndex, setStepIndex] = useState(() => firstIncompleteStep(initialForm, role, allQuestions));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [saved, setSaved] = useState<Questionnaire>(initial);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const step: StepId = steps[stepIndex] ?? 'review';
  const missing = useMemo(() => missingRequired(form, role, allQuestions), [form, role, allQuestions]);

  // After moving to another step or a failed save: the first invalid answer, else the step's heading.
  useEffect(() => {
    if (focusRequest === 0) return;
    if (!focusFirstInvalid(formRef.current)) headingRef.current?.focus();
  }, [focusRequest]);

  function set<K extends keyof QuestionnaireForm>(key: K, value: QuestionnaireForm[K]) {
    setForm((old) => ({ ...old, [key]: value }));
  }

  function showErrors(found: FieldErrors, fallbackStep: number) {
    setErrors(found);
    const at = firstStepWithErrors(found, steps);
    const target = at >= 0 ? at : fallbackStep;
    setStepIndex(target);
    const elsewhere = stepsWithErrors(found, steps).filter((s) => s !== steps[target]);
    setFormError(
      'Please correct the problems marked below.' +
        (elsewhere.length > 0
          ? ` ${elsewhere.map((s) => `“${STEP_TITLES[s]}”`).join(' and ')} also ${elsewhere.length === 1 ? 'needs' : 'need'} attention.`
          : ''),
    );
    setFocusRequest((n) => n + 1);
  }

  const save = useMutation({
    mutationFn: ({ complete }: Nav) => api.saveQuestionnaire(programId, formToAnswers(form, role, allQuestions), complete),
    onSuccess: (result, { to, from, complete }) => {
      queryClient.setQueryData(questionnaireKeys.mine(programId), result);
      setSaved(result);
      setErrors({});
      setFormError(null);
      setSubmitted(complete);
      setStatus(
        complete
          ? 'Questionnaire submitted. Thank you! You will hear when you have a match.'
          : to === from
            ? 'Draft saved.'
            : `Draft saved. Step ${to + 1} of ${steps.length}: ${STEP_TITLES[steps[to] ?? 'review']}.`,
      );
      if (to !== from) {
        setStepIndex(to);
        setFocusRequest((n) => n + 1);
      }
    },
    onError: (e, { from }) => {
      setStatus(null);
      setSubmitted(false);
      // A required answer the server says is missing gets the form's own wording for it.
      const found = Object.fromEntries(
        Object.entries(normalizeFieldErrors(fieldErrors(e))).map(([k, m]) => [k, missing[k] ?? m]),
      );
      if (Object.keys(found).length > 0) {
        showErrors(found, from);
        // Errors about answers the form does not show are listed on the review step.
        const unknown = Object.keys(found).filter((k) => stepOfField(k, steps) === 'review');
        if (unknown.length > 0) setFormError(errorMessage(e));
      } else {
        setErrors({});
        setFormError(errorMessage(e));
        setFocusRequest((n) => n + 1);
      }
    },
  });

  /** Saves the answers (a draft, or with `complete` the finished questionnaire) and moves to step `to`. */
  function go(to: number, complete = false) {
    if (save.isPending) return;
    setStatus(null);
    setFormError(null);
    const problems = draftProblems(form, role);
    if (Object.keys(problems).length > 0) {
      showErrors(problems, stepIndex);
      return;
    }
    save.mutate({ to, from: stepIndex, complete });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (step === 'review') go(stepIndex, true);
    else go(Math.min(stepIndex + 1, steps.length - 1));
  }

  const stepErrors = errorsOfStep(errors, step, steps);
  const unknownErrors = step === 'review' ? Object.entries(stepErrors) : [];

  return (
    <>
      <CompletionStatus saved={saved} />
      <nav aria-label="Questionnaire steps" className="steps-nav">
        <p className="step-count">
          Step {stepIndex + 1} of {steps.length}
        </p>
        <ol className="steps">
          {steps.map((s, i) => {
            const hasErrors = Object.keys(errorsOfStep(errors, s, steps)).length > 0;
            const complete = Object.keys(errorsOfStep(missing, s, steps)).length === 0;
            const state =
              s === 'review'
                ? saved.completed_at
                  ? 'submitted'
                  : 'not submitted'
                : hasErrors
                  ? 'has problems'
                  : complete
                    ? 'done'
                    : 'needs answers';
            const label = (
              <>
                <span className="step-title">{STEP_TITLES[s]}</span>
                <span className="visually-hidden">: </span>
                <span className="step-state">{state}</span>
              </>
            );
            return (
              <li
                key={s}
                aria-current={i === stepIndex ? 'step' : undefined}
                className={`step${i === stepIndex ? ' step-current' : ''}${hasErrors ? ' step-invalid' : ''}`}
              >
                {i === stepIndex ? (
                  <span className="step-label">{label}</span>
                ) : (
                  <button type="button" className="step-label step-button" onClick={() => go(i)} disabled={save.isPending}>
                    {label}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </nav>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="card questionnaire" aria-labelledby="step-heading">
        <h2 id="step-heading" ref={headingRef} tabIndex={-1}>
          {STEP_TITLES[step]}
        </h2>
        <FormError message={formError} />
        {step !== 'review' ? (
          <p className="muted">
            Answers marked <span aria-hidden="true">*</span>
            <span className="visually-hidden">as required</span> are needed to submit.
          </p>
        ) : null}
        {step === 'about' ? <AboutStep form={form} set={set} errors={stepErrors} /> : null}
        {step === 'interests' ? (
          <InterestsStep form={form} set={set} errors={stepErrors} role={role} interests={initial.interests} />
        ) : null}
        {step === 'capacity' ? <CapacityStep form={form} set={set} errors={stepErrors} /> : null}
        {step === 'background' ? <BackgroundStep form={form} set={set} errors={stepErrors} role={role} /> : null}
        {step === 'custom' ? (
          <CustomStep form={form} set={set} errors={stepErrors} questions={questionsFor(role, allQuestions)} />
        ) : null}
        {step === 'review' ? (
          <ReviewStep
            form={form}
            role={role}
            steps={steps}
            interests={initial.interests}
            questions={questionsFor(role, allQuestions)}
            missing={missing}
            onChange={(i) => go(i)}
            disabled={save.isPending}
          />
        ) : null}
        {unknownErrors.length > 0 ? (
          <ul className="field-error">
            {unknownErrors.map(([key, message]) => (
              <li key={key}>
                {key}: {message}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="actions">
          {stepIndex > 0 ? (
            <button type="button" className="button-secondary" onClick={() => go(stepIndex - 1)} disabled={save.isPending}>
              Back
            </button>
          ) : null}
          {step !== 'review' ? (
            <>
              <button type="submit" disabled={save.isPending}>
                {save.isPending ? 'Saving…' : 'Next'}
              </button>
              <button type="button" className="button-link" onClick={() => go(stepIndex)} disabled={save.isPending}>
                Save draft
              </button>
            </>
          ) : (
            <button type="submit" disabled={save.isPending}>
              {save.isPending ? 'Submitting…' : saved.completed_at ? 'Submit changes' : 'Submit questionnaire'}
            </button>
          )}
        </div>
        <StatusMessage message={status} />
        {submitted ? (
          <p>
            <Link to="/matches">See your matches</Link>
          </p>
        ) : null}
      </form>
    </>
  );
}

interface StepProps {
  form: QuestionnaireForm;
  set: <K extends keyof QuestionnaireForm>(key: K, value: QuestionnaireForm[K]) => void;
  errors: FieldErrors;
}

function AboutStep({ form, set, errors }: StepProps) {
  const browserZone = browserTimeZone();
  const zones = useMemo(() => timeZones(form.time_zone, browserZone), [form.time_zone, browserZone]);
  return (
    <>
      <SelectField
        label="Career stage"
        name="career_stage"
        value={form.career_stage}
        onChange={(v) => set('career_stage', CAREER_STAGES.find((s) => s.value === v)?.value ?? '')}
        options={[{ value: '', label: 'Choose your career stage…' }, ...CAREER_STAGES]}
        error={errors.career_stage}
        required
      />
      <div className="field-row">
        <TextField
          label="Institution"
          name="institution"
          autoComplete="organization"
          value={form.institution}
          onChange={(v) => set('institution', v)}
          error={errors.institution}
          maxLength={LIMITS.institution}
        />
        <TextField
          label="Region"
          name="region"
          hint="For example: Midwest, East Africa, Ontario."
          value={form.region}
          onChange={(v) => set('region', v)}
          error={errors.region}
          maxLength={LIMITS.region}
        />
      </div>
      <SelectField
        label="Time zone"
        name="time_zone"
        hint={`Your device is set to ${browserZone.replace(/_/g, ' ')}.`}
        value={form.time_zone}
        onChange={(v) => set('time_zone', v)}
        options={zones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))}
        error={errors.time_zone}
        required
      />
      <TextField
        label="Languages"
        name="languages"
        hint={`The languages you can mentor in, separated by commas (for example: English, Spanish). Up to ${LIMITS.languages}.`}
        value={form.languages}
        onChange={(v) => set('languages', v)}
        error={errors.languages}
        required
      />
    </>
  );
}

function InterestsStep({
  form,
  set,
  errors,
  role,
  interests,
}: StepProps & { role: MatchingRole; interests: readonly Interest[] }) {
  const hasTaxonomy = interests.length > 0;
  return (
    <>
      {hasTaxonomy ? (
        <CheckboxGroupField
          legend="Interests"
          hint="Choose every area you are interested in. Choose at least one, or add a tag below."
          values={form.interests}
          onChange={(v) => set('interests', v)}
          options={interests.map((i) => ({ value: i.id, label: i.label }))}
          error={errors.interests}
        />
      ) : null}
      <TextField
        label={hasTaxonomy ? 'Other interests' : 'Interests'}
        name="tags"
        hint={`Words or short phrases, separated by commas (for example: global health, research). Up to ${LIMITS.tags}.`}
        value={form.tags}
        onChange={(v) => set('tags', v)}
        error={errors.tags ?? (hasTaxonomy ? undefined : errors.interests)}
      />
      {role === 'mentee' ? (
        <TextAreaField
          label="Your goals"
          name="goals"
          hint={`What do you hope to get from mentoring? Mentors are matched to you by their experience with this. Up to ${LIMITS.goals} characters.`}
          value={form.goals}
          onChange={(v) => set('goals', v)}
          error={errors.goals}
          required
          rows={6}
        />
      ) : (
        <>
          <TextAreaField
            label="Your experience"
            name="experience"
            hint={`Your path so far: training, roles, what you have worked on. Up to ${LIMITS.experience} characters.`}
            value={form.experience}
            onChange={(v) => set('experience', v)}
            error={errors.experience}
            required
            rows={6}
          />
          <TextAreaField
            label="Your expertise"
            name="expertise"
            hint={`What mentees can ask you about. Up to ${LIMITS.expertise} characters.`}
            value={form.expertise}
            onChange={(v) => set('expertise', v)}
            error={errors.expertise}
            rows={4}
          />
        </>
      )}
    </>
  );
}

function CapacityStep({ form, set, errors }: StepProps) {
  return (
    <>
      <div className="field-row">
        <TextField
          label="How many mentees you can take"
          name="capacity"
          type="number"
          inputMode="numeric"
          min={0}
          max={LIMITS.maxCapacity}
          step={1}
          hint={`In total at any one time, from 0 to ${LIMITS.maxCapacity}.`}
          value={form.capacity}
          onChange={(v) => set('capacity', v)}
          error={errors.capacity}
          required
        />
        <TextField
          label="Hours a month"
          name="hours_per_month"
          type="number"
          inputMode="numeric"
          min={0}
          max={LIMITS.maxHoursPerMonth}
          step={1}
          hint="Roughly how much time you can give each month."
          value={form.hours_per_month}
          onChange={(v) => set('hours_per_month', v)}
          error={errors.hours_per_month}
        />
      </div>
      <RadioGroupField
        legend="New mentees"
        hint="Pause to stop new proposals; your current mentees are not affected."
        value={form.accepting ? 'yes' : 'no'}
        onChange={(v) => set('accepting', v === 'yes')}
        options={[
          { value: 'yes', label: 'Accepting new mentees' },
          { value: 'no', label: 'Paused — not taking new mentees for now' },
        ]}
        error={errors.accepting}
        required
      />
    </>
  );
}

const VISIBILITY_HINT =
  '“Only for matching”: Kindred uses it to find a good match and no person sees it. ' +
  '“Coordinators”: your program’s coordinators can see it too. ' +
  '“My match”: your mentor or mentee can see it as well.';

function BackgroundStep({ form, set, errors, role }: StepProps & { role: MatchingRole }) {
  return (
    <>
      <p>
        These answers are optional. They can help find someone you relate to. For each, you choose who may see it.
      </p>
      <p className="field-hint">{VISIBILITY_HINT}</p>
      <h3>Background</h3>
      <div className="field-row">
        <TextField
          label="Background"
          name="background"
          hint={`For example: first-generation student, veteran, rural upbringing. Separated by commas, up to ${LIMITS.backgroundValues}.`}
          value={form.background}
          onChange={(v) => set('background', v)}
          error={errors.background}
        />
        <SelectField
          label="Who may see your background"
          name="background_visibility"
          value={form.background_visibility}
          onChange={(v) => set('background_visibility', VISIBILITIES.find((o) => o.value === v)?.value ?? 'matching_only')}
          options={VISIBILITIES}
        />
      </div>
      <h3>Gender</h3>
      <div className="field-row">
        <TextField
          label="Gender"
          name="gender"
          hint="In your own words."
          value={form.gender}
          onChange={(v) => set('gender', v)}
          error={errors.gender}
          maxLength={100}
        />
        <SelectField
          label="Who may see your gender"
          name="gender_visibility"
          value={form.gender_visibility}
          onChange={(v) => set('gender_visibility', VISIBILITIES.find((o) => o.value === v)?.value ?? 'matching_only')}
          options={VISIBILITIES}
        />
      </div>
      {role === 'mentee' ? (
        <>
          <h3>Your preferences</h3>
          <p className="field-hint">Preferences make a mentor more likely; they do not rule anyone out.</p>
          <CheckboxField
            label="A mentor who shares my background"
            checked={form.prefer_shared_background}
            onChange={(v) => set('prefer_shared_background', v)}
          />
          <CheckboxField
            label="A mentor from another institution"
            checked={form.prefer_other_institution}
            onChange={(v) => set('prefer_other_institution', v)}
          />
          <TextField
            label="Preferred language for mentoring"
            name="preferred_language"
            hint="Leave empty if any of your languages is fine."
            value={form.preferred_language}
            onChange={(v) => set('preferred_language', v)}
            error={errors.preferred_language}
            maxLength={LIMITS.preferredLanguage}
          />
        </>
      ) : null}
    </>
  );
}

function CustomStep({ form, set, errors, questions }: StepProps & { questions: readonly Question[] }) {
  function answer(questionId: string, value: string) {
    set('custom', { ...form.custom, [questionId]: value });
  }
  return (
    <>
      <p>Questions from your program’s coordinators.</p>
      {questions.map((q) =>
        q.kind === 'choice' ? (
          <RadioGroupField
            key={q.id}
            legend={q.prompt}
            value={form.custom[q.id] ?? ''}
            onChange={(v) => answer(q.id, v)}
            options={[
              ...q.options.map((o) => ({ value: o, label: o })),
              ...(q.required ? [] : [{ value: '', label: 'No answer' }]),
            ]}
            error={errors[customKey(q.id)]}
            required={q.required}
          />
        ) : (
          <TextAreaField
            key={q.id}
            label={q.prompt}
            hint={`Up to ${LIMITS.customText} characters.`}
            value={form.custom[q.id] ?? ''}
            onChange={(v) => answer(q.id, v)}
            error={errors[customKey(q.id)]}
            required={q.required}
            rows={3}
          />
        ),
      )}
    </>
  );
}

function Answer({ label, children, missing }: { label: string; children: ReactNode; missing?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{missing ? <span className="missing-answer">Missing: {missing}</span> : children}</dd>
    </div>
  );
}

function listText(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'None';
}

function orNone(text: string): string {
  return text.trim() || 'Not answered';
}

function ReviewStep({
  form,
  role,
  steps,
  interests,
  questions,
  missing,
  onChange,
  disabled,
}: {
  form: QuestionnaireForm;
  role: MatchingRole;
  steps: readonly StepId[];
  interests: readonly Interest[];
  questions: readonly Question[];
  missing: FieldErrors;
  onChange: (step: number) => void;
  disabled: boolean;
}) {
  const labels = new Map(interests.map((i) => [i.id, i.label]));
  const background = splitList(form.background);
  const sections: Partial<Record<StepId, ReactNode>> = {
    about: (
      <>
        <Answer label="Career stage" missing={missing.career_stage}>
          {careerStageLabel(form.career_stage || null)}
        </Answer>
        <Answer label="Institution">{orNone(form.institution)}</Answer>
        <Answer label="Region">{orNone(form.region)}</Answer>
        <Answer label="Time zone" missing={missing.time_zone}>
          {form.time_zone.replace(/_/g, ' ')}
        </Answer>
        <Answer label="Languages" missing={missing.languages}>
          {listText(splitList(form.languages))}
        </Answer>
      </>
    ),
    interests: (
      <>
        <Answer label="Interests" missing={missing.interests}>
          {listText(form.interests.map((id) => labels.get(id) ?? id))}
        </Answer>
        <Answer label="Other interests">{listText(splitList(form.tags))}</Answer>
        {role === 'mentee' ? (
          <Answer label="Goals" missing={missing.goals}>
            <span className="pre-line">{form.goals.trim()}</span>
          </Answer>
        ) : (
          <>
            <Answer label="Experience" missing={missing.experience}>
              <span className="pre-line">{form.experience.trim()}</span>
            </Answer>
            <Answer label="Expertise">
              <span className="pre-line">{orNone(form.expertise)}</span>
            </Answer>
          </>
        )}
      </>
    ),
    capacity: (
      <>
        <Answer label="Mentees at a time" missing={missing.capacity}>
          {form.capacity.trim()}
        </Answer>
        <Answer label="Hours a month">{orNone(form.hours_per_month)}</Answer>
        <Answer label="New mentees">{form.accepting ? 'Accepting' : 'Paused'}</Answer>
      </>
    ),
    background: (
      <>
        <Answer label="Background">
          {background.length > 0 ? `${background.join(', ')} (${visibilityLabel(form.background_visibility)})` : 'Not answered'}
        </Answer>
        <Answer label="Gender">
          {form.gender.trim() ? `${form.gender.trim()} (${visibilityLabel(form.gender_visibility)})` : 'Not answered'}
        </Answer>
        {role === 'mentee' ? (
          <>
            <Answer label="A mentor who shares my background">{form.prefer_shared_background ? 'Yes' : 'No'}</Answer>
            <Answer label="A mentor from another institution">{form.prefer_other_institution ? 'Yes' : 'No'}</Answer>
            <Answer label="Preferred language">{form.preferred_language.trim() || 'Any of mine'}</Answer>
          </>
        ) : null}
      </>
    ),
    custom: (
      <>
        {questions.map((q) => (
          <Answer key={q.id} label={q.prompt} missing={missing[customKey(q.id)]}>
            <span className="pre-line">{orNone(form.custom[q.id] ?? '')}</span>
          </Answer>
        ))}
      </>
    ),
  };
  const missingCount = Object.keys(missing).length;
  return (
    <>
      {missingCount > 0 ? (
        <p className="alert alert-warning">
          {missingCount === 1 ? 'One answer is' : `${missingCount} answers are`} still needed before you can submit.
          They are marked “Missing” below.
        </p>
      ) : (
        <p>Everything needed is answered. Check your answers, then submit.</p>
      )}
      {steps.map((s, i) =>
        s === 'review' ? null : (
          <section key={s} className="review-section" aria-labelledby={`review-${s}`}>
            <div className="review-head">
              <h3 id={`review-${s}`}>{STEP_TITLES[s]}</h3>
              <button type="button" className="button-secondary button-small" onClick={() => onChange(i)} disabled={disabled}>
                Change<span className="visually-hidden"> {STEP_TITLES[s]}</span>
              </button>
            </div>
            <dl className="review-list">{sections[s]}</dl>
          </section>
        ),
      )}
    </>
  );
}

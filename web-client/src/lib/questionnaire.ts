// The matching questionnaire as a series of steps: which steps a mentee or a mentor sees, the
// form state of each answer and its mapping to and from the API's `Answers`, the checks of a
// draft (type and range, like the server's) and of a finished questionnaire (the required
// answers), and which step each answer — or each field error from the server — belongs to.
import type { FieldErrors } from '../api/client';
import {
  CAREER_STAGES,
  type Answers,
  type CareerStage,
  type Interest,
  type MatchingRole,
  type Question,
  type Visibility,
} from '../api/types';

export type StepId = 'about' | 'interests' | 'capacity' | 'background' | 'custom' | 'review';

export const STEP_TITLES: Record<StepId, string> = {
  about: 'About you',
  interests: 'Interests and goals',
  capacity: 'Mentoring capacity',
  background: 'Background and preferences',
  custom: 'Program questions',
  review: 'Review',
};

/** Limits of the API (docs/matching.md); drafts are checked against them before saving. */
export const LIMITS = {
  institution: 200,
  region: 100,
  languages: 10,
  tags: 20,
  interests: 50,
  backgroundValues: 10,
  /** Characters in one language or tag, and in one background value. */
  listItem: 50,
  backgroundItem: 100,
  preferredLanguage: 50,
  gender: 100,
  customText: 2000,
  goals: 4000,
  experience: 4000,
  expertise: 2000,
  maxCapacity: 10,
  maxHoursPerMonth: 80,
} as const;

/** Everything the form holds, as the controls hold it (text for text and number inputs). */
export interface QuestionnaireForm {
  career_stage: CareerStage | '';
  institution: string;
  region: string;
  time_zone: string;
  /** Comma-separated. */
  languages: string;
  interests: string[];
  /** Comma-separated. */
  tags: string;
  goals: string;
  experience: string;
  expertise: string;
  capacity: string;
  hours_per_month: string;
  accepting: boolean;
  /** Comma-separated. */
  background: string;
  background_visibility: Visibility;
  gender: string;
  gender_visibility: Visibility;
  prefer_shared_background: boolean;
  prefer_other_institution: boolean;
  preferred_language: string;
  /** Question id → the chosen option or the text. */
  custom: Record<string, string>;
}

/** The form key (and API field key) of a custom question's answer. */
export function customKey(questionId: string): string {
  return `custom.${questionId}`;
}

/** The custom questions a person in this role answers. */
export function questionsFor(role: MatchingRole, questions: readonly Question[]): Question[] {
  return questions.filter((q) => q.audience === 'both' || q.audience === role);
}

/** The steps, in order: capacity only for mentors, program questions only when there are any. */
export function stepsFor(role: MatchingRole, questions: readonly Question[]): StepId[] {
  const steps: StepId[] = ['about', 'interests'];
  if (role === 'mentor') steps.push('capacity');
  steps.push('background');
  if (questionsFor(role, questions).length > 0) steps.push('custom');
  steps.push('review');
  return steps;
}

/** Splits "a, b,\nc" into trimmed, non-empty items, dropping repeats (ignoring case). */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const item = part.trim().replace(/\s+/g, ' ');
    const key = item.toLocaleLowerCase();
    if (item === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

export function joinList(items: readonly string[] | undefined): string {
  return (items ?? []).join(', ');
}

function isVisibility(value: unknown): value is Visibility {
  return value === 'matching_only' || value === 'coordinators' || value === 'match';
}

function isCareerStage(value: unknown): value is CareerStage {
  return CAREER_STAGES.some((s) => s.value === value);
}

function numberText(value: number | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/**
 * The form for saved answers. New questionnaires start with the browser's time zone and a
 * mentor accepting mentees. Interests and custom answers that no longer exist in the program
 * (a coordinator removed them) are dropped, so saving does not fail on them.
 */
export function answersToForm(
  answers: Answers | null | undefined,
  options: {
    timeZone: string;
    interests: readonly Interest[];
    questions: readonly Question[];
  },
): QuestionnaireForm {
  const a = answers ?? {};
  const known = new Set(options.interests.map((i) => i.id));
  const custom: Record<string, string> = {};
  for (const q of options.questions) {
    const value = a.custom?.[q.id];
    if (typeof value !== 'string' || value === '') continue;
    if (q.kind === 'choice' && !q.options.includes(value)) continue;
    custom[q.id] = value;
  }
  return {
    career_stage: isCareerStage(a.career_stage) ? a.career_stage : '',
    institution: a.institution ?? '',
    region: a.region ?? '',
    time_zone: a.time_zone || options.timeZone,
    languages: joinList(a.languages),
    interests: (a.interests ?? []).filter((id) => known.has(id)),
    tags: joinList(a.tags),
    goals: a.goals ?? '',
    experience: a.experience ?? '',
    expertise: a.expertise ?? '',
    capacity: numberText(a.capacity),
    hours_per_month: numberText(a.hours_per_month),
    accepting: a.accepting ?? true,
    background: joinList(a.background?.values),
    background_visibility: isVisibility(a.background?.visibility) ? a.background.visibility : 'matching_only',
    gender: a.gender?.value ?? '',
    gender_visibility: isVisibility(a.gender?.visibility) ? a.gender.visibility : 'matching_only',
    prefer_shared_background: a.prefer_shared_background ?? false,
    prefer_other_institution: a.prefer_other_institution ?? false,
    preferred_language: a.preferred_language ?? '',
    custom,
  };
}

/** A whole number from form text, or null when it is not one. */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  return Number(t);
}

/**
 * The answers to send. The API replaces all answers on every save, so everything the person
 * cleared is left out; blank text is left out, lists are split, numbers that do not parse are
 * left out (the draft check reports them first), and only the fields of the person's role are
 * sent.
 */
export function formToAnswers(form: QuestionnaireForm, role: MatchingRole, questions: readonly Question[]): Answers {
  const answers: Answers = {};
  const text = (value: string) => value.trim();
  if (form.career_stage) answers.career_stage = form.career_stage;
  if (text(form.institution)) answers.institution = text(form.institution);
  if (text(form.region)) answers.region = text(form.region);
  if (text(form.time_zone)) answers.time_zone = text(form.time_zone);
  const languages = splitList(form.languages);
  if (languages.length > 0) answers.languages = languages;
  if (form.interests.length > 0) answers.interests = [...form.interests];
  const tags = splitList(form.tags);
  if (tags.length > 0) answers.tags = tags;
  if (role === 'mentee') {
    if (text(form.goals)) answers.goals = text(form.goals);
    answers.prefer_shared_background = form.prefer_shared_background;
    answers.prefer_other_institution = form.prefer_other_institution;
    if (text(form.preferred_language)) answers.preferred_language = text(form.preferred_language);
  } else {
    if (text(form.experience)) answers.experience = text(form.experience);
    if (text(form.expertise)) answers.expertise = text(form.expertise);
    const capacity = wholeNumber(form.capacity);
    if (capacity !== null) answers.capacity = capacity;
    const hours = wholeNumber(form.hours_per_month);
    if (hours !== null) answers.hours_per_month = hours;
    answers.accepting = form.accepting;
  }
  const background = splitList(form.background);
  if (background.length > 0) answers.background = { values: background, visibility: form.background_visibility };
  if (text(form.gender)) answers.gender = { value: text(form.gender), visibility: form.gender_visibility };
  const custom: Record<string, string> = {};
  for (const q of questionsFor(role, questions)) {
    const value = form.custom[q.id];
    if (value === undefined) continue;
    const v = q.kind === 'text' ? value.trim() : value;
    if (v !== '') custom[q.id] = v;
  }
  if (Object.keys(custom).length > 0) answers.custom = custom;
  return answers;
}

/** Problems of type and range that would make even a draft fail (the server checks these). */
export function draftProblems(form: QuestionnaireForm, role: MatchingRole): FieldErrors {
  const errors: FieldErrors = {};
  const tooLong = (key: keyof typeof LIMITS & keyof QuestionnaireForm, what: string) => {
    const value = form[key];
    const max = LIMITS[key];
    if (typeof value === 'string' && value.trim().length > max) {
      errors[key] = `${what} can be at most ${max} characters; this has ${value.trim().length}.`;
    }
  };
  const longItem = (items: string[], max: number) => items.find((item) => item.length > max);
  tooLong('institution', 'The institution');
  tooLong('region', 'The region');
  const languages = splitList(form.languages);
  if (languages.length > LIMITS.languages) {
    errors.languages = `List at most ${LIMITS.languages} languages; there are ${languages.length}.`;
  } else if (longItem(languages, LIMITS.listItem)) {
    errors.languages = `Each language can be at most ${LIMITS.listItem} characters. Separate languages with commas.`;
  }
  if (form.interests.length > LIMITS.interests) {
    errors.interests = `Choose at most ${LIMITS.interests} interests; there are ${form.interests.length}.`;
  }
  const tags = splitList(form.tags);
  if (tags.length > LIMITS.tags) errors.tags = `Use at most ${LIMITS.tags} tags; there are ${tags.length}.`;
  else if (longItem(tags, LIMITS.listItem)) {
    errors.tags = `Each tag can be at most ${LIMITS.listItem} characters. Separate tags with commas.`;
  }
  const background = splitList(form.background);
  if (background.length > LIMITS.backgroundValues) {
    errors.background = `List at most ${LIMITS.backgroundValues} values; there are ${background.length}.`;
  } else if (longItem(background, LIMITS.backgroundItem)) {
    errors.background = `Each value can be at most ${LIMITS.backgroundItem} characters. Separate values with commas.`;
  }
  if (form.gender.trim().length > LIMITS.gender) errors.gender = `Gender can be at most ${LIMITS.gender} characters.`;
  for (const [id, value] of Object.entries(form.custom)) {
    if (value.trim().length > LIMITS.customText) {
      errors[customKey(id)] = `Answers can be at most ${LIMITS.customText} characters; this has ${value.trim().length}.`;
    }
  }
  if (role === 'mentee') {
    tooLong('goals', 'Your goals');
    if (form.preferred_language.trim().length > LIMITS.preferredLanguage) {
      errors.preferred_language = `A language can be at most ${LIMITS.preferredLanguage} characters.`;
    }
  } else {
    tooLong('experience', 'Your experience');
    tooLong('expertise', 'Your expertise');
    if (form.capacity.trim() !== '') {
      const capacity = wholeNumber(form.capacity);
      if (capacity === null || capacity > LIMITS.maxCapacity) {
        errors.capacity = `Enter a whole number from 0 to ${LIMITS.maxCapacity}.`;
      }
    }
    if (form.hours_per_month.trim() !== '') {
      const hours = wholeNumber(form.hours_per_month);
      if (hours === null || hours > LIMITS.maxHoursPerMonth) {
        errors.hours_per_month = `Enter a whole number of hours from 0 to ${LIMITS.maxHoursPerMonth}.`;
      }
    }
  }
  return errors;
}

/** The answers still needed to complete the questionnaire, with what to do about each. */
export function missingRequired(
  form: QuestionnaireForm,
  role: MatchingRole,
  questions: readonly Question[],
): FieldErrors {
  const missing: FieldErrors = {};
  if (!form.career_stage) missing.career_stage = 'Choose your career stage.';
  if (!form.time_zone.trim()) missing.time_zone = 'Choose your time zone.';
  if (splitList(form.languages).length === 0) missing.languages = 'List at least one language you speak.';
  if (form.interests.length === 0 && splitList(form.tags).length === 0) {
    missing.interests = 'Choose at least one interest or add a tag.';
  }
  if (role === 'mentee') {
    if (!form.goals.trim()) missing.goals = 'Describe what you hope to get from mentoring.';
  } else {
    if (!form.experience.trim()) missing.experience = 'Describe your experience.';
    if (form.capacity.trim() === '') missing.capacity = 'Say how many mentees you can take (0 to 10).';
  }
  for (const q of questionsFor(role, questions)) {
    if (!q.required) continue;
    const value = form.custom[q.id] ?? '';
    if (value.trim() === '') missing[customKey(q.id)] = q.kind === 'choice' ? 'Choose an answer.' : 'Answer this question.';
  }
  return missing;
}

const FIELD_STEPS: Record<string, StepId> = {
  career_stage: 'about',
  institution: 'about',
  region: 'about',
  time_zone: 'about',
  languages: 'about',
  interests: 'interests',
  tags: 'interests',
  goals: 'interests',
  experience: 'interests',
  expertise: 'interests',
  capacity: 'capacity',
  hours_per_month: 'capacity',
  accepting: 'capacity',
  background: 'background',
  gender: 'background',
  prefer_shared_background: 'background',
  prefer_other_institution: 'background',
  preferred_language: 'background',
};

/**
 * The form key of a field named by the server: `answers.` is dropped, a nested or indexed
 * field counts as its top-level answer (`languages[3]`, `background.values` → `languages`,
 * `background`), and a custom question stays `custom.<id>`.
 */
export function normalizeFieldKey(key: string): string {
  const k = key.startsWith('answers.') ? key.slice('answers.'.length) : key;
  const custom = /^custom(?:\.|\[["']?)([^\]"'.]+)/.exec(k);
  if (custom?.[1]) return customKey(custom[1]);
  return k.split(/[.[]/)[0] ?? k;
}

/** Server field errors under the form's keys (the first message wins for a key). */
export function normalizeFieldErrors(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    const k = normalizeFieldKey(key);
    if (!(k in out)) out[k] = message;
  }
  return out;
}

/** The step where a field is answered; fields the form does not know belong to the review. */
export function stepOfField(key: string, steps: readonly StepId[]): StepId {
  const k = normalizeFieldKey(key);
  const step = k.startsWith('custom.') || k === 'custom' ? 'custom' : FIELD_STEPS[k];
  return step && steps.includes(step) ? step : 'review';
}

/** The errors that belong to one step. */
export function errorsOfStep(errors: FieldErrors, step: StepId, steps: readonly StepId[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (stepOfField(key, steps) === step) out[key] = message;
  }
  return out;
}

/** The index of the first step that has an error, or -1. */
export function firstStepWithErrors(errors: FieldErrors, steps: readonly StepId[]): number {
  let first = -1;
  for (const key of Object.keys(errors)) {
    const index = steps.indexOf(stepOfField(key, steps));
    if (index >= 0 && (first < 0 || index < first)) first = index;
  }
  return first;
}

/** True when every required answer of the step is there. */
export function stepComplete(
  step: StepId,
  form: QuestionnaireForm,
  role: MatchingRole,
  questions: readonly Question[],
): boolean {
  const steps = stepsFor(role, questions);
  return Object.keys(errorsOfStep(missingRequired(form, role, questions), step, steps)).length === 0;
}

/**
 * Where to reopen the questionnaire: the first step with a required answer missing, or the
 * review when everything required is there.
 */
export function firstIncompleteStep(form: QuestionnaireForm, role: MatchingRole, questions: readonly Question[]): number {
  const steps = stepsFor(role, questions);
  const first = firstStepWithErrors(missingRequired(form, role, questions), steps);
  return first >= 0 ? first : steps.length - 1;
}

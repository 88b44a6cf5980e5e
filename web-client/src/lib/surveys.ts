// Surveys on both sides: the answers a participant gives (drafted as form values, checked and
// turned into the API's `answers`), and the survey a coordinator builds (drafted as form values,
// checked and turned into the API's new survey). The server checks again; its `error.fields`
// are mapped back onto the same form keys.
import type { FieldErrors } from '../api/client';
import type {
  AnswerValue,
  NewSurvey,
  SurveyAudience,
  SurveyQuestion,
  SurveyQuestionKind,
  SurveyTrigger,
} from '../api/programData';

// Answering.

/** A form's answers: the scale and single choices as text, several choices as a list. */
export type AnswerDraft = Record<string, string | string[]>;

export const SCALE_POINTS = ['1', '2', '3', '4', '5'] as const;

export function emptyAnswers(questions: readonly SurveyQuestion[]): AnswerDraft {
  const draft: AnswerDraft = {};
  for (const q of questions) draft[q.id] = q.kind === 'multiple' ? [] : '';
  return draft;
}

/**
 * The answers to send, or the problems per question id. Unanswered optional questions are
 * left out; a required one must be answered.
 */
export function buildAnswers(
  questions: readonly SurveyQuestion[],
  draft: AnswerDraft,
): { answers: Record<string, AnswerValue> | null; errors: FieldErrors } {
  const answers: Record<string, AnswerValue> = {};
  const errors: FieldErrors = {};
  for (const q of questions) {
    const raw = draft[q.id];
    switch (q.kind) {
      case 'scale': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (text === '') {
          if (q.required) errors[q.id] = 'Choose a number from 1 to 5.';
          break;
        }
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 5) errors[q.id] = 'Choose a number from 1 to 5.';
        else answers[q.id] = n;
        break;
      }
      case 'single': {
        const text = typeof raw === 'string' ? raw : '';
        if (text === '') {
          if (q.required) errors[q.id] = 'Choose one answer.';
        } else if (!(q.options ?? []).includes(text)) {
          errors[q.id] = 'Choose one of the answers given.';
        } else {
          answers[q.id] = text;
        }
        break;
      }
      case 'multiple': {
        const list = Array.isArray(raw) ? raw : [];
        const options = q.options ?? [];
        const picked = options.filter((o) => list.includes(o));
        if (picked.length === 0) {
          if (q.required) errors[q.id] = 'Choose at least one answer.';
        } else {
          answers[q.id] = picked;
        }
        break;
      }
      case 'text': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (text === '') {
          if (q.required) errors[q.id] = 'Write an answer.';
        } else if (Array.from(text).length > MAX_TEXT_ANSWER) {
          errors[q.id] = `Keep it under ${MAX_TEXT_ANSWER} characters.`;
        } else {
          answers[q.id] = text;
        }
        break;
      }
    }
  }
  return { answers: Object.keys(errors).length === 0 ? answers : null, errors };
}

export const MAX_TEXT_ANSWER = 4000;

/**
 * The API's field errors keyed by question id. The server may name a field `answers.q1`,
 * `answers[q1]` or just `q1`; anything that is not a question stays under its own key.
 */
export function answerFieldErrors(fields: FieldErrors, questions: readonly SurveyQuestion[]): FieldErrors {
  const ids = new Set(questions.map((q) => q.id));
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(fields)) {
    const m = /^answers(?:\.|\[)([^\]]+)\]?$/.exec(key);
    const id = m?.[1] ?? key;
    out[ids.has(id) ? id : key] = message;
  }
  return out;
}

// Building.

export interface QuestionDraft {
  /** A stable key for React and for field errors; also the question id sent. */
  id: string;
  kind: SurveyQuestionKind;
  prompt: string;
  required: boolean;
  /** One option per line (single and multiple choice). */
  options: string;
  /** Options that flag the pair (a subset of the options). */
  atRisk: string[];
}

export interface SurveyDraft {
  title: string;
  trigger: SurveyTrigger;
  /** `YYYY-MM-DD`, for the date trigger. */
  dueDate: string;
  audience: SurveyAudience;
  anonymous: boolean;
  questions: QuestionDraft[];
}

export const MAX_QUESTIONS = 30;
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 20;

export function newQuestion(existing: readonly QuestionDraft[], kind: SurveyQuestionKind = 'scale'): QuestionDraft {
  const taken = new Set(existing.map((q) => q.id));
  let n = existing.length + 1;
  while (taken.has(`q${n}`)) n += 1;
  return { id: `q${n}`, kind, prompt: '', required: true, options: '', atRisk: [] };
}

export function emptySurvey(): SurveyDraft {
  return { title: '', trigger: 'fit_check', dueDate: '', audience: 'both', anonymous: false, questions: [newQuestion([])] };
}

/** The options written one per line: trimmed, blank lines dropped. */
export function optionList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Whether a kind of question has options. */
export function hasOptions(kind: SurveyQuestionKind): boolean {
  return kind === 'single' || kind === 'multiple';
}

/**
 * The survey to send, or the problems keyed `title`, `due_at`, `questions` and
 * `questions.{i}.prompt` / `.options` / `.at_risk_options`. A date is due at the start of that
 * day in the coordinator's time zone.
 */
export function buildSurvey(draft: SurveyDraft): { survey: NewSurvey | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const title = draft.title.trim();
  if (title === '') errors.title = 'Give the survey a title.';
  let dueAt: string | null = null;
  if (draft.trigger === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(draft.dueDate);
    if (!m) errors.due_at = 'Choose the date the survey goes out.';
    else dueAt = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toISOString();
  }
  if (draft.questions.length === 0) errors.questions = 'Add at least one question.';
  if (draft.questions.length > MAX_QUESTIONS) errors.questions = `A survey has at most ${MAX_QUESTIONS} questions.`;
  const questions: SurveyQuestion[] = draft.questions.map((q, i) => {
    const prompt = q.prompt.trim();
    if (prompt === '') errors[`questions.${i}.prompt`] = 'Write the question.';
    const out: SurveyQuestion = { id: q.id, kind: q.kind, prompt, required: q.required };
    if (hasOptions(q.kind)) {
      const options = optionList(q.options);
      const distinct = new Set(options.map((o) => o.toLowerCase()));
      if (options.length < MIN_OPTIONS || options.length > MAX_OPTIONS) {
        errors[`questions.${i}.options`] = `Give ${MIN_OPTIONS} to ${MAX_OPTIONS} options, one per line.`;
      } else if (distinct.size !== options.length) {
        errors[`questions.${i}.options`] = 'Each option must be different.';
      }
      out.options = options;
      // Flags on options since edited away are dropped: the form only shows current ones.
      const atRisk = options.filter((o) => q.atRisk.includes(o));
      if (atRisk.length > 0) out.at_risk_options = atRisk;
    }
    return out;
  });
  const survey: NewSurvey = {
    title,
    trigger: draft.trigger,
    audience: draft.audience,
    anonymous: draft.anonymous,
    questions,
  };
  if (dueAt) survey.due_at = dueAt;
  return { survey: Object.keys(errors).length === 0 ? survey : null, errors };
}

/**
 * The API's field errors of a new survey in the builder's keys: `questions[2].options` and
 * `questions.2.options` both become `questions.2.options`.
 */
export function surveyFieldErrors(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(fields)) {
    out[key.replace(/\[(\d+)\]/g, '.$1')] = message;
  }
  return out;
}

/** The mean of a scale question as text ("4.2"), or a dash without answers. */
export function formatAverage(average: number | null | undefined): string {
  return average === null || average === undefined || !Number.isFinite(average) ? '—' : average.toFixed(1);
}

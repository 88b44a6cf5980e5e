// Pure helpers of the matching pages: the scoring weights and their checks, a new custom
// question's checks, and how a match looks from one of its two people.
import type { FieldErrors } from '../api/client';
import type {
  Match,
  MatchResponse,
  MatchStatus,
  NewQuestion,
  Page,
  QuestionAudience,
  QuestionKind,
  Round,
  WeightKey,
  Weights,
} from '../api/types';

/** The parts of a score, in the order the coordinator sees them, with what each measures. */
export const WEIGHTS: readonly { key: WeightKey; label: string; meaning: string }[] = [
  {
    key: 'interests',
    label: 'Interests',
    meaning: 'Interests both people listed (taxonomy and free tags), out of up to three of the mentee’s.',
  },
  {
    key: 'goals',
    label: 'Goals',
    meaning: 'How well the mentee’s goals fit the mentor’s experience and expertise, compared with the best mentor for them.',
  },
  {
    key: 'preferences',
    label: 'Preferences',
    meaning: 'Share of the mentee’s preferences met: shared background, another institution, a language.',
  },
  {
    key: 'career_stage',
    label: 'Career stage',
    meaning: 'A mentor one to three career stages ahead of the mentee scores best.',
  },
  { key: 'time_zone', label: 'Time zone', meaning: 'Closer time zones score higher (hours apart, out of twelve).' },
  { key: 'institution', label: 'Institution', meaning: 'Pairs from different institutions score higher.' },
  { key: 'custom', label: 'Program questions', meaning: 'Same answers to the choice questions that feed matching.' },
];

export const DEFAULT_WEIGHTS: Weights = {
  interests: 3,
  goals: 3,
  preferences: 2,
  career_stage: 1,
  time_zone: 1,
  institution: 1,
  custom: 1,
};

export const MAX_WEIGHT = 10;

export type WeightsForm = Record<WeightKey, string>;

export function weightsToForm(weights: Partial<Weights> | null | undefined): WeightsForm {
  const form = {} as WeightsForm;
  for (const { key } of WEIGHTS) {
    const value = weights?.[key];
    form[key] = typeof value === 'number' && Number.isFinite(value) ? String(value) : String(DEFAULT_WEIGHTS[key]);
  }
  return form;
}

/**
 * Checks the weights as typed: each a number from 0 to 10, and not all zero (the error for
 * that is under `weights`). Returns the weights when they are all fine.
 */
export function validateWeights(form: WeightsForm): { weights: Weights | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const weights = {} as Weights;
  for (const { key } of WEIGHTS) {
    const text = form[key].trim().replace(',', '.');
    const value = text === '' ? NaN : Number(text);
    if (!Number.isFinite(value) || value < 0 || value > MAX_WEIGHT) {
      errors[key] = `Enter a number from 0 to ${MAX_WEIGHT}.`;
    } else {
      weights[key] = value;
    }
  }
  if (Object.keys(errors).length === 0 && WEIGHTS.every(({ key }) => weights[key] === 0)) {
    errors.weights = 'At least one weight must be more than 0.';
  }
  return { weights: Object.keys(errors).length === 0 ? weights : null, errors };
}

/** Server field errors of the settings (`weights.goals`) under the form's keys (`goals`). */
export function weightFieldErrors(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    const k = key.startsWith('weights.') ? key.slice('weights.'.length) : key;
    if (!(k in out)) out[k] = message;
  }
  return out;
}

/** The figures to compare two rounds by. */
export function roundSummary(round: Round): { total: number; matched: number; unmatched: number } {
  return { total: round.total_score, matched: round.proposals.length, unmatched: round.unmatched.length };
}

/** A score to show: at most one decimal. */
export function formatScore(score: number | null | undefined): string {
  if (typeof score !== 'number' || !Number.isFinite(score)) return '—';
  return score.toLocaleString(undefined, { maximumFractionDigits: 1 });
}

/** "+3.5", "−2", "no change": the difference of a figure between two previews. */
export function formatChange(before: number, after: number): string {
  const diff = Math.round((after - before) * 10) / 10;
  if (diff === 0) return 'no change';
  const text = Math.abs(diff).toLocaleString(undefined, { maximumFractionDigits: 1 });
  return diff > 0 ? `+${text}` : `−${text}`;
}

// A new custom question.

export interface QuestionForm {
  prompt: string;
  kind: QuestionKind;
  /** One option a line. */
  options: string;
  audience: QuestionAudience;
  required: boolean;
  feeds_matching: boolean;
}

export const EMPTY_QUESTION: QuestionForm = {
  prompt: '',
  kind: 'choice',
  options: '',
  audience: 'both',
  required: false,
  feeds_matching: false,
};

export const MAX_PROMPT = 300;
export const MAX_OPTIONS = 20;
export const MAX_OPTION = 100;

/** The options of a choice question, one a line, trimmed, without blanks. */
export function optionLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Checks a new question; returns what to send when it is fine. Only choice questions feed matching. */
export function validateQuestion(form: QuestionForm): { question: NewQuestion | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const prompt = form.prompt.trim();
  if (prompt === '') errors.prompt = 'Write the question.';
  else if (prompt.length > MAX_PROMPT) errors.prompt = `Questions can be at most ${MAX_PROMPT} characters.`;
  const options = form.kind === 'choice' ? optionLines(form.options) : [];
  if (form.kind === 'choice') {
    const lower = options.map((o) => o.toLocaleLowerCase());
    if (options.length < 2) errors.options = 'Give at least two options, one a line.';
    else if (options.length > MAX_OPTIONS) errors.options = `Give at most ${MAX_OPTIONS} options.`;
    else if (new Set(lower).size !== lower.length) errors.options = 'Each option must be different.';
    else if (options.some((o) => o.length > MAX_OPTION)) {
      errors.options = `Options can be at most ${MAX_OPTION} characters each.`;
    }
  }
  if (Object.keys(errors).length > 0) return { question: null, errors };
  return {
    question: {
      prompt,
      kind: form.kind,
      options,
      audience: form.audience,
      required: form.required,
      feeds_matching: form.kind === 'choice' && form.feeds_matching,
    },
    errors,
  };
}

// A match from the point of view of one of its people.

export interface MatchView {
  side: 'mentee' | 'mentor' | null;
  other: { user_id: string; name: string };
  otherRole: 'mentee' | 'mentor';
  mine: MatchResponse | null;
  theirs: MatchResponse;
  /** A proposal waiting for my answer. */
  canRespond: boolean;
  /** An open match either person may end. */
  canRematch: boolean;
  /** An active match of mine, about which I may ask the coordinators to get in touch. */
  canAskForSupport: boolean;
}

export function matchView(match: Match, userId: string | null | undefined): MatchView {
  const side = match.mentee.user_id === userId ? 'mentee' : match.mentor.user_id === userId ? 'mentor' : null;
  const mine = side === 'mentee' ? match.mentee_response : side === 'mentor' ? match.mentor_response : null;
  const otherRole = side === 'mentor' ? 'mentee' : 'mentor';
  return {
    side,
    other: otherRole === 'mentee' ? match.mentee : match.mentor,
    otherRole,
    mine,
    theirs: otherRole === 'mentee' ? match.mentee_response : match.mentor_response,
    canRespond: match.status === 'proposed' && mine === 'pending',
    canRematch: side !== null && match.status === 'active',
    canAskForSupport: side !== null && match.status === 'active',
  };
}

export function responseLabel(response: MatchResponse): string {
  switch (response) {
    case 'accepted':
      return 'Accepted';
    case 'declined':
      return 'Declined';
    default:
      return 'Not answered yet';
  }
}

export function matchStatusLabel(status: MatchStatus): string {
  switch (status) {
    case 'proposed':
      return 'Proposed';
    case 'active':
      return 'Active';
    case 'declined':
      return 'Declined';
    case 'ended':
      return 'Ended';
  }
}

/** A match is open while proposed or active. */
export function isOpen(match: Match): boolean {
  return match.status === 'proposed' || match.status === 'active';
}

// Rounds.

/** The list of rounds (newest first) with `round` in it: replaced where it is, else first. */
export function upsertRound<R extends { id: string }>(
  page: Page<R> | undefined,
  round: R,
): Page<R> {
  if (!page) return { items: [round], next_cursor: null };
  if (page.items.some((r) => r.id === round.id)) {
    return { ...page, items: page.items.map((r) => (r.id === round.id ? round : r)) };
  }
  return { ...page, items: [round, ...page.items] };
}

/**
 * Why an approval was refused, one line per problem: field errors keyed by a mentee's id are
 * named after the proposal's pair; other keys are shown as they are.
 */
export function describeConflicts(
  fields: Record<string, string>,
  proposals: readonly { mentee_id: string; mentee_name: string; mentor_name: string }[],
): string[] {
  return Object.entries(fields).map(([key, message]) => {
    const id = key.replace(/^mentee_ids\.?/, '');
    const p = proposals.find((x) => x.mentee_id === key || x.mentee_id === id);
    return p ? `${p.mentee_name} with ${p.mentor_name}: ${message}` : `${key}: ${message}`;
  });
}

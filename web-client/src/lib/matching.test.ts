import { describe, expect, it } from 'vitest';
import type { Round } from '../api/types';
import { match } from '../chat/testing';
import {
  DEFAULT_WEIGHTS,
  describeConflicts,
  EMPTY_QUESTION,
  formatChange,
  matchView,
  optionLines,
  roundSummary,
  upsertRound,
  validateQuestion,
  validateWeights,
  weightFieldErrors,
  weightsToForm,
} from './matching';

describe('weights', () => {
  it('fills the form from saved weights, with defaults for missing ones', () => {
    const form = weightsToForm({ interests: 5, goals: 0.5 });
    expect(form.interests).toBe('5');
    expect(form.goals).toBe('0.5');
    expect(form.custom).toBe(String(DEFAULT_WEIGHTS.custom));
  });

  it('accepts numbers from 0 to 10', () => {
    const form = { ...weightsToForm(DEFAULT_WEIGHTS), interests: '10', goals: '0', time_zone: ' 2,5 ' };
    const { weights, errors } = validateWeights(form);
    expect(errors).toEqual({});
    expect(weights).toEqual({ ...DEFAULT_WEIGHTS, interests: 10, goals: 0, time_zone: 2.5 });
  });

  it('refuses blanks, words and numbers out of range, per weight', () => {
    const form = { ...weightsToForm(DEFAULT_WEIGHTS), interests: '', goals: 'lots', preferences: '-1', custom: '10.5' };
    const { weights, errors } = validateWeights(form);
    expect(weights).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['custom', 'goals', 'interests', 'preferences']);
  });

  it('refuses all zero', () => {
    const form = weightsToForm({
      interests: 0,
      goals: 0,
      preferences: 0,
      career_stage: 0,
      time_zone: 0,
      institution: 0,
      custom: 0,
    });
    const { weights, errors } = validateWeights(form);
    expect(weights).toBeNull();
    expect(errors.weights).toMatch(/more than 0/);
  });

  it('maps the server’s weights.* field errors to the form', () => {
    expect(weightFieldErrors({ 'weights.goals': 'Too big', weights: 'All zero', auto_match: 'x' })).toEqual({
      goals: 'Too big',
      weights: 'All zero',
      auto_match: 'x',
    });
  });
});

describe('custom questions', () => {
  it('needs a prompt and at least two different options for a choice', () => {
    expect(Object.keys(validateQuestion(EMPTY_QUESTION).errors).sort()).toEqual(['options', 'prompt']);
    const dupes = validateQuestion({ ...EMPTY_QUESTION, prompt: 'Track?', options: 'A\n a \n' });
    expect(dupes.errors.options).toMatch(/different/);
  });

  it('reads options one a line and sends a clean question', () => {
    expect(optionLines(' Clinical \n\n Research\n')).toEqual(['Clinical', 'Research']);
    const { question, errors } = validateQuestion({
      ...EMPTY_QUESTION,
      prompt: '  Which track?  ',
      options: 'Clinical\nResearch\n',
      audience: 'mentee',
      required: true,
      feeds_matching: true,
    });
    expect(errors).toEqual({});
    expect(question).toEqual({
      prompt: 'Which track?',
      kind: 'choice',
      options: ['Clinical', 'Research'],
      audience: 'mentee',
      required: true,
      feeds_matching: true,
    });
  });

  it('sends no options for a text question, and never feeds matching with one', () => {
    const { question } = validateQuestion({ ...EMPTY_QUESTION, prompt: 'Hobbies?', kind: 'text', options: 'x', feeds_matching: true });
    expect(question?.options).toEqual([]);
    expect(question?.feeds_matching).toBe(false);
  });
});

describe('a match as one of its people sees it', () => {
  it('shows the mentor to the mentee, and lets them answer a proposal', () => {
    const m = match({ mentee_response: 'pending', mentor_response: 'accepted' });
    const v = matchView(m, m.mentee.user_id);
    expect(v.side).toBe('mentee');
    expect(v.other.name).toBe('Nia');
    expect(v.otherRole).toBe('mentor');
    expect(v.mine).toBe('pending');
    expect(v.theirs).toBe('accepted');
    expect(v.canRespond).toBe(true);
    expect(v.canRematch).toBe(false);
    expect(v.canAskForSupport).toBe(false);
  });

  it('does not ask twice, and offers a rematch and support once active', () => {
    const m = match({ mentor_response: 'accepted' });
    expect(matchView(m, m.mentor.user_id).canRespond).toBe(false);
    const active = match({ status: 'active', mentee_response: 'accepted', mentor_response: 'accepted' });
    const v = matchView(active, active.mentor.user_id);
    expect(v.other.name).toBe('Kwame');
    expect(v.canRespond).toBe(false);
    expect(v.canRematch).toBe(true);
    expect(v.canAskForSupport).toBe(true);
    expect(matchView(active, active.mentee.user_id).canAskForSupport).toBe(true);
    expect(matchView(match({ status: 'ended' }), active.mentor.user_id).canRematch).toBe(false);
    expect(matchView(match({ status: 'ended' }), active.mentor.user_id).canAskForSupport).toBe(false);
  });

  it('offers nothing to someone who is not in the match', () => {
    const v = matchView(match(), 'someone-else');
    expect(v.side).toBeNull();
    expect(v.canRespond).toBe(false);
    expect(v.canRematch).toBe(false);
    expect(matchView(match({ status: 'active' }), 'someone-else').canAskForSupport).toBe(false);
  });
});

function round(overrides: Partial<Round> & { id: string }): Round & { id: string } {
  return {
    program_id: 'p1',
    status: 'preview',
    mode: 'whole_cohort',
    created_at: '2030-01-01T00:00:00Z',
    weights: DEFAULT_WEIGHTS,
    total_score: 140,
    mentees_considered: 3,
    mentors_considered: 2,
    proposals: [
      {
        mentee_id: 'm1',
        mentee_name: 'Kwame',
        mentor_id: 'r1',
        mentor_name: 'Nia',
        score: 70,
        parts: { interests: 0.5, goals: 0.5, preferences: 0, career_stage: 1, time_zone: 1, institution: 1, custom: 0 },
        reasons: [],
        unmet: [],
        for_mentee: { reasons: [], unmet: [] },
        for_mentor: { reasons: [], unmet: [] },
        approved: false,
      },
    ],
    unmatched: [{ user_id: 'm2', name: 'Ada', reason: 'no capacity left' }],
    mentor_load: [],
    ...overrides,
  };
}

describe('rounds', () => {
  it('summarizes a round for the weights comparison', () => {
    expect(roundSummary(round({ id: 'r' }))).toEqual({ total: 140, matched: 1, unmatched: 1 });
    expect(formatChange(140, 152.5)).toBe('+12.5');
    expect(formatChange(2, 1)).toBe('−1');
    expect(formatChange(3, 3)).toBe('no change');
  });

  it('replaces a round in the list, or puts a new one first', () => {
    const a = round({ id: 'a' });
    const b = round({ id: 'b' });
    const approved = round({ id: 'a', status: 'approved' });
    expect(upsertRound({ items: [a, b], next_cursor: null }, approved).items).toEqual([approved, b]);
    const c = round({ id: 'c' });
    expect(upsertRound({ items: [a, b], next_cursor: 'x' }, c)).toEqual({ items: [c, a, b], next_cursor: 'x' });
    expect(upsertRound(undefined, c)).toEqual({ items: [c], next_cursor: null });
  });

  it('names the pairs of a refused approval', () => {
    const r = round({ id: 'a' });
    expect(describeConflicts({ m1: 'mentor is full', other: 'x' }, r.proposals)).toEqual([
      'Kwame with Nia: mentor is full',
      'other: x',
    ]);
    expect(describeConflicts({ 'mentee_ids.m1': 'already matched' }, r.proposals)).toEqual([
      'Kwame with Nia: already matched',
    ]);
  });
});

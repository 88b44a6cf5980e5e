import { describe, expect, it } from 'vitest';
import type { Answers, Interest, Question } from '../api/types';
import {
  answersToForm,
  customKey,
  draftProblems,
  errorsOfStep,
  firstIncompleteStep,
  firstStepWithErrors,
  formToAnswers,
  missingRequired,
  normalizeFieldErrors,
  normalizeFieldKey,
  splitList,
  stepComplete,
  stepOfField,
  stepsFor,
  type QuestionnaireForm,
} from './questionnaire';

const INTERESTS: Interest[] = [
  { id: 'i-cardio', label: 'Cardiology' },
  { id: 'i-research', label: 'Research' },
];

function question(overrides: Partial<Question> = {}): Question {
  return {
    id: 'q1',
    prompt: 'Which track?',
    kind: 'choice',
    options: ['Clinical', 'Research'],
    audience: 'both',
    required: true,
    feeds_matching: true,
    created_at: '2030-01-01T00:00:00Z',
    ...overrides,
  };
}

const QUESTIONS: Question[] = [
  question(),
  question({ id: 'q2', prompt: 'Anything else?', kind: 'text', options: [], required: false, feeds_matching: false }),
  question({ id: 'q-mentor', prompt: 'Clinic days?', audience: 'mentor', kind: 'text', options: [] }),
];

function empty(): QuestionnaireForm {
  return answersToForm(null, { timeZone: 'America/Chicago', interests: INTERESTS, questions: QUESTIONS });
}

const COMPLETE_MENTEE: Answers = {
  career_stage: 'medical_student',
  institution: 'State University',
  region: 'Midwest',
  time_zone: 'America/Chicago',
  languages: ['English', 'Spanish'],
  interests: ['i-cardio'],
  tags: ['global health'],
  goals: 'Find a research mentor.',
  background: { values: ['first-generation student'], visibility: 'coordinators' },
  gender: { value: 'woman', visibility: 'match' },
  prefer_shared_background: true,
  prefer_other_institution: false,
  preferred_language: 'Spanish',
  custom: { q1: 'Research', q2: 'I like running.' },
};

describe('steps', () => {
  it('gives mentors a capacity step and skips program questions when there are none', () => {
    expect(stepsFor('mentee', QUESTIONS)).toEqual(['about', 'interests', 'background', 'custom', 'review']);
    expect(stepsFor('mentor', QUESTIONS)).toEqual(['about', 'interests', 'capacity', 'background', 'custom', 'review']);
    expect(stepsFor('mentee', [question({ audience: 'mentor' })])).toEqual(['about', 'interests', 'background', 'review']);
  });
});

describe('answers and the form', () => {
  it('starts a new questionnaire with the browser time zone and a mentor accepting', () => {
    const form = empty();
    expect(form.time_zone).toBe('America/Chicago');
    expect(form.accepting).toBe(true);
    expect(form.career_stage).toBe('');
    expect(form.background_visibility).toBe('matching_only');
    expect(formToAnswers(form, 'mentor', QUESTIONS)).toEqual({ time_zone: 'America/Chicago', accepting: true });
  });

  it('round-trips a complete mentee questionnaire', () => {
    const form = answersToForm(COMPLETE_MENTEE, { timeZone: 'UTC', interests: INTERESTS, questions: QUESTIONS });
    expect(form.languages).toBe('English, Spanish');
    expect(form.background).toBe('first-generation student');
    expect(form.gender_visibility).toBe('match');
    expect(formToAnswers(form, 'mentee', QUESTIONS)).toEqual(COMPLETE_MENTEE);
  });

  it('round-trips a mentor’s numbers and pause', () => {
    const answers: Answers = {
      time_zone: 'Europe/Berlin',
      experience: 'Ten years in cardiology.',
      expertise: 'Fellowship applications',
      capacity: 0,
      hours_per_month: 4,
      accepting: false,
      custom: { 'q-mentor': 'Tuesdays' },
    };
    const form = answersToForm(answers, { timeZone: 'UTC', interests: INTERESTS, questions: QUESTIONS });
    expect(form.capacity).toBe('0');
    expect(formToAnswers(form, 'mentor', QUESTIONS)).toEqual(answers);
  });

  it('sends only the fields of the person’s role', () => {
    const form = { ...empty(), goals: 'Goals', experience: 'Experience', capacity: '2', preferred_language: 'French' };
    const mentee = formToAnswers(form, 'mentee', QUESTIONS);
    expect(mentee.goals).toBe('Goals');
    expect(mentee.experience).toBeUndefined();
    expect(mentee.capacity).toBeUndefined();
    expect(mentee.accepting).toBeUndefined();
    expect(mentee.preferred_language).toBe('French');
    const mentor = formToAnswers(form, 'mentor', QUESTIONS);
    expect(mentor.goals).toBeUndefined();
    expect(mentor.capacity).toBe(2);
    expect(mentor.preferred_language).toBeUndefined();
    expect(mentor.prefer_shared_background).toBeUndefined();
  });

  it('trims text, splits lists and leaves out what is blank', () => {
    const form: QuestionnaireForm = {
      ...empty(),
      institution: '   ',
      languages: ' English ,, english,\nSpanish ',
      tags: 'a,  b  c ,',
      background: ' , ',
      gender: '  ',
      custom: { q1: '', q2: '   ', 'q-mentor': 'Mondays' },
    };
    const answers = formToAnswers(form, 'mentee', QUESTIONS);
    expect(answers.institution).toBeUndefined();
    expect(answers.languages).toEqual(['English', 'Spanish']);
    expect(answers.tags).toEqual(['a', 'b c']);
    expect(answers.background).toBeUndefined();
    expect(answers.gender).toBeUndefined();
    // Blank answers and the mentors' question are not sent by a mentee.
    expect(answers.custom).toBeUndefined();
  });

  it('drops interests and choices that no longer exist in the program', () => {
    const form = answersToForm(
      { interests: ['i-cardio', 'i-gone'], custom: { q1: 'Old option', q2: 'text', removed: 'x' } },
      { timeZone: 'UTC', interests: INTERESTS, questions: QUESTIONS },
    );
    expect(form.interests).toEqual(['i-cardio']);
    expect(form.custom).toEqual({ q2: 'text' });
  });

  it('ignores saved values of the wrong kind', () => {
    const form = answersToForm(
      { career_stage: 'wizard' as never, background: { values: ['x'], visibility: 'public' as never } },
      { timeZone: 'UTC', interests: [], questions: [] },
    );
    expect(form.career_stage).toBe('');
    expect(form.background_visibility).toBe('matching_only');
  });

  it('splits lists without repeats', () => {
    expect(splitList('English, english , ENGLISH, Hindi\n\n')).toEqual(['English', 'Hindi']);
    expect(splitList('')).toEqual([]);
  });
});

describe('draft checks', () => {
  it('accepts an empty draft', () => {
    expect(draftProblems(empty(), 'mentor')).toEqual({});
  });

  it('checks capacity and hours as whole numbers in range, for mentors only', () => {
    const form = { ...empty(), capacity: '11', hours_per_month: '2.5' };
    expect(Object.keys(draftProblems(form, 'mentor')).sort()).toEqual(['capacity', 'hours_per_month']);
    expect(draftProblems({ ...form, capacity: '-1' }, 'mentor').capacity).toBeDefined();
    expect(draftProblems({ ...form, capacity: '10', hours_per_month: '8' }, 'mentor')).toEqual({});
    expect(draftProblems(form, 'mentee')).toEqual({});
  });

  it('checks lengths and list sizes', () => {
    const form = {
      ...empty(),
      institution: 'x'.repeat(201),
      languages: Array.from({ length: 11 }, (_, i) => `L${i}`).join(','),
      tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(','),
      goals: 'g'.repeat(4001),
    };
    expect(Object.keys(draftProblems(form, 'mentee')).sort()).toEqual(['goals', 'institution', 'languages', 'tags']);
  });

  it('checks each list entry and each custom answer against the server’s limits', () => {
    const form = {
      ...empty(),
      languages: `English, ${'x'.repeat(51)}`,
      tags: 'fine',
      background: 'b'.repeat(101),
      gender: 'g'.repeat(101),
      preferred_language: 'p'.repeat(51),
      custom: { q2: 'a'.repeat(2001) },
    };
    expect(Object.keys(draftProblems(form, 'mentee')).sort()).toEqual(
      ['background', customKey('q2'), 'gender', 'languages', 'preferred_language'].sort(),
    );
    expect(draftProblems({ ...empty(), hours_per_month: '81' }, 'mentor').hours_per_month).toBeDefined();
    expect(draftProblems({ ...empty(), hours_per_month: '80' }, 'mentor')).toEqual({});
  });
});

describe('required answers and where to reopen', () => {
  it('lists everything a new mentee still needs', () => {
    const missing = missingRequired({ ...empty(), time_zone: '' }, 'mentee', QUESTIONS);
    expect(Object.keys(missing).sort()).toEqual(
      ['career_stage', 'time_zone', 'languages', 'interests', 'goals', customKey('q1')].sort(),
    );
  });

  it('takes a tag instead of an interest, and needs mentors’ own fields', () => {
    const form = { ...empty(), career_stage: 'resident' as const, languages: 'English', tags: 'surgery' };
    const missing = missingRequired(form, 'mentor', QUESTIONS);
    expect(Object.keys(missing).sort()).toEqual(['capacity', 'experience', customKey('q-mentor'), customKey('q1')].sort());
  });

  it('treats capacity 0 as an answer', () => {
    const form = { ...empty(), capacity: '0' };
    expect(missingRequired(form, 'mentor', QUESTIONS).capacity).toBeUndefined();
  });

  it('reopens at the first step with a required answer missing, else at the review', () => {
    expect(firstIncompleteStep(empty(), 'mentee', QUESTIONS)).toBe(0);
    const about = { ...empty(), career_stage: 'fellow' as const, languages: 'English' };
    expect(firstIncompleteStep(about, 'mentee', QUESTIONS)).toBe(1);
    const interests = { ...about, interests: ['i-research'], goals: 'Grow' };
    // The background step has nothing required, so the program questions come next.
    expect(firstIncompleteStep(interests, 'mentee', QUESTIONS)).toBe(3);
    const all = { ...interests, custom: { q1: 'Clinical' } };
    expect(firstIncompleteStep(all, 'mentee', QUESTIONS)).toBe(4);
    expect(stepsFor('mentee', QUESTIONS)[4]).toBe('review');
  });

  it('puts a mentor missing only the capacity on the capacity step', () => {
    const form = {
      ...empty(),
      career_stage: 'attending' as const,
      languages: 'English',
      tags: 'x',
      experience: 'Lots',
      custom: { q1: 'Clinical', 'q-mentor': 'Fridays' },
    };
    expect(firstIncompleteStep(form, 'mentor', QUESTIONS)).toBe(2);
    expect(stepComplete('interests', form, 'mentor', QUESTIONS)).toBe(true);
    expect(stepComplete('capacity', form, 'mentor', QUESTIONS)).toBe(false);
  });
});

describe('server field errors', () => {
  const steps = stepsFor('mentor', QUESTIONS);

  it('normalizes nested, indexed and prefixed keys', () => {
    expect(normalizeFieldKey('answers.career_stage')).toBe('career_stage');
    expect(normalizeFieldKey('languages[3]')).toBe('languages');
    expect(normalizeFieldKey('background.values')).toBe('background');
    expect(normalizeFieldKey('custom.q1')).toBe('custom.q1');
    expect(normalizeFieldKey('answers.custom.q1')).toBe('custom.q1');
    expect(normalizeFieldKey('custom["q1"]')).toBe('custom.q1');
    expect(normalizeFieldErrors({ 'languages[0]': 'too long', 'languages[1]': 'also', 'gender.value': 'x' })).toEqual({
      languages: 'too long',
      gender: 'x',
    });
  });

  it('puts each error on the step where it is answered', () => {
    expect(stepOfField('capacity', steps)).toBe('capacity');
    expect(stepOfField('custom.q1', steps)).toBe('custom');
    expect(stepOfField('tags', steps)).toBe('interests');
    expect(stepOfField('background.visibility', steps)).toBe('background');
    expect(stepOfField('something_new', steps)).toBe('review');
    // A mentee has no capacity step: such an error can only be shown on the review.
    expect(stepOfField('capacity', stepsFor('mentee', QUESTIONS))).toBe('review');
  });

  it('finds the first step with an error and the errors of a step', () => {
    const errors = { 'custom.q1': 'Choose an answer.', capacity: 'Required.', experience: 'Required.' };
    expect(firstStepWithErrors(errors, steps)).toBe(1);
    expect(errorsOfStep(errors, 'capacity', steps)).toEqual({ capacity: 'Required.' });
    expect(firstStepWithErrors({}, steps)).toBe(-1);
  });
});

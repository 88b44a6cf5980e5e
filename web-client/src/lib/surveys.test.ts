import { describe, expect, it } from 'vitest';
import type { SurveyQuestion } from '../api/programData';
import {
  answerFieldErrors,
  buildAnswers,
  buildSurvey,
  emptyAnswers,
  emptySurvey,
  formatAverage,
  newQuestion,
  optionList,
  surveyFieldErrors,
  type SurveyDraft,
} from './surveys';

const QUESTIONS: SurveyQuestion[] = [
  { id: 'fit', kind: 'scale', prompt: 'How good a fit?', required: true },
  { id: 'pace', kind: 'single', prompt: 'Pace?', required: true, options: ['Too slow', 'Right', 'Too fast'] },
  { id: 'topics', kind: 'multiple', prompt: 'Topics?', required: false, options: ['Research', 'Career', 'Life'] },
  { id: 'notes', kind: 'text', prompt: 'Anything else?', required: false },
];

describe('answers', () => {
  it('starts empty, with a list for several choices', () => {
    expect(emptyAnswers(QUESTIONS)).toEqual({ fit: '', pace: '', topics: [], notes: '' });
  });

  it('builds the API answers: numbers, options, lists in the options’ order, trimmed text', () => {
    const { answers, errors } = buildAnswers(QUESTIONS, {
      fit: '4',
      pace: 'Right',
      topics: ['Life', 'Research'],
      notes: '  Going well.  ',
    });
    expect(errors).toEqual({});
    expect(answers).toEqual({ fit: 4, pace: 'Right', topics: ['Research', 'Life'], notes: 'Going well.' });
  });

  it('leaves unanswered optional questions out', () => {
    const { answers } = buildAnswers(QUESTIONS, { fit: '1', pace: 'Too fast', topics: [], notes: '   ' });
    expect(answers).toEqual({ fit: 1, pace: 'Too fast' });
  });

  it('names each unanswered required question', () => {
    const { answers, errors } = buildAnswers(QUESTIONS, emptyAnswers(QUESTIONS));
    expect(answers).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['fit', 'pace']);
  });

  it('refuses values outside the question', () => {
    const { errors } = buildAnswers(QUESTIONS, { fit: '6', pace: 'Maybe', topics: ['Other'], notes: 'x'.repeat(4001) });
    expect(Object.keys(errors).sort()).toEqual(['fit', 'notes', 'pace']);
  });

  it('maps the API’s field names to question ids', () => {
    expect(answerFieldErrors({ 'answers.fit': 'out of range', 'answers[pace]': 'unknown option', notes: 'too long', answers: 'missing' }, QUESTIONS)).toEqual({
      fit: 'out of range',
      pace: 'unknown option',
      notes: 'too long',
      answers: 'missing',
    });
  });
});

function draft(patch: Partial<SurveyDraft> = {}): SurveyDraft {
  return {
    ...emptySurvey(),
    title: 'Fit check',
    questions: [{ ...newQuestion([]), prompt: 'How is it going?' }],
    ...patch,
  };
}

describe('survey builder', () => {
  it('numbers new questions after the existing ones', () => {
    const first = newQuestion([]);
    expect(first.id).toBe('q1');
    expect(newQuestion([first, { ...first, id: 'q3' }]).id).toBe('q4');
  });

  it('splits options one per line', () => {
    expect(optionList(' Yes \n\nNo\n  ')).toEqual(['Yes', 'No']);
  });

  it('builds a survey with options and at-risk flags', () => {
    const { survey, errors } = buildSurvey(
      draft({
        anonymous: false,
        questions: [
          { id: 'q1', kind: 'scale', prompt: ' Fit? ', required: true, options: 'ignored', atRisk: [] },
          { id: 'q2', kind: 'single', prompt: 'Keep going?', required: false, options: 'Yes\nNot a good fit', atRisk: ['Not a good fit', 'Gone'] },
        ],
      }),
    );
    expect(errors).toEqual({});
    expect(survey).toEqual({
      title: 'Fit check',
      trigger: 'fit_check',
      audience: 'both',
      anonymous: false,
      questions: [
        { id: 'q1', kind: 'scale', prompt: 'Fit?', required: true },
        {
          id: 'q2',
          kind: 'single',
          prompt: 'Keep going?',
          required: false,
          options: ['Yes', 'Not a good fit'],
          at_risk_options: ['Not a good fit'],
        },
      ],
    });
  });

  it('needs a date for a dated survey, as the start of that local day', () => {
    expect(buildSurvey(draft({ trigger: 'date' })).errors).toEqual({ due_at: 'Choose the date the survey goes out.' });
    const { survey } = buildSurvey(draft({ trigger: 'date', dueDate: '2026-05-04' }));
    expect(survey?.due_at).toBe(new Date(2026, 4, 4).toISOString());
  });

  it('checks the title, prompts and options of every question', () => {
    const { survey, errors } = buildSurvey(
      draft({
        title: ' ',
        questions: [
          { id: 'q1', kind: 'multiple', prompt: '', required: true, options: 'Only one', atRisk: [] },
          { id: 'q2', kind: 'single', prompt: 'Twice?', required: true, options: 'Yes\nyes', atRisk: [] },
        ],
      }),
    );
    expect(survey).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['questions.0.options', 'questions.0.prompt', 'questions.1.options', 'title']);
  });

  it('needs between 1 and 30 questions', () => {
    expect(buildSurvey(draft({ questions: [] })).errors.questions).toBeDefined();
    const many = Array.from({ length: 31 }, (_, i) => ({ ...newQuestion([]), id: `q${i}`, prompt: 'Q' }));
    expect(buildSurvey(draft({ questions: many })).errors.questions).toBeDefined();
  });

  it('reads the API’s field names in the builder’s keys', () => {
    expect(surveyFieldErrors({ 'questions[2].options': 'too few', title: 'blank' })).toEqual({
      'questions.2.options': 'too few',
      title: 'blank',
    });
  });

  it('formats averages', () => {
    expect(formatAverage(4.25)).toBe('4.3');
    expect(formatAverage(null)).toBe('—');
  });
});

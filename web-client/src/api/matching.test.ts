// The matching endpoints against docs/matching.md, with fetch mocked.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, setCsrfToken, setFetch } from './client';
import { api } from './endpoints';
import { normalizeFieldErrors, stepOfField, stepsFor } from '../lib/questionnaire';

interface Call {
  url: string;
  method: string;
  body: unknown;
}

function mock(status: number, body: unknown, calls: Call[]) {
  setFetch(async (url, init) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return new Response(status === 204 ? null : JSON.stringify(body), { status });
  });
}

describe('matching endpoints', () => {
  afterEach(() => setCsrfToken(null));

  it('saves a draft and a finished questionnaire with PUT', async () => {
    const calls: Call[] = [];
    mock(200, { role: 'mentee', answers: {}, completed_at: null, updated_at: null, questions: [], interests: [] }, calls);
    await api.saveQuestionnaire('p 1', { languages: ['English'] }, false);
    await api.saveQuestionnaire('p 1', {}, true);
    expect(calls).toEqual([
      { url: '/api/programs/p%201/questionnaire', method: 'PUT', body: { answers: { languages: ['English'] }, complete: false } },
      { url: '/api/programs/p%201/questionnaire', method: 'PUT', body: { answers: {}, complete: true } },
    ]);
  });

  it('turns a 422 on submit into errors on the right steps', async () => {
    mock(
      422,
      { error: { code: 'validation', message: 'Required answers are missing', fields: { goals: 'required', 'custom.q9': 'required' } } },
      [],
    );
    const error = await api.saveQuestionnaire('p1', {}, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const errors = normalizeFieldErrors(fieldErrors(error));
    expect(errors).toEqual({ goals: 'Required', 'custom.q9': 'Required' });
    const steps = stepsFor('mentee', [
      { id: 'q9', prompt: 'x', kind: 'text', options: [], audience: 'both', required: true, feeds_matching: false, created_at: '' },
    ]);
    expect(stepOfField('goals', steps)).toBe('interests');
    expect(stepOfField('custom.q9', steps)).toBe('custom');
  });

  it('sends weights to preview and rounds only when given', async () => {
    const calls: Call[] = [];
    mock(200, {}, calls);
    await api.previewRound('p1');
    await api.previewRound('p1', { interests: 1, goals: 1, preferences: 1, career_stage: 1, time_zone: 1, institution: 1, custom: 1 });
    await api.runRound('p1');
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/programs/p1/matching/preview', {}],
      ['POST', '/api/programs/p1/matching/preview', { weights: { interests: 1, goals: 1, preferences: 1, career_stage: 1, time_zone: 1, institution: 1, custom: 1 } }],
      ['POST', '/api/programs/p1/matching/rounds', {}],
    ]);
  });

  it('approves chosen mentees, discards, scores and places pairs', async () => {
    const calls: Call[] = [];
    mock(200, {}, calls);
    await api.approveRound('p1', 'r1', ['a', 'b']);
    await api.approveRound('p1', 'r1');
    await api.discardRound('p1', 'r1');
    await api.pairScore('p1', 'mentee-1', 'mentor-1');
    await api.placeMatch('p1', 'mentee-1', 'mentor-1');
    await api.programMatches('p1', 'active');
    await api.programMatches('p1', 'all', 'next');
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/programs/p1/matching/rounds/r1/approve', { mentee_ids: ['a', 'b'] }],
      ['POST', '/api/programs/p1/matching/rounds/r1/approve', {}],
      ['POST', '/api/programs/p1/matching/rounds/r1/discard', undefined],
      ['GET', '/api/programs/p1/matching/score?mentee=mentee-1&mentor=mentor-1', undefined],
      ['POST', '/api/programs/p1/matching/matches', { mentee_id: 'mentee-1', mentor_id: 'mentor-1' }],
      ['GET', '/api/programs/p1/matching/matches?status=active', undefined],
      ['GET', '/api/programs/p1/matching/matches?cursor=next', undefined],
    ]);
  });

  it('answers and ends my matches, with a reason only when there is one', async () => {
    const calls: Call[] = [];
    mock(200, {}, calls);
    await api.respondToMatch('m1', true);
    await api.respondToMatch('m1', false, 'Schedules clash');
    await api.rematch('m1');
    await api.rematch('m1', 'Moved away');
    await api.myMatches();
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/matches/m1/respond', { accept: true }],
      ['POST', '/api/matches/m1/respond', { accept: false, reason: 'Schedules clash' }],
      ['POST', '/api/matches/m1/rematch', {}],
      ['POST', '/api/matches/m1/rematch', { reason: 'Moved away' }],
      ['GET', '/api/me/matches', undefined],
    ]);
  });

  it('manages the taxonomy and the questions', async () => {
    const calls: Call[] = [];
    mock(201, {}, calls);
    await api.createInterest('p1', 'Cardiology');
    await api.createQuestion('p1', {
      prompt: 'Track?',
      kind: 'choice',
      options: ['A', 'B'],
      audience: 'both',
      required: true,
      feeds_matching: true,
    });
    mock(204, null, calls);
    await api.deleteInterest('p1', 'i1');
    await api.deleteQuestion('p1', 'q1');
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/api/programs/p1/interests'],
      ['POST', '/api/programs/p1/questions'],
      ['DELETE', '/api/programs/p1/interests/i1'],
      ['DELETE', '/api/programs/p1/questions/q1'],
    ]);
    expect(calls[0]?.body).toEqual({ label: 'Cardiology' });
  });

  it('reads and saves the settings', async () => {
    const calls: Call[] = [];
    const settings = {
      weights: { interests: 3, goals: 3, preferences: 2, career_stage: 1, time_zone: 1, institution: 1, custom: 1 },
      auto_match: true,
    };
    mock(200, settings, calls);
    expect(await api.matchingSettings('p1')).toEqual(settings);
    await api.updateMatchingSettings('p1', settings);
    expect(calls[1]).toEqual({ url: '/api/programs/p1/matching/settings', method: 'PUT', body: settings });
  });
});

import { describe, expect, it } from 'vitest';
import { partialMatchKey, QueryClient, type QueryKey } from '@tanstack/react-query';
import {
  accountKeys,
  adminKeys,
  blockKeys,
  checkinKeys,
  conductKeys,
  dashboardKeys,
  eventKeys,
  invitationKeys,
  matchingKeys,
  matchKeys,
  meetingKeys,
  memberKeys,
  pairKeys,
  programKeys,
  questionnaireKeys,
  reportKeys,
  sessionKeys,
  surveyKeys,
} from './queryKeys';

/** One key of every shape, named, with the array it must be (the cache and the tests rely on it). */
const KEYS: Record<string, [QueryKey, unknown[]]> = {
  session: [sessionKeys.current, ['session']],
  me: [accountKeys.me, ['me']],
  tokens: [accountKeys.tokens, ['tokens']],
  notifications: [accountKeys.notifications, ['notifications']],
  programs: [programKeys.list, ['programs']],
  program: [programKeys.detail('p1'), ['program', 'p1']],
  members: [memberKeys.list('p1'), ['members', 'p1']],
  everyMember: [memberKeys.everyone('p1'), ['members', 'p1', 'all']],
  invitationsOfProgram: [invitationKeys.ofProgram('p1'), ['invitations', 'p1']],
  invitations: [invitationKeys.list('p1', 'pending'), ['invitations', 'p1', 'pending']],
  invitation: [invitationKeys.preview('t1'), ['invitation', 't1']],
  interests: [matchingKeys.interests('p1'), ['interests', 'p1']],
  questions: [matchingKeys.questions('p1'), ['questions', 'p1']],
  matchingSettings: [matchingKeys.settings('p1'), ['matching-settings', 'p1']],
  rounds: [matchingKeys.rounds('p1'), ['rounds', 'p1']],
  pairScores: [matchingKeys.pairScores('p1'), ['pair-score', 'p1']],
  pairScore: [matchingKeys.pairScore('p1', 'a', 'b'), ['pair-score', 'p1', 'a', 'b']],
  questionnaire: [questionnaireKeys.mine('p1'), ['questionnaire', 'p1']],
  myMatches: [matchKeys.mine, ['matches']],
  programMatchesOfProgram: [matchKeys.ofProgram('p1'), ['program-matches', 'p1']],
  programMatches: [matchKeys.list('p1', 'active'), ['program-matches', 'p1', 'active']],
  meetings: [meetingKeys.mine, ['meetings']],
  checkins: [checkinKeys.pending, ['checkins']],
  programCheckins: [checkinKeys.summary('p1'), ['program-checkins', 'p1']],
  myEvents: [eventKeys.mine, ['my-events']],
  event: [eventKeys.detail('e1'), ['event', 'e1']],
  programEvents: [eventKeys.ofProgram('p1'), ['program-events', 'p1']],
  mySurveys: [surveyKeys.mine, ['my-surveys']],
  surveys: [surveyKeys.ofProgram('p1'), ['surveys', 'p1']],
  surveyResults: [surveyKeys.results('p1', 's1'), ['survey-results', 'p1', 's1']],
  engagement: [pairKeys.engagement('p1'), ['engagement', 'p1']],
  alertsOfProgram: [pairKeys.alerts('p1'), ['alerts', 'p1']],
  alerts: [pairKeys.alertList('p1', false), ['alerts', 'p1', false]],
  riskSettings: [pairKeys.riskSettings('p1'), ['risk-settings', 'p1']],
  dashboardOfProgram: [dashboardKeys.ofProgram('p1'), ['dashboard', 'p1']],
  dashboard: [dashboardKeys.filtered('p1', { cohort: 'c' }), ['dashboard', 'p1', { cohort: 'c' }]],
  outbox: [adminKeys.outbox, ['outbox']],
  audit: [adminKeys.audit, ['audit']],
  blocks: [blockKeys.mine, ['blocks']],
  blockList: [blockKeys.list, ['blocks', 'page']],
  blockIds: [blockKeys.ids, ['blocks', 'ids']],
  myReports: [reportKeys.mine, ['my-reports']],
  reportsOfProgram: [reportKeys.ofProgram('p1'), ['reports', 'p1']],
  reportQueue: [reportKeys.queue('p1', false), ['reports', 'p1', false]],
  conduct: [conductKeys.all, ['conduct']],
  myConduct: [conductKeys.mine, ['conduct', 'mine']],
  programConduct: [conductKeys.ofProgram('p1'), ['conduct', 'program', 'p1']],
};

/** Every pair (wider, narrower) where invalidating the wider key also refetches the narrower. */
const PREFIXES = [
  'members > everyMember',
  'invitationsOfProgram > invitations',
  'pairScores > pairScore',
  'programMatchesOfProgram > programMatches',
  'alertsOfProgram > alerts',
  'dashboardOfProgram > dashboard',
  'blocks > blockList',
  'blocks > blockIds',
  'reportsOfProgram > reportQueue',
  'conduct > myConduct',
  'conduct > programConduct',
];

describe('query keys', () => {
  it('keep their shapes', () => {
    for (const [name, [key, expected]] of Object.entries(KEYS)) {
      expect([name, key]).toEqual([name, expected]);
    }
  });

  it('are prefixes of each other only where an invalidation means to reach the narrower key', () => {
    const found: string[] = [];
    for (const [wide, [wideKey]] of Object.entries(KEYS)) {
      for (const [narrow, [narrowKey]] of Object.entries(KEYS)) {
        if (wide !== narrow && partialMatchKey(narrowKey, wideKey)) found.push(`${wide} > ${narrow}`);
      }
    }
    expect(found.sort()).toEqual([...PREFIXES].sort());
  });

  it('scope a program’s keys to that program', () => {
    expect(partialMatchKey(invitationKeys.list('p2', 'all'), invitationKeys.ofProgram('p1'))).toBe(false);
    expect(partialMatchKey(matchKeys.list('p2', 'all'), matchKeys.ofProgram('p1'))).toBe(false);
    expect(partialMatchKey(matchingKeys.pairScore('p2', 'a', 'b'), matchingKeys.pairScores('p1'))).toBe(false);
    expect(partialMatchKey(pairKeys.alertList('p2', true), pairKeys.alerts('p1'))).toBe(false);
    expect(partialMatchKey(dashboardKeys.filtered('p2', {}), dashboardKeys.ofProgram('p1'))).toBe(false);
    expect(partialMatchKey(reportKeys.queue('p2', true), reportKeys.ofProgram('p1'))).toBe(false);
    expect(partialMatchKey(conductKeys.ofProgram('p2'), conductKeys.ofProgram('p1'))).toBe(false);
  });

  it('give the session a first element of its own (a sign-out keeps only the session)', () => {
    const others = Object.entries(KEYS).filter(([name]) => name !== 'session');
    expect(others.filter(([, [key]]) => key[0] === sessionKeys.current[0])).toEqual([]);
  });

  it('invalidate by prefix in a real cache', () => {
    const client = new QueryClient();
    const cached = [
      invitationKeys.list('p1', 'pending'),
      invitationKeys.list('p1', 'all'),
      invitationKeys.list('p2', 'pending'),
      programKeys.detail('p1'),
      programKeys.list,
    ];
    for (const key of cached) client.setQueryData(key, {});
    void client.invalidateQueries({ queryKey: invitationKeys.ofProgram('p1') });
    void client.invalidateQueries({ queryKey: programKeys.list });
    expect(cached.map((key) => client.getQueryState(key)?.isInvalidated)).toEqual([true, true, false, false, true]);
  });
});

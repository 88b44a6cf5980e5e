import { describe, expect, it } from 'vitest';
import { alertAudience, resolutionLabel, ruleLabel } from './AlertsPanel';

const NIA = { user_id: 'u-nia', name: 'Nia' };
const KWAME = { user_id: 'u-kwame', name: 'Kwame' };

describe('alerts', () => {
  it('writes to the pair about the program’s own rules', () => {
    const audience = alertAudience({ mentee: NIA, mentor: KWAME, raised_by: null });
    expect(audience.label).toBe('Message to the pair');
    expect(audience.send).toBe('Send message');
    expect(audience.sent).toBe('Message sent to the pair.');
    expect(audience.form).toBe('Message Nia and Kwame');
  });

  it('writes to the person who raised an alert alone, and says the other does not see it', () => {
    const byMentee = alertAudience({ mentee: NIA, mentor: KWAME, raised_by: NIA });
    expect(byMentee.label).toBe('Message to Nia alone');
    expect(byMentee.send).toBe('Send to Nia alone');
    expect(byMentee.sent).toBe('Message sent to Nia alone.');
    expect(byMentee.link).toBe('Open the conversation with Nia');
    expect(byMentee.hint).toMatch(/you and Nia .*Kwame does not see it\.$/);
    const byMentor = alertAudience({ mentee: NIA, mentor: KWAME, raised_by: KWAME });
    expect(byMentor.form).toBe('Write to Kwame alone');
    expect(byMentor.hint).toMatch(/Nia does not see it\.$/);
  });

  it('names the rules and resolutions, and leaves unknown ones as they are', () => {
    expect(ruleLabel('support_requested')).toBe('Asked for support');
    expect(ruleLabel('not_a_good_fit')).toBe('Not a good fit');
    expect(ruleLabel('something_new')).toBe('something_new');
    expect(resolutionLabel('withdrawn')).toMatch(/^withdrawn: check-in ratings reach coordinators only as program totals$/);
    expect(resolutionLabel('resolved')).toBe('resolved by a coordinator');
    expect(resolutionLabel('other')).toBe('other');
  });
});

import { describe, expect, it } from 'vitest';
import { validateRisk } from './RiskSettingsPanel';

describe('risk settings', () => {
  it('accepts whole days from 1 to 365 and a drop from 0.5 to 4', () => {
    expect(validateRisk('14', '1.5')).toEqual({ errors: {}, days: 14, drop: 1.5 });
    expect(validateRisk(' 365 ', '4')).toEqual({ errors: {}, days: 365, drop: 4 });
    expect(validateRisk('1', '0,5').drop).toBe(0.5);
  });

  it('names each bad field as the API does', () => {
    expect(Object.keys(validateRisk('0', '0.4').errors).sort()).toEqual(['no_contact_days', 'rating_drop']);
    expect(Object.keys(validateRisk('2.5', '').errors).sort()).toEqual(['no_contact_days', 'rating_drop']);
    expect(Object.keys(validateRisk('366', 'lots').errors).sort()).toEqual(['no_contact_days', 'rating_drop']);
  });
});

// The "Risk settings" section: which at-risk rules are on for the program and their thresholds.
// Only a pair out of touch is nudged (both can see that they were); a named fit-check answer
// raises an alert for coordinators alone; and the rating drop never flags a pair: check-in
// ratings are private, so it only decides when Kindred asks the person who rated, and them alone,
// whether they would like a coordinator's help.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { dataApi, type RiskSettings } from '../../api/programData';
import { pairKeys } from '../../api/queryKeys';
import { CheckboxField, FormError, StatusMessage, TextField, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';

export function RiskSettingsPanel({ programId }: { programId: string }) {
  const settings = useQuery({ queryKey: pairKeys.riskSettings(programId), queryFn: () => dataApi.riskSettings(programId) });
  return (
    <section aria-labelledby="risk-heading">
      <h2 id="risk-heading">Risk settings</h2>
      <p>
        Kindred checks every active pair regularly. When a pair is out of touch, the pair gets one friendly nudge and you
        get an alert. Check-in ratings stay private: you see them only as totals for the whole program.
      </p>
      <QueryStatus query={settings} loading="Loading the settings…" />
      {settings.data ? <RiskForm programId={programId} settings={settings.data} /> : null}
    </section>
  );
}

/** Checks the two thresholds; returns the errors keyed as the API names the fields. */
export function validateRisk(days: string, drop: string): { errors: FieldErrors; days: number; drop: number } {
  const errors: FieldErrors = {};
  const d = Number(days.trim());
  const r = Number(drop.trim().replace(',', '.'));
  if (days.trim() === '' || !Number.isInteger(d) || d < 1 || d > 365) errors.no_contact_days = 'Enter a whole number of days from 1 to 365.';
  if (drop.trim() === '' || !Number.isFinite(r) || r < 0.5 || r > 4) errors.rating_drop = 'Enter a number from 0.5 to 4.';
  return { errors, days: d, drop: r };
}

function RiskForm({ programId, settings }: { programId: string; settings: RiskSettings }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [enabled, setEnabled] = useState(settings.enabled);
  const [days, setDays] = useState(String(settings.no_contact_days));
  const [drop, setDrop] = useState(String(settings.rating_drop));
  const [fit, setFit] = useState(settings.fit_check);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const save = useMutation({
    mutationFn: (next: RiskSettings) => dataApi.updateRiskSettings(programId, next),
    onSuccess: (saved) => {
      queryClient.setQueryData(pairKeys.riskSettings(programId), saved);
      setStatus('Risk settings saved.');
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['no_contact_days', 'rating_drop']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const checked = validateRisk(days, drop);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0) {
      setFormError('Please correct the problems marked below.');
      return;
    }
    setFormError(null);
    save.mutate({ enabled, no_contact_days: checked.days, rating_drop: checked.drop, fit_check: fit });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="risk-heading">
      <FormError message={formError} />
      <CheckboxField
        label="Check pairs for risk"
        checked={enabled}
        onChange={setEnabled}
        hint="When off, Kindred flags no pairs and offers no help after check-ins. People can still ask for support from My matches, and you see their requests in Alerts."
      />
      <fieldset className="choice-group" disabled={!enabled}>
        <legend>Rules</legend>
        <TextField
          label="No contact: days without a message or a meeting"
          name="no_contact_days"
          type="number"
          inputMode="numeric"
          min={1}
          max={365}
          value={days}
          onChange={setDays}
          error={errors.no_contact_days}
          hint="Counted from the last contact, or from the start of the match. Default 14."
        />
        <TextField
          label="Falling ratings: drop in a person’s own check-in rating that offers them help"
          name="rating_drop"
          type="number"
          inputMode="decimal"
          min={0.5}
          max={4}
          step={0.5}
          value={drop}
          onChange={setDrop}
          error={errors.rating_drop}
          hint="When someone’s latest rating of calls with their match is this far below their earlier ones, or is 1 or 2, Kindred privately asks them whether they would like a coordinator’s help. You are not told unless they ask. Default 1.5."
        />
        <CheckboxField
          label="Not a good fit: flag pairs when a survey answer says so"
          checked={fit}
          onChange={setFit}
          hint="A named survey response that picks one of a question’s at-risk options. You follow it up with that person alone."
        />
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save risk settings'}
        </button>
      </div>
      <StatusMessage message={status} />
    </form>
  );
}

// The console's "Weights" section: how much each part of the score counts, whether rounds run
// by themselves, and a preview of what edited weights would change before saving them.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { matchingKeys } from '../../api/queryKeys';
import type { MatchingSettings, Round, WeightKey, Weights } from '../../api/types';
import {
  DEFAULT_WEIGHTS,
  formatChange,
  formatScore,
  MAX_WEIGHT,
  roundSummary,
  validateWeights,
  weightFieldErrors,
  weightsToForm,
  WEIGHTS,
  type WeightsForm,
} from '../../lib/matching';
import { CheckboxField, FormError, StatusMessage, TextField, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';

export function WeightsPanel({ programId }: { programId: string }) {
  const settings = useQuery({ queryKey: matchingKeys.settings(programId), queryFn: () => api.matchingSettings(programId) });
  return (
    <section aria-labelledby="weights-heading">
      <h2 id="weights-heading">Weights</h2>
      <p>
        A pair’s score, from 0 to 100, is the weighted mean of the parts below, each measured from 0 to 1. Give a
        part more weight to make it count more; 0 leaves it out.
      </p>
      <QueryStatus query={settings} loading="Loading the settings…" />
      {settings.data ? <WeightsEditor programId={programId} settings={settings.data} /> : null}
    </section>
  );
}

interface Comparison {
  saved: Round;
  edited: Round;
}

/** Field errors the form shows next to their weight (the server may prefix them with `weights.`). */
const SHOWN_KEYS = WEIGHTS.flatMap((w) => [w.key, `weights.${w.key}`]);

function WeightsEditor({ programId, settings }: { programId: string; settings: MatchingSettings }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [form, setForm] = useState<WeightsForm>(() => weightsToForm(settings.weights));
  const [autoMatch, setAutoMatch] = useState(settings.auto_match);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  useFocusFirstInvalid(formRef, errors);

  function checked(): Weights | null {
    setStatus(null);
    const { weights, errors: found } = validateWeights(form);
    setErrors(found);
    setFormError(found.weights ?? (weights ? null : 'Please correct the problems marked below.'));
    return weights;
  }

  function showServerErrors(e: unknown) {
    const found = weightFieldErrors(fieldErrors(e));
    setStatus(null);
    setErrors(found);
    // "Not all zero" is about the weights together, so it is the form's message.
    setFormError(found.weights ?? formErrorMessage(e, SHOWN_KEYS));
  }

  const preview = useMutation({
    // The saved weights are sent too, so both previews are computed from the same people now.
    mutationFn: async (weights: Weights) => {
      const [saved, edited] = await Promise.all([
        api.previewRound(programId, settings.weights),
        api.previewRound(programId, weights),
      ]);
      return { saved, edited };
    },
    onMutate: () => setComparison(null),
    onSuccess: (result) => {
      setComparison(result);
      setStatus('Preview ready; see the comparison below. Nothing was saved.');
    },
    onError: showServerErrors,
  });

  const save = useMutation({
    mutationFn: (weights: Weights) => api.updateMatchingSettings(programId, { weights, auto_match: autoMatch }),
    onSuccess: (saved) => {
      queryClient.setQueryData(matchingKeys.settings(programId), saved);
      setStatus(`Settings saved. Automatic matching is ${saved.auto_match ? 'on' : 'off'}.`);
    },
    onError: showServerErrors,
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const weights = checked();
    if (weights) save.mutate(weights);
  }

  function onPreview() {
    const weights = checked();
    if (weights) preview.mutate(weights);
  }

  function setWeight(key: WeightKey, value: string) {
    setForm((old) => ({ ...old, [key]: value }));
  }

  const busy = save.isPending || preview.isPending;
  return (
    <>
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="weights-heading">
        <FormError message={formError} />
        <fieldset className="choice-group">
          <legend>Weight of each part (0 to {MAX_WEIGHT})</legend>
          <div className="weights-grid">
            {WEIGHTS.map((w) => (
              <TextField
                key={w.key}
                label={w.label}
                name={`weight-${w.key}`}
                type="number"
                inputMode="decimal"
                min={0}
                max={MAX_WEIGHT}
                step={0.5}
                hint={`${w.meaning} Default ${DEFAULT_WEIGHTS[w.key]}.`}
                value={form[w.key]}
                onChange={(v) => setWeight(w.key, v)}
                error={errors[w.key]}
              />
            ))}
          </div>
        </fieldset>
        <CheckboxField
          label="Match automatically"
          checked={autoMatch}
          onChange={setAutoMatch}
          hint="Each time someone completes their questionnaire, run a round for the newcomers and propose its pairs to the people straight away, without a coordinator approving them first."
        />
        <div className="actions">
          <button type="button" className="button-secondary" onClick={onPreview} disabled={busy}>
            {preview.isPending ? 'Previewing…' : 'Preview effect'}
          </button>
          <button type="submit" disabled={busy}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
          <button
            type="button"
            className="button-link"
            onClick={() => {
              setForm(weightsToForm(DEFAULT_WEIGHTS));
              setErrors({});
              setFormError(null);
              setStatus('Default weights filled in; save to keep them.');
            }}
            disabled={busy}
          >
            Fill in the default weights
          </button>
        </div>
        <StatusMessage message={status} />
      </form>
      {comparison ? <ComparisonTable comparison={comparison} /> : null}
    </>
  );
}

function ComparisonTable({ comparison }: { comparison: Comparison }) {
  const saved = roundSummary(comparison.saved);
  const edited = roundSummary(comparison.edited);
  const rows: { label: string; before: number; after: number; score?: boolean }[] = [
    { label: 'Total score', before: saved.total, after: edited.total, score: true },
    { label: 'Mentees matched', before: saved.matched, after: edited.matched },
    { label: 'Mentees left unmatched', before: saved.unmatched, after: edited.unmatched },
  ];
  return (
    <div className="table-wrap subsection" role="region" aria-labelledby="comparison-caption" tabIndex={0}>
      <table>
        <caption id="comparison-caption">Effect of the edited weights (preview, not saved)</caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Saved weights</th>
            <th scope="col">Edited weights</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{r.score ? formatScore(r.before) : r.before}</td>
              <td>{r.score ? formatScore(r.after) : r.after}</td>
              <td>{formatChange(r.before, r.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

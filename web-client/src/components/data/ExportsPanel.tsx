// The "Exports" section: CSV files of the program for evaluation, as plain download links (the
// browser sends the session cookie). De-identified files replace people by stable pseudonyms
// and leave out names, emails and free text. Every export is written to the audit log.
import { useState } from 'react';
import { EXPORT_KINDS, exportUrl } from '../../api/programData';
import { CheckboxField } from '../forms';

export function ExportsPanel({ programId }: { programId: string }) {
  const [deidentified, setDeidentified] = useState(true);
  return (
    <section aria-labelledby="exports-heading">
      <h2 id="exports-heading">Exports</h2>
      <p>
        CSV files for evaluation. Message texts are never exported. Each download is recorded in the audit log.
      </p>
      <CheckboxField
        label="De-identified"
        checked={deidentified}
        onChange={setDeidentified}
        hint="Replace every person by a pseudonymous id (the same in every export of this program) and leave out names, emails and free text."
      />
      <ul className="export-list">
        {EXPORT_KINDS.map((k) => (
          <li key={k.value}>
            <a
              className="button button-secondary"
              href={exportUrl(programId, k.value, deidentified)}
              download={`${k.value}${deidentified ? '-deidentified' : ''}.csv`}
            >
              Download {k.label.toLowerCase()}
              {deidentified ? ' (de-identified)' : ''}
            </a>
            <span className="field-hint">{k.what}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

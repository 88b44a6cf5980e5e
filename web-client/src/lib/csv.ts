// A small RFC 4180 CSV reader, used to check an invitation file before it is uploaded so the
// coordinator hears about a wrong header at once. The server parses the file again and is the
// authority on each row.

/** Parses CSV text into rows of fields: quoted fields, doubled quotes, CRLF/LF, a leading BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        field += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else {
      field += ch;
    }
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines carry no data.
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

export const INVITATION_CSV_COLUMNS = ['name', 'email', 'role'] as const;

/**
 * Checks the header row of an invitation CSV. Returns a problem to show next to the file
 * input, or null when the file looks uploadable.
 */
export function invitationCsvProblem(text: string): string | null {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) return 'The file is empty.';
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = INVITATION_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    return `The first line must be the header "name,email,role" (missing: ${missing.join(', ')}).`;
  }
  if (rows.length < 2) return 'The file has a header but no people to invite.';
  return null;
}

/** Quotes one value for CSV output. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Serialises rows as CSV with CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

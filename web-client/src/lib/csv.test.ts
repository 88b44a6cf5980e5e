import { describe, expect, it } from 'vitest';
import { invitationCsvProblem, parseCsv, toCsv } from './csv';

describe('parseCsv', () => {
  it('parses quoted fields, doubled quotes, CRLF and a BOM', () => {
    const text = '\uFEFFname,email,role\r\n"Doe, Jane","jane@example.org",mentee\r\n"Say ""hi""",x@y.org,mentor\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'email', 'role'],
      ['Doe, Jane', 'jane@example.org', 'mentee'],
      ['Say "hi"', 'x@y.org', 'mentor'],
    ]);
  });

  it('keeps newlines inside quotes and skips blank lines', () => {
    expect(parseCsv('a,b\n\n"line1\nline2",c')).toEqual([
      ['a', 'b'],
      ['line1\nline2', 'c'],
    ]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,,c\n,,')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
  });
});

describe('invitationCsvProblem', () => {
  it('accepts a header in any order and case', () => {
    expect(invitationCsvProblem('Email, Name ,ROLE\nx@y.org,X,mentee\n')).toBeNull();
  });
  it('reports an empty file, a missing column and a file with no rows', () => {
    expect(invitationCsvProblem('')).toBe('The file is empty.');
    expect(invitationCsvProblem('name,email\nA,a@b.org')).toMatch(/missing: role/);
    expect(invitationCsvProblem('name,email,role\n')).toMatch(/no people/);
  });
});

describe('toCsv', () => {
  it('quotes only what needs quoting and round-trips', () => {
    const rows = [
      ['line', 'reason'],
      ['3', 'email "x" is invalid, sorry'],
    ];
    const text = toCsv(rows);
    expect(text).toBe('line,reason\r\n3,"email ""x"" is invalid, sorry"\r\n');
    expect(parseCsv(text)).toEqual(rows);
  });
});

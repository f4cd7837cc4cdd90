// The file of an asynchronous report, as CSV or JSON. Pure: rows in, bytes out.
import type { ReportRow } from './report-rows.js';

export type ReportFormat = 'JSON' | 'CSV';

/** A report line: its entity's id (what JSON groups by) and its columns. */
export interface FileRow {
  key: string;
  row: ReportRow;
}

/**
 * A CSV cell: text is quoted when it holds a comma, quote or line break; text that a spreadsheet would
 * run as a formula (starting with =, +, -, @) gets a leading apostrophe, since names are the
 * advertiser's free text. Numbers print as JavaScript prints them (integers exactly).
 */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header: every column any row has, in first-seen order (key and period columns come first in rows). */
function header(rows: readonly FileRow[], columns: readonly string[]): string[] {
  const seen: string[] = [];
  for (const { row } of rows) for (const k of Object.keys(row)) if (!seen.includes(k)) seen.push(k);
  for (const c of columns) if (!seen.includes(c)) seen.push(c);
  return seen;
}

/**
 * The report file. CSV: a header line and one line per row (CRLF, as RFC 4180). JSON: an object keyed
 * by entity id, each an array of that entity's rows, as Pinterest's JSON reports are.
 */
export function renderReport(
  format: ReportFormat,
  rows: readonly FileRow[],
  columns: readonly string[],
): { bytes: Buffer; contentType: string } {
  if (format === 'CSV') {
    const head = header(rows, columns);
    const lines = [head.map(cell).join(',')];
    for (const { row } of rows) lines.push(head.map((h) => cell(row[h])).join(','));
    return { bytes: Buffer.from(`${lines.join('\r\n')}\r\n`), contentType: 'text/csv; charset=utf-8' };
  }
  const byKey = new Map<string, ReportRow[]>();
  for (const { key, row } of rows) {
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return { bytes: Buffer.from(JSON.stringify(Object.fromEntries(byKey))), contentType: 'application/json' };
}

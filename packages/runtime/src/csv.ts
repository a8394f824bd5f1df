// CSV for downloads (usage reports, audit exports): one home, so every export defuses formulas the same way.
// A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted when it holds a quote, comma or line break, quotes doubled; formulas defused. */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 records, CRLF after each: a part of a CSV streamed in pieces. */
export function csvRecords(rows: (string | number)[][]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** RFC 4180: CRLF after every record, the header included. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return csvRecords([header, ...rows]);
}

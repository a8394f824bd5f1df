import { readFileSync } from 'node:fs';

/** The first column of a README's error table(s) starts with this header cell. */
const HEADER = 'error code';

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

/**
 * The codes a README documents: the first-column `code` of every Markdown table whose first header cell is
 * "Error code", in order (a code listed twice appears twice, so a test comparing lists catches it).
 */
export function errorCodesInMarkdown(markdown: string): string[] {
  const codes: string[] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.trim().startsWith('|')) {
      inTable = false;
      continue;
    }
    const first = cells(line)[0] ?? '';
    if (!inTable) {
      inTable = first.toLowerCase() === HEADER;
      continue;
    }
    if (/^:?-+:?$/.test(first)) continue;
    const code = /^`([a-z0-9_]+)`$/.exec(first);
    if (!code) throw new Error(`error table row without a single \`code\` in its first cell: ${line.trim()}`);
    codes.push(code[1]);
  }
  return codes;
}

/** errorCodesInMarkdown of a file. */
export function errorCodesInReadme(file: string): string[] {
  return errorCodesInMarkdown(readFileSync(file, 'utf8'));
}

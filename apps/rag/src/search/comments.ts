import type { Language } from '../chunking/languages';

/**
 * Comment syntax per language. Doc comments are where code explains itself in the words people ask in ("a
 * fixed-size queue that drops the oldest element"), so the index weighs comment words above code words; this
 * only needs to find them, not to parse: a `//` inside a string literal counting as a comment costs little.
 */
const BLOCK = /\/\*[\s\S]*?\*\//g;
const COMMENTS: Record<Language, RegExp | undefined> = {
  java: new RegExp(`${BLOCK.source}|//[^\\n]*`, 'g'),
  kotlin: new RegExp(`${BLOCK.source}|//[^\\n]*`, 'g'),
  typescript: new RegExp(`${BLOCK.source}|//[^\\n]*`, 'g'),
  javascript: new RegExp(`${BLOCK.source}|//[^\\n]*`, 'g'),
  go: new RegExp(`${BLOCK.source}|//[^\\n]*`, 'g'),
  python: /"""[\s\S]*?"""|'''[\s\S]*?'''|#[^\n]*/g,
  sql: new RegExp(`${BLOCK.source}|--[^\\n]*`, 'g'),
  text: undefined,
};

/** `text` split into its comments and the rest (code); a language without comment syntax is all code. */
export function splitComments(text: string, language: Language): { comments: string; code: string } {
  const pattern = COMMENTS[language];
  if (!pattern) return { comments: '', code: text };
  const comments: string[] = [];
  const code = text.replace(pattern, (comment) => {
    comments.push(comment);
    return ' ';
  });
  return { comments: comments.join('\n'), code };
}

'use strict';
// (a) The plain keyword baseline: what a developer gets from `grep -ci` per word of the question. A file's score
// is the sum, over the question's words, of the number of its lines containing the word (case-insensitive
// substring, like grep); files tie-break by path. No stemming, no weights, no knowledge of code.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// English function words a person would not grep for. A fixed list, written with the baseline and not adjusted to
// the questions; Korean gets none (its particles stick to the words, which then rarely occur in code anyway).
const STOPWORDS = new Set(
  ('a an and are as at be by can do does for from get has have how i if in into is it its me my of on or so such ' +
    'that the their them then there these this to too use was what when where which who why will with without ' +
    'you your').split(' '),
);

/** The question's distinct words worth grepping for: letters/digits runs of 2+ characters, lower-cased. */
function queryTerms(question) {
  const words = question.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return [...new Set(words)].filter((w) => w.length >= 2 && !STOPWORDS.has(w));
}

/** Number of lines of `lines` containing `term`. */
function countLines(lines, term) {
  let n = 0;
  for (const line of lines) if (line.includes(term)) n++;
  return n;
}

function keywordRetriever() {
  let files = [];
  return {
    name: 'keyword (grep -c per word)',
    async prepare(corpus) {
      files = corpus.files.map((path) => ({ path, lines: readFileSync(join(corpus.dir, path), 'utf8').toLowerCase().split('\n') }));
    },
    async search(question, k) {
      const terms = queryTerms(question);
      return files
        .map((f) => ({ path: f.path, score: terms.reduce((s, t) => s + countLines(f.lines, t), 0) }))
        .filter((f) => f.score > 0)
        .sort((x, y) => y.score - x.score || (x.path < y.path ? -1 : 1))
        .slice(0, k)
        .map((f) => f.path);
    },
    async close() {},
  };
}

module.exports = { keywordRetriever, queryTerms };

'use strict';
// Ranking metrics over files. A retriever may return chunks (several per file): a file ranks where its first
// chunk ranks, so a file that fills the top five with its chunks counts once and leaves room for no other.

/** Distinct paths in the order they first appear. */
function rankFiles(paths) {
  return [...new Set(paths)];
}

/** Share of the expected files among the first k ranked ones (1 when all are there). */
function recallAt(ranked, expected, k) {
  if (expected.length === 0) throw new Error('a question needs at least one expected file');
  const top = new Set(ranked.slice(0, k));
  return expected.filter((p) => top.has(p)).length / expected.length;
}

/** 1/rank of the first expected file within the first k, 0 when none is there. */
function reciprocalRankAt(ranked, expected, k) {
  const want = new Set(expected);
  const i = ranked.slice(0, k).findIndex((p) => want.has(p));
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Recall@5 and MRR@10 of one ranked list against its question's expected files. */
function scoreQuestion(ranked, expected) {
  return { recall5: recallAt(ranked, expected, 5), rr10: reciprocalRankAt(ranked, expected, 10) };
}

/** Means over questions; NaN for none (a group the question set does not have). */
function mean(scores) {
  const avg = (key) => (scores.length === 0 ? NaN : scores.reduce((s, x) => s + x[key], 0) / scores.length);
  return { recall5: avg('recall5'), mrr10: avg('rr10'), n: scores.length };
}

module.exports = { rankFiles, recallAt, reciprocalRankAt, scoreQuestion, mean };

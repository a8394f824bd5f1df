'use strict';
// The Code RAG service indexes Git repositories, so the evaluation hands it the code base as one: a bare
// repository beside the unpacked sources with a single commit of every .java file (fixed author and date, so the
// same sources give the same commit), served to the service as a file:// URL.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');

const BRANCH = 'main';
const COMMIT_ENV = {
  GIT_AUTHOR_NAME: 'bench-rag',
  GIT_AUTHOR_EMAIL: 'bench-rag@localhost',
  GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'bench-rag',
  GIT_COMMITTER_EMAIL: 'bench-rag@localhost',
  GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
};

/** Creates `<corpus dir>.git` once; returns its file:// URL and branch. */
function ensureGitRepository(corpus) {
  const gitDir = `${corpus.dir}.git`;
  const git = (args) => execFileSync('git', ['--git-dir', gitDir, '--work-tree', corpus.dir, ...args], { env: { ...process.env, ...COMMIT_ENV }, stdio: ['ignore', 'pipe', 'inherit'] });
  if (!existsSync(gitDir)) {
    execFileSync('git', ['init', '-q', '--bare', '-b', BRANCH, gitDir]);
    git(['add', '--', '*.java']);
    git(['commit', '-q', '-m', `Guava ${corpus.version} sources`]);
  }
  return { url: `file://${gitDir}`, branch: BRANCH, commit: git(['rev-parse', BRANCH]).toString().trim() };
}

module.exports = { ensureGitRepository };

'use strict';
// (b) The Code RAG service (apps/rag) through its Query RPC, as the gateway calls it. The evaluation starts a
// mesh of its own on free ports, registers the code base's Git repository in a project as the indexer service
// account, indexes it (a full run) and asks each question as a developer of that project. The service returns
// chunks; metrics.rankFiles turns them into files, so 50 chunks (the RPC's maximum) give the top 10 files.
const { ensureGitRepository } = require('../git-repository');

const TENANT = 'bench';
const PROJECT = 'guava';
const REPOSITORY = 'guava';
const INDEXER = { tenantId: TENANT, userId: 'svc-bench-indexer', projectIds: [PROJECT], roles: ['rag-indexer'], kind: 'service_account' };
const DEVELOPER = { tenantId: TENANT, userId: 'bench-developer', projectIds: [PROJECT], roles: ['developer'], kind: 'user' };
const MAX_TOP_K = 50;
const MESH = 'bench-rag';
const INDEX_DEADLINE_MS = 30 * 60_000;
const log = (line) => process.stderr.write(`[bench-rag] ${line}\n`);

/** Promise form of a generated unary method, with a deadline. */
function call(client, method, request, deadlineMs = 30_000) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The contract's client, or undefined in a checkout built before airlock.rag.v1 existed. */
function ragClientConstructor() {
  return require('@airlock/contracts').airlock.rag?.v1.RagServiceClient;
}

/**
 * Starts the mesh `name` (`extraEnv`: variables for its services) and registers `repo` ({ url, branch }) in the
 * project as the indexer; returns the RagService client.
 */
async function startSession(repo, { name = MESH, extraEnv } = {}) {
  const { operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
  const mesh = await startMesh({ name, ports: 'free', logLevel: 'warn', log, extraEnv });
  try {
    if (!mesh.services.rag) throw new Error('the mesh started no rag service (tools/cli service-env does not list it)');
    const Client = ragClientConstructor();
    const client = new Client(`127.0.0.1:${mesh.services.rag.grpc}`, operatorCredentials(mesh));
    // The repositories hold .java files only, so no path rules.
    const repository = { tenantId: TENANT, projectId: PROJECT, name: REPOSITORY, url: repo.url, branch: repo.branch, includeGlobs: [], excludeGlobs: [], lastIndexedCommit: '' };
    await call(client, 'registerRepository', { caller: INDEXER, repository });
    return client;
  } catch (err) {
    await stopMesh(name);
    throw err;
  }
}

/** One index run (full the first time, incremental after); returns the run and its wall time in seconds. */
async function indexRepository(client) {
  const t0 = performance.now();
  const { run } = await call(client, 'indexRepository', { caller: INDEXER, projectId: PROJECT, name: REPOSITORY }, INDEX_DEADLINE_MS);
  const seconds = (performance.now() - t0) / 1000;
  log(`indexed ${run.filesIndexed} files into ${run.chunksStored} chunks (DLP masked ${run.chunksMasked}, blocked ${run.chunksBlocked}) at ${run.toCommit.slice(0, 12)} in ${seconds.toFixed(1)} s`);
  return { run, seconds };
}

/** The paths of the chunks the service returns for `question`, asked as a developer of the project. */
async function query(client, question, topK = MAX_TOP_K) {
  const res = await call(client, 'query', { caller: DEVELOPER, query: question, topK, projectId: PROJECT });
  return res.results.map((r) => r.path);
}

async function stopSession(client, name = MESH) {
  client.close();
  await require('@airlock/cli').stopMesh(name);
}

/** The service as deployed: full-text ranking plus symbol boosting (QueryRequest has no ranking option). */
function ragRetriever() {
  let client;
  return {
    name: 'Code RAG service (Query RPC)',
    unavailable() {
      if (!ragClientConstructor()) return 'this checkout has no airlock.rag.v1 contract (apps/rag is not here yet)';
      return undefined;
    },
    async prepare(corpus) {
      client = await startSession(ensureGitRepository(corpus));
      await indexRepository(client);
    },
    search: (question) => query(client, question),
    async close() {
      // A failed prepare stopped the mesh itself (startSession).
      if (client) await stopSession(client);
    },
  };
}

module.exports = { ragRetriever, ragClientConstructor, startSession, indexRepository, query, stopSession };

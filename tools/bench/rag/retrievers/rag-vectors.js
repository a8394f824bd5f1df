'use strict';
// (c) The Code RAG service with dense vectors: the same mesh and Query RPC as (b), with rag's embeddings backend
// (RAG_EMBEDDINGS_URL) pointed at a real embedding model on this machine (../embeddings.js: all-MiniLM-L6-v2 from
// PyPI, English, 384 dimensions). Every chunk is embedded at index time; a question's lexical candidates and the
// chunks nearest to its vector are fused by rank (apps/rag/src/search/rank-fusion.ts).
const { freePort } = require('@airlock/testing');
const { ensureGitRepository } = require('../git-repository');
const { startEmbeddings } = require('../embeddings');
const { indexRepository, query, ragClientConstructor, startSession, stopSession } = require('./rag');

const MESH = 'bench-rag-vectors';
const log = (line) => process.stderr.write(`[bench-rag] ${line}\n`);

function ragVectorsRetriever() {
  let client;
  let embeddings;
  return {
    name: 'Code RAG service + vectors (all-MiniLM-L6-v2)',
    unavailable() {
      if (!ragClientConstructor()) return 'this checkout has no airlock.rag.v1 contract (apps/rag is not here yet)';
      return undefined;
    },
    async prepare(corpus) {
      embeddings = await startEmbeddings({ port: await freePort(), log });
      const rag = { RAG_EMBEDDINGS_URL: embeddings.url, RAG_EMBEDDINGS_MODEL: embeddings.model, RAG_EMBEDDINGS_DIMENSIONS: String(embeddings.dimensions) };
      client = await startSession(ensureGitRepository(corpus), { name: MESH, extraEnv: { rag } });
      await indexRepository(client);
    },
    search: (question) => query(client, question),
    async close() {
      if (client) await stopSession(client, MESH);
      await embeddings?.stop();
    },
  };
}

module.exports = { ragVectorsRetriever };

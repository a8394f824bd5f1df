import { Module } from '@nestjs/common';
import { RepositoriesApiController } from './api/repositories-api.controller';
import { RagAudit } from './audit/rag-audit';
import { SyntaxDeclarations } from './chunking/syntax-declarations';
import { ChunkScanner } from './dlp/chunk-scanner';
import { EmbeddingsClient } from './embeddings/embeddings-client';
import { BackfillVectors } from './indexing/backfill-vectors';
import { GitSource } from './indexing/git-source';
import { HandlePush } from './indexing/handle-push.usecase';
import { IndexDocuments } from './indexing/index-documents.usecase';
import { IndexRepository } from './indexing/index-repository.usecase';
import { Ingest } from './indexing/ingest';
import { Poller } from './indexing/poller';
import { RegisterRepository } from './indexing/register-repository.usecase';
import { Query } from './query/query.usecase';
import { RagController } from './rag.controller';
import { RagStore } from './store/rag-store';
import { PushWebhookController } from './webhook/push-webhook.controller';

@Module({
  controllers: [RagController, RepositoriesApiController, PushWebhookController],
  providers: [
    // The grammars load once, before the first index run can start.
    { provide: SyntaxDeclarations, useFactory: () => SyntaxDeclarations.load() },
    RagStore,
    RagAudit,
    ChunkScanner,
    EmbeddingsClient,
    GitSource,
    Ingest,
    BackfillVectors,
    Query,
    RegisterRepository,
    IndexRepository,
    IndexDocuments,
    HandlePush,
    Poller,
  ],
})
export class AppModule {}

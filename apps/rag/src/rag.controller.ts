import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { HandlePush } from './indexing/handle-push.usecase';
import { IndexDocuments } from './indexing/index-documents.usecase';
import { IndexRepository } from './indexing/index-repository.usecase';
import { RegisterRepository } from './indexing/register-repository.usecase';
import { Query } from './query/query.usecase';

@Controller()
export class RagController {
  constructor(
    private readonly query: Query,
    private readonly register: RegisterRepository,
    private readonly indexRepository: IndexRepository,
    private readonly indexDocuments: IndexDocuments,
    private readonly push: HandlePush,
  ) {}

  @GrpcMethod('RagService', 'Query')
  ask(request: airlock.rag.v1.QueryRequest): Promise<airlock.rag.v1.QueryResponse> {
    return this.query.execute(request);
  }

  @GrpcMethod('RagService', 'RegisterRepository')
  registerRepository(request: airlock.rag.v1.RegisterRepositoryRequest): Promise<airlock.rag.v1.RegisterRepositoryResponse> {
    return this.register.execute(request);
  }

  @GrpcMethod('RagService', 'IndexRepository')
  index(request: airlock.rag.v1.IndexRepositoryRequest): Promise<airlock.rag.v1.IndexRepositoryResponse> {
    return this.indexRepository.execute(request);
  }

  @GrpcMethod('RagService', 'IndexDocuments')
  documents(request: airlock.rag.v1.IndexDocumentsRequest): Promise<airlock.rag.v1.IndexDocumentsResponse> {
    return this.indexDocuments.execute(request);
  }

  @GrpcMethod('RagService', 'HandlePush')
  handlePush(request: airlock.rag.v1.HandlePushRequest): Promise<airlock.rag.v1.HandlePushResponse> {
    return this.push.execute(request);
  }
}

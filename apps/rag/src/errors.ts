import { isAuthenticationFailure } from '@airlock/postgres';
import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the rag service raises; the README's error table lists exactly these (errors.spec.ts). */
export const RAG_ERROR_CODES = [
  'rag_caller_required',
  'rag_query_required',
  'rag_invalid_top_k',
  'rag_invalid_repository',
  'rag_indexer_required',
  'rag_repository_not_found',
  'rag_git_failed',
  'rag_index_superseded',
  'rag_dlp_unavailable',
  'rag_embeddings_unavailable',
  'rag_webhook_unauthorized',
  'rag_store_unavailable',
  'rag_store_auth_failed',
] as const;
export type RagErrorCode = (typeof RAG_ERROR_CODES)[number];

export class CallerRequiredError extends InvalidArgumentError<RagErrorCode> {
  constructor() {
    super('rag_caller_required', 'caller with tenant_id and user_id is required');
  }
}

export class QueryRequiredError extends InvalidArgumentError<RagErrorCode> {
  constructor() {
    super('rag_query_required', 'query must hold at least one word');
  }
}

export class InvalidTopKError extends InvalidArgumentError<RagErrorCode> {
  constructor() {
    super('rag_invalid_top_k', 'top_k must be from 1 to 50');
  }
}

/** A repository's name, URL, branch or path globs are unusable; `what` says which. */
export class InvalidRepositoryError extends InvalidArgumentError<RagErrorCode> {
  constructor(what: string) {
    super('rag_invalid_repository', what);
  }
}

/** Registering and indexing belong to the indexer service account (role `rag-indexer`), not to people. */
export class IndexerRequiredError extends AppError<RagErrorCode> {
  constructor() {
    super('rag_indexer_required', 'only the indexer service account may index', { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class RepositoryNotFoundError extends AppError<RagErrorCode> {
  constructor() {
    super('rag_repository_not_found', 'no such repository in this project', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** `git` failed to fetch or read (unreachable server, refused credentials, unknown branch); the index is unchanged. */
export class GitFailedError extends DependencyUnavailableError<RagErrorCode> {
  constructor(what: string, cause?: unknown) {
    super('rag_git_failed', what, cause);
  }
}

/** Other runs of the repository kept moving its indexed commit while this one worked: retryable. */
export class IndexSupersededError extends AppError<RagErrorCode> {
  constructor() {
    super('rag_index_superseded', 'the repository was indexed concurrently; try again', { httpStatus: 409, grpcStatus: GrpcStatus.ABORTED, retryable: true });
  }
}

/** DLP could not scan the chunks: nothing is stored unscanned, so the run stops and the index is unchanged. */
export class DlpUnavailableError extends DependencyUnavailableError<RagErrorCode> {
  constructor(cause: unknown) {
    super('rag_dlp_unavailable', 'DLP unavailable: nothing was indexed', cause);
  }
}

/**
 * The embeddings backend (RAG_EMBEDDINGS_URL) failed while indexing: chunks are not stored without their vectors,
 * so the run stops and the index is unchanged. (A query whose question cannot be embedded uses lexical search.)
 */
export class EmbeddingsUnavailableError extends DependencyUnavailableError<RagErrorCode> {
  constructor(cause: unknown) {
    super('rag_embeddings_unavailable', 'embeddings backend unavailable: nothing was indexed', cause);
  }
}

export class WebhookUnauthorizedError extends AppError<RagErrorCode> {
  constructor() {
    super('rag_webhook_unauthorized', 'the push webhook secret does not match', { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

/** PostgreSQL is unreachable: retryable. */
export class RagStoreUnavailableError extends DependencyUnavailableError<RagErrorCode> {
  constructor(cause: unknown) {
    super('rag_store_unavailable', 'rag store unavailable', cause);
  }
}

/** PostgreSQL refused rag's role (wrong or rotated password, no pg_hba.conf entry): credentials to fix, not a quick retry. */
export class RagStoreAuthFailedError extends AppError<RagErrorCode> {
  constructor(cause: unknown) {
    super('rag_store_auth_failed', 'the rag store refused the service credentials', { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

/** The store's failure as the typed error callers get: a refused login, or the store unreachable. */
export function ragStoreError(cause: unknown): RagStoreAuthFailedError | RagStoreUnavailableError {
  return isAuthenticationFailure(cause) ? new RagStoreAuthFailedError(cause) : new RagStoreUnavailableError(cause);
}

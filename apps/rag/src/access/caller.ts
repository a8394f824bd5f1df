import type { airlock } from '@airlock/contracts';
import { INDEXER_ROLE } from '../config';
import { CallerRequiredError, IndexerRequiredError } from '../errors';

export type Caller = airlock.rag.v1.Caller;

/** The request's caller, which every RPC needs (the tenant scopes everything it sees or changes). */
export function requireCaller(caller: Caller | undefined): Caller {
  if (!caller?.tenantId || !caller.userId) throw new CallerRequiredError();
  return caller;
}

/**
 * Registering and indexing are for the indexer service account: a service-account identity with role `rag-indexer`
 * (issued by the identity service like any other credential, so it is revocable and audited as one), never a
 * person, whatever roles a person holds.
 */
export function requireIndexer(caller: Caller | undefined): Caller {
  const c = requireCaller(caller);
  if (c.kind !== 'service_account' || !c.roles.includes(INDEXER_ROLE)) throw new IndexerRequiredError();
  return c;
}

/** Projects a query may read: the caller's, narrowed to `only` when given (another project gives none). */
export function readableProjects(caller: Caller, only: string): string[] {
  const mine = [...new Set(caller.projectIds.filter((p) => p.length > 0))];
  return only ? mine.filter((p) => p === only) : mine;
}

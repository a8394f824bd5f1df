import { AppError, GrpcStatus } from '@airlock/runtime';

/** A path under /assets/ that the build did not make (an old hash after a deployment, or a guess). */
export class AssetNotFoundError extends AppError {
  constructor() {
    super('asset_not_found', 'no such asset', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** A path that is neither a page nor an asset, asked for by something other than a browser navigation. */
export class PageNotFoundError extends AppError {
  constructor() {
    super('not_found', 'no such page', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

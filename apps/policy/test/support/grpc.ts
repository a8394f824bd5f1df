import { Metadata } from '@airlock/grpc';

type ServiceError = Error & { code: number; details: string; metadata?: Metadata };
type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: object, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** A unary call carrying `authorization: Bearer <token>` (none when `token` is undefined, `raw` sent as is). */
export function callAs<Req, Res>(credential: { token?: string; raw?: string }, method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
  const metadata = new Metadata();
  const value = credential.raw ?? (credential.token === undefined ? undefined : `Bearer ${credential.token}`);
  if (value !== undefined) metadata.set('authorization', value);
  return new Promise((resolve, reject) => method(request, metadata, {}, (error, response) => (error ? reject(error) : resolve(response))));
}

/** How a call failed: the gRPC status and the platform's `x-error-code` trailer. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: number; errorCode: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (e: ServiceError) => e,
  );
  if (!error) throw new Error('the call succeeded');
  return { code: error.code, errorCode: String(error.metadata?.get('x-error-code')[0] ?? ''), message: error.details };
}

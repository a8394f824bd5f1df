import { z } from '@airlock/config';
import { InvalidRequestError } from '../gateway.errors';

export type Json = Record<string, unknown>;

/** Field schemas for client bodies. Each message completes "<field> …": `messages[0].content must be a string`. */
export const field = {
  string: () => z.string({ error: 'must be a string' }),
  number: () => z.number({ error: 'must be a number' }),
  boolean: () => z.boolean({ error: 'must be a boolean' }),
  object: () => z.looseObject({}, { error: 'must be an object' }),
  nonEmptyArray: <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be a non-empty array' }).min(1, { error: 'must be a non-empty array' }),
};

/** `schema`, or absent: null and a missing field both read as undefined (clients send null for unset fields). */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}

/** A JSON object body; fields outside `shape` are kept (the OpenAI surface passes them on to the backend). */
export function bodyObject<S extends z.ZodRawShape>(shape: S) {
  return z.looseObject(shape, { error: 'must be a JSON object' });
}

/** `messages[0].content`, as the client wrote it; '' for the body itself. */
function fieldName(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** The body as `schema` reads it, or 400 `invalid_request` naming every field that is wrong. */
export function parseBody<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError(parsed.error.issues.map((issue) => `${fieldName(issue.path) || 'the body'} ${issue.message}`).join('; '));
}

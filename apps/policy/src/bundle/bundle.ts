import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from '@airlock/config';

/** The bundle shipped with the service, used when POLICY_BUNDLE_FILE is not set. */
export const DEFAULT_BUNDLE_FILE = path.join(__dirname, '..', 'bundles', 'default.json');

export const principalKind = z.enum(['user', 'service_account']);
export type PrincipalKindName = z.infer<typeof principalKind>;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-"');
// Versions, backends and models travel as HTTP headers: keep them to token characters.
const headerToken = z.string().regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'letters, digits, ".", "_", ":", "/" or "-" (at most 64)');
const pathPrefix = z
  .string()
  .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must start with "/" and contain only unreserved path characters')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..') && !p.includes('//'), 'must be a canonical path');

const rule = z.strictObject({
  id: ruleId,
  description: z.string().optional(),
  match: z.strictObject({
    /** Segment-aware: "/v1/chat" matches "/v1/chat" and "/v1/chat/completions", not "/v1/chatty". */
    pathPrefix,
    /** Omitted: any method. */
    methods: z.array(z.enum(HTTP_METHODS)).min(1).optional(),
  }),
  /** Allowed when the principal's kind is listed and it holds at least one of the roles. */
  allow: z.strictObject({
    kinds: z.array(principalKind).min(1),
    roles: z.array(z.string().min(1)).min(1),
  }),
  /** Where an allowed request goes; chosen here, never by the client. */
  route: z.strictObject({ backend: headerToken, model: headerToken }).optional(),
});
export type PolicyRule = z.infer<typeof rule>;

export const policyBundle = z
  .strictObject({
    version: headerToken,
    description: z.string().optional(),
    /** Applies when no rule matches the endpoint and method: always a deny. */
    defaultRule: z.strictObject({ id: ruleId, reasonCode: z.string().regex(/^[a-z][a-z0-9_]*$/) }),
    rules: z.array(rule).min(1),
  })
  .superRefine((bundle, ctx) => {
    const seen = new Set([bundle.defaultRule.id]);
    bundle.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
    });
  });
export type PolicyBundle = z.infer<typeof policyBundle>;

export class InvalidBundleError extends Error {}

/** Reads and validates a bundle file; the error names the file and every problem with its JSON path. */
export function loadBundleFile(file: string): PolicyBundle {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidBundleError(`${file}: ${(error as Error).message}`);
  }
  const parsed = policyBundle.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidBundleError(`${file}: invalid policy bundle: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The POLICY_BUNDLE_FILE variable, loaded and validated with the rest of the configuration, so an invalid
 * bundle stops the boot (exit 78) naming the variable and the problem before any server starts.
 */
export const bundleFileVariable = () =>
  z
    .string()
    .min(1)
    .optional()
    .transform((file, ctx) => {
      try {
        const path = file ?? DEFAULT_BUNDLE_FILE;
        return { path, bundle: loadBundleFile(path) };
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

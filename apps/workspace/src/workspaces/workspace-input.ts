import { randomBytes } from 'node:crypto';
import { WorkspaceInvalidArgumentError } from './workspace.errors';

/** Tenant, project and user ids: short, lowercase, safe in paths, labels and DNS-ish names downstream. */
export const RESOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `ws_` + 20 lowercase base32 characters (100 random bits); hex is accepted for ids minted elsewhere. */
export const WORKSPACE_ID_PATTERN = /^ws_[a-z0-9]{20}$/;

/**
 * An OCI-style image reference (name, optional registry/path, tag or digest). Only its shape is checked:
 * no whitespace or shell metacharacters reach a driver. Which images are allowed is not decided here yet.
 */
export const IMAGE_PATTERN =
  /^(?:[a-z0-9][a-z0-9.-]{0,252}(?::\d{1,5})?\/)?[a-z0-9][a-z0-9._/-]{0,199}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newWorkspaceId(): string {
  // 256 is a multiple of 32, so masking each byte keeps every character uniformly likely.
  const bytes = randomBytes(20);
  let id = 'ws_';
  for (const byte of bytes) id += BASE32[byte & 31];
  return id;
}

/** Returns the id unchanged, or throws INVALID_ARGUMENT naming the field. */
export function requireResourceId(field: string, value: string): string {
  if (value === '') throw new WorkspaceInvalidArgumentError(field, 'is required');
  if (!RESOURCE_ID_PATTERN.test(value)) {
    throw new WorkspaceInvalidArgumentError(field, `must match ${RESOURCE_ID_PATTERN.source}`);
  }
  return value;
}

export function requireWorkspaceId(value: string): string {
  if (value === '') throw new WorkspaceInvalidArgumentError('workspace_id', 'is required');
  if (!WORKSPACE_ID_PATTERN.test(value)) throw new WorkspaceInvalidArgumentError('workspace_id', `must match ${WORKSPACE_ID_PATTERN.source}`);
  return value;
}

/** The requested image, or the default when the request leaves it empty. */
export function resolveImage(requested: string, fallback: string): string {
  const image = requested === '' ? fallback : requested;
  if (!IMAGE_PATTERN.test(image)) throw new WorkspaceInvalidArgumentError('image', 'is not a valid image reference');
  return image;
}

/** A requested size: 0 selects the default; anything else must be a positive whole number. */
export function requireSize(field: string, value: number, fallback: number): number {
  if (value === 0) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new WorkspaceInvalidArgumentError(field, 'must be a positive whole number');
  return value;
}

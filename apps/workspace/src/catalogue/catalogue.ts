import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from '@airlock/config';

const SHA256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a lowercase hex SHA-256');
const VERSION = z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'expected a semantic version');
/** `workspace-base:YYYY.MM.DD-buildN` (derived images, e.g. workspace-java, follow the same pattern). */
export const CATALOGUE_IMAGE = /^workspace-[a-z0-9]+:\d{4}\.\d{2}\.\d{2}-build\d+$/;

const extensionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/, 'expected publisher.name in lowercase'),
  version: VERSION,
  sha256: SHA256,
  file: z.string().regex(/^[A-Za-z0-9._-]+\.vsix$/, 'expected a bare .vsix file name'),
});

const imageSchema = z.object({
  image: z.string().regex(CATALOGUE_IMAGE, 'expected workspace-<name>:YYYY.MM.DD-buildN'),
  /** Digest of the pushed image manifest; pinned into the pull reference once known. */
  digest: z
    .string()
    .regex(/^sha256:[a-f0-9]{64}$/)
    .optional(),
  codeServer: z.object({ version: VERSION, sha256: SHA256 }),
  opencode: z.object({ version: VERSION, sha256: SHA256 }),
  extensions: z.array(extensionSchema).default([]),
});

const indexSchema = z.object({
  current: z.string().regex(CATALOGUE_IMAGE),
  canary: z.string().regex(CATALOGUE_IMAGE).nullish(),
});

export type CatalogueExtension = z.infer<typeof extensionSchema>;
export type CatalogueImage = z.infer<typeof imageSchema>;

export class CatalogueError extends Error {
  constructor(message: string) {
    super(`image catalogue: ${message}`);
    this.name = 'CatalogueError';
  }
}

/**
 * The approved workspace images and what each pins (code-server, opencode, every VSIX by version and
 * SHA-256). Loaded once at boot from `index.yaml` + `images/*.yaml`; a malformed catalogue stops the boot.
 */
export class ImageCatalogue {
  private readonly byImage: ReadonlyMap<string, CatalogueImage>;

  constructor(
    images: CatalogueImage[],
    readonly current: string,
    readonly canary: string | undefined,
  ) {
    const byImage = new Map<string, CatalogueImage>();
    for (const image of images) {
      if (byImage.has(image.image)) throw new CatalogueError(`${image.image} is catalogued twice`);
      const ids = new Set<string>();
      for (const ext of image.extensions) {
        if (ids.has(ext.id)) throw new CatalogueError(`${image.image} pins ${ext.id} twice`);
        ids.add(ext.id);
      }
      byImage.set(image.image, image);
    }
    for (const [role, name] of [['current', current], ['canary', canary]] as const) {
      if (name !== undefined && !byImage.has(name)) throw new CatalogueError(`${role} image ${name} is not catalogued`);
    }
    this.byImage = byImage;
  }

  static load(dir: string): ImageCatalogue {
    const index = parseFile(path.join(dir, 'index.yaml'), indexSchema);
    const imagesDir = path.join(dir, 'images');
    const images = readdirSync(imagesDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => parseFile(path.join(imagesDir, f), imageSchema));
    return new ImageCatalogue(images, index.current, index.canary ?? undefined);
  }

  get images(): CatalogueImage[] {
    return [...this.byImage.values()];
  }

  find(image: string): CatalogueImage | undefined {
    return this.byImage.get(image);
  }

  /**
   * The image a new workspace gets. A user is in the canary share or not by a hash of who they are, so the
   * same user lands on the same image on every create while the share stays unchanged.
   */
  imageFor(tenantId: string, userId: string, canaryPercent: number): string {
    if (this.canary === undefined || canaryPercent <= 0) return this.current;
    return canaryBucket(tenantId, userId) < canaryPercent ? this.canary : this.current;
  }
}

/** 0-99, uniform over users, stable for one user. */
export function canaryBucket(tenantId: string, userId: string): number {
  return createHash('sha256').update(`${tenantId}/${userId}`).digest().readUInt32BE(0) % 100;
}

/** Where a catalogued image is pulled from: registry prefix, and the digest when the catalogue pins it. */
export function pullReference(image: CatalogueImage, registry: string): string {
  const name = registry ? `${registry.replace(/\/+$/, '')}/${image.image}` : image.image;
  return image.digest ? `${name}@${image.digest}` : name;
}

function parseFile<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogueError(`${path.basename(file)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogueError(`${path.basename(file)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

import path from 'node:path';
import type { CatalogueExtension, CatalogueImage } from './catalogue';
import { sha256File } from './catalogue';
import { ExtensionHashMismatchError, ExtensionNotAllowedError, ExtensionUnavailableError } from '../workspaces/workspace.errors';

/**
 * The VSIX allowlist: an extension is installable only if the workspace's image catalogues it (id and
 * version) and the file in the extension store hashes to the catalogued SHA-256. Everything else throws a
 * typed error the caller audits.
 */
export async function verifyExtension(image: Pick<CatalogueImage, 'image' | 'extensions'>, extensionId: string, version: string, vsixDir: string): Promise<CatalogueExtension> {
  const entry = image.extensions.find((e) => e.id === extensionId);
  if (!entry) throw new ExtensionNotAllowedError(extensionId, version, image.image, 'not catalogued for this image');
  if (version !== '' && version !== entry.version) {
    throw new ExtensionNotAllowedError(extensionId, version, image.image, `only version ${entry.version} is catalogued`);
  }
  if (vsixDir === '') throw new ExtensionUnavailableError(extensionId, 'no extension store is configured');
  let actual: string;
  try {
    actual = await sha256File(path.join(vsixDir, entry.file));
  } catch (error) {
    throw new ExtensionUnavailableError(extensionId, `VSIX file unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (actual !== entry.sha256) throw new ExtensionHashMismatchError(extensionId, entry.version, entry.sha256, actual);
  return entry;
}

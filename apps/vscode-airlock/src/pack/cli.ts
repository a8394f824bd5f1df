// `node dist/js/pack/cli.js build|catalogue`: writes dist/<publisher>.<name>-<version>.vsix from the
// compiled extension; `catalogue` also pins its SHA-256 in the workspace image catalogue and in the image
// build's deploy/workspace-image/vsix/SHA256SUMS.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_SHA256SUMS, PACKAGE_DIR, compiledScripts, packVsix, readManifest, updateCatalogue, updateSha256Sums } from './vsix';

function main(command: string | undefined): void {
  if (command !== 'build' && command !== 'catalogue') throw new Error('usage: cli.js build|catalogue');
  const vsix = packVsix(readManifest(), compiledScripts());
  const dist = path.join(PACKAGE_DIR, 'dist');
  mkdirSync(dist, { recursive: true });
  // One VSIX in dist/: the workspace service's extension store is this directory (WORKSPACE_VSIX_DIR).
  for (const stale of readdirSync(dist).filter((f) => f.endsWith('.vsix') && f !== vsix.file)) rmSync(path.join(dist, stale));
  writeFileSync(path.join(dist, vsix.file), vsix.bytes, { mode: 0o644 });
  process.stdout.write(`${path.relative(process.cwd(), path.join(dist, vsix.file))} sha256 ${vsix.sha256}\n`);
  if (command === 'catalogue') {
    const changed = updateCatalogue(vsix);
    if (updateSha256Sums(vsix)) changed.push(IMAGE_SHA256SUMS);
    process.stdout.write(changed.length ? changed.map((f) => `updated ${path.relative(process.cwd(), f)}\n`).join('') : 'catalogue already up to date\n');
  }
}

main(process.argv[2]);

// Builds the SPA into dist/web (the service serves it from there): hashed file names under assets/, and a
// brotli and a gzip copy of each compressible file written beside it, so the service sends compressed bytes
// without compressing per request.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(webDir, '..', 'dist', 'web');
const COMPRESSIBLE = /\.(js|css|svg|json|html)$/;

function precompress(): Plugin {
  return {
    name: 'airlock-precompress',
    apply: 'build',
    closeBundle() {
      const assets = path.join(outDir, 'assets');
      for (const name of readdirSync(assets).filter((n) => COMPRESSIBLE.test(n))) {
        const file = path.join(assets, name);
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Every browser the portal supports has modulepreload; the polyfill would be dead weight in the first route.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});

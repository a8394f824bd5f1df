#!/usr/bin/env node
'use strict';
// The evaluation's code base: Guava's sources jar (pom.xml beside this file) resolved by Maven — the mechanism
// the Kafka broker is installed with, so the machine's configured mirror is used and no host is named here —
// and unpacked into <state>/bench-rag/guava-<version>/. Prints that directory when run on its own.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');
const STATE = join(process.env.AIRLOCK_STATE_DIR ?? join(ROOT, '.airlock'), 'bench-rag');
const POM = join(__dirname, 'pom.xml');

/** The Guava version the POM pins (the questions name files of this version). */
function corpusVersion() {
  const m = /<artifactId>guava<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(readFileSync(POM, 'utf8'));
  if (!m) throw new Error('tools/bench/rag/pom.xml: no guava version');
  return m[1];
}

/** Every .java file under dir, as paths relative to it with '/' separators, sorted. */
function listJavaFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.java'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** Unpacks the sources once per POM content; returns { dir, version, files }. */
function ensureCorpus() {
  const version = corpusVersion();
  const dir = join(STATE, `guava-${version}`);
  const stamp = createHash('sha256').update(readFileSync(POM)).digest('hex');
  const stampFile = join(dir, '.installed');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    process.stderr.write(`[bench-rag] unpacking Guava ${version} sources from Maven into ${relative(ROOT, dir)}\n`);
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    // The plugin skips an artifact whose marker file exists, so the markers live (and die) with this unpack, not in
    // the POM's target/ directory inside the repository.
    const markers = join(partial, '.markers');
    execFileSync('mvn', ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'dependency:unpack-dependencies', '-Dclassifier=sources', '-DexcludeTransitive=true', `-DoutputDirectory=${partial}`, `-DmarkersDirectory=${markers}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    // META-INF (manifest, Maven metadata) is not code.
    for (const dir of ['META-INF', '.markers']) rmSync(join(partial, dir), { recursive: true, force: true });
    writeFileSync(join(partial, '.installed'), stamp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  return { dir, version, files: listJavaFiles(dir) };
}

module.exports = { ensureCorpus, corpusVersion };

if (require.main === module) {
  const { dir, version, files } = ensureCorpus();
  process.stderr.write(`[bench-rag] Guava ${version}: ${files.length} Java files\n`);
  process.stdout.write(`${dir}\n`);
}

// Regenerates src/gen from proto/ (buf + the local ts-proto plugin). The output is deterministic, so
// `--check` generates into a temporary directory and fails when it differs from what is committed: CI
// catches protos and generated code that disagree.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const protoRoot = path.resolve(pkg, '../../proto');
const committed = path.join(pkg, 'src/gen');
const check = process.argv.includes('--check');

function generate(out) {
  execFileSync(path.join(pkg, 'node_modules/.bin/buf'), ['generate', protoRoot, '--template', 'buf.gen.yaml', '-o', out], {
    cwd: pkg,
    stdio: 'inherit',
  });
}

function files(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

if (!check) {
  rmSync(committed, { recursive: true, force: true });
  generate(pkg);
} else {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'airlock-gen-'));
  try {
    generate(tmp);
    const fresh = path.join(tmp, 'src/gen');
    const a = files(fresh).sort();
    const b = files(committed).sort();
    const differing = [...new Set([...a, ...b])].filter((f) => {
      try {
        return readFileSync(path.join(fresh, f), 'utf8') !== readFileSync(path.join(committed, f), 'utf8');
      } catch {
        return true;
      }
    });
    if (differing.length) {
      process.stderr.write(`generated code is stale; run \`pnpm gen\`:\n  ${differing.join('\n  ')}\n`);
      process.exit(1);
    }
    process.stdout.write(`generated code matches proto/ (${a.length} files)\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

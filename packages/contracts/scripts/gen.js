// Regenerates src/gen from proto/ (buf + the local ts-proto plugin). Output is deterministic, so CI checks
// that a fresh generation matches what is committed.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const protoRoot = path.resolve(pkg, '../../proto');
rmSync(path.join(pkg, 'src/gen'), { recursive: true, force: true });
execFileSync(path.join(pkg, 'node_modules/.bin/buf'), ['generate', protoRoot, '--template', 'buf.gen.yaml'], {
  cwd: pkg,
  stdio: 'inherit',
});

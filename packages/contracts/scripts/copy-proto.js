// Ships the .proto sources inside the package (dist/proto) so a service deployed on its own can serve
// gRPC reflection without the monorepo beside it.
'use strict';
const { cpSync, rmSync } = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const target = path.join(pkg, 'dist/proto');
rmSync(target, { recursive: true, force: true });
cpSync(path.resolve(pkg, '../../proto'), target, {
  recursive: true,
  filter: (src) => !src.endsWith('.yaml'),
});

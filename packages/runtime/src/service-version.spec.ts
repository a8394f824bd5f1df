import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serviceVersion } from './service-version';

describe('serviceVersion', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'service-version-'));
  const app = (name: string, version: string) => {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version }));
    return path.join(dir, 'dist', 'main.js');
  };

  it('is AIRLOCK_VERSION when set, else the version of the Airlock package the entry script belongs to', () => {
    const entry = app('@airlock/policy', '0.3.1');
    expect(serviceVersion({ AIRLOCK_VERSION: '2026.12.1' }, entry)).toBe('2026.12.1');
    expect(serviceVersion({}, entry)).toBe('0.3.1');
  });

  it('is undefined for an entry outside an Airlock package (a test runner) or none', () => {
    expect(serviceVersion({}, app('jest-cli', '30.0.0'))).toBeUndefined();
    expect(serviceVersion({}, undefined)).toBeUndefined();
    expect(serviceVersion({}, path.join(path.parse(root).root, 'main.js'))).toBeUndefined();
  });
});

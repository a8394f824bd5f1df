import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, Secret, baseShape, env, loadConfig, z } from './index';

/** A secret file in a fresh temp dir, 0600 like the mesh writes them. */
function secretFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-config-')), 'db.password');
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}


describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    const cfg = loadConfig({ ...baseShape, KAFKA_BROKERS: env.list() }, {
      GRPC_PORT: '5001',
      METRICS_PORT: '9464',
      KAFKA_BROKERS: 'a:1, b:2',
    });
    expect(cfg.GRPC_PORT).toBe(5001);
    expect(cfg.BIND_HOST).toBe('127.0.0.1');
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.LOG_LEVEL).toBe('info');
  });

  it('names every missing or malformed variable', () => {
    try {
      loadConfig({ ...baseShape, DLP_ADDR: env.address() }, { GRPC_PORT: 'x', DLP_ADDR: 'nohostport' });
      throw new Error('expected ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['DLP_ADDR', 'GRPC_PORT', 'METRICS_PORT']);
      expect((err as Error).message).toContain('DLP_ADDR');
    }
  });

  it('treats empty values as unset and parses booleans', () => {
    const cfg = loadConfig({ FLAG: env.bool(true), N: z.coerce.number().default(3) }, { FLAG: 'false', N: '' });
    expect(cfg).toEqual({ FLAG: false, N: 3 });
  });

  it('reads JSON variables through their schema, defaults included, and names the variable when it is not JSON', () => {
    const shape = { TABLE: env.json(z.record(z.string(), z.number()).transform((t) => Object.keys(t).length), { a: 1 }) };
    expect(loadConfig(shape, {})).toEqual({ TABLE: 1 });
    expect(loadConfig(shape, { TABLE: '{"a":1,"b":2}' })).toEqual({ TABLE: 2 });
    expect(() => loadConfig(shape, { TABLE: '{nope' })).toThrow(/TABLE: must be JSON/);
    expect(() => loadConfig({ REQUIRED: env.json(z.object({ x: z.number() })) }, {})).toThrow(/REQUIRED/);
  });
});

describe('env.secretFile', () => {
  const shape = { DATABASE_PASSWORD_FILE: env.secretFile().optional() };

  it('reads and trims the file, and keeps the value out of every printed form', () => {
    const value = `pw-${Math.random().toString(36).slice(2)}`;
    const cfg = loadConfig(shape, { DATABASE_PASSWORD_FILE: secretFile(`  ${value}\n`) });
    const secret = cfg.DATABASE_PASSWORD_FILE;
    expect(secret).toBeInstanceOf(Secret);
    expect(secret?.reveal()).toBe(value);
    for (const printed of [String(secret), `${secret}`, JSON.stringify(cfg), inspect(cfg), inspect(secret)]) {
      expect(printed).not.toContain(value);
      expect(printed).toContain('[redacted]');
    }
  });

  it('is optional when the shape says so', () => {
    expect(loadConfig(shape, {}).DATABASE_PASSWORD_FILE).toBeUndefined();
  });

  it('names the variable and the file when it is missing or empty, never the content', () => {
    const missing = path.join(os.tmpdir(), `airlock-absent-${process.pid}`, 'nope.password');
    expect(() => loadConfig(shape, { DATABASE_PASSWORD_FILE: missing })).toThrow(ConfigError);
    expect(() => loadConfig(shape, { DATABASE_PASSWORD_FILE: missing })).toThrow(`DATABASE_PASSWORD_FILE: cannot read secret file ${missing} (ENOENT)`);
    const blank = secretFile(' \n');
    expect(() => loadConfig(shape, { DATABASE_PASSWORD_FILE: blank })).toThrow(`DATABASE_PASSWORD_FILE: secret file ${blank} is empty`);
  });
});

import { mkdtempSync, rmSync, statSync, writeFileSync, writeSync, closeSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOG_DIR_MODE, LOG_FILE_MODE, ensureLogDir, openLogFile, prepareLogFile } from './log-files';

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('log files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'log-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('opens a new log 0640 in directories created 0750, whatever the umask', () => {
    const previous = process.umask(0o022);
    try {
      const file = path.join(root, 'a', 'b', 'service.log');
      const fd = openLogFile(file);
      writeSync(fd, 'line\n');
      closeSync(fd);
      expect(modeOf(file)).toBe(LOG_FILE_MODE);
      expect([modeOf(path.join(root, 'a')), modeOf(path.join(root, 'a', 'b'))]).toEqual([LOG_DIR_MODE, LOG_DIR_MODE]);
    } finally {
      process.umask(previous);
    }
  });

  it('narrows a log an earlier run left world-readable, keeping its lines', () => {
    const file = path.join(root, 'envoy-access.log');
    writeFileSync(file, 'old\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    prepareLogFile(file);
    expect(modeOf(file)).toBe(LOG_FILE_MODE);
    expect(statSync(file).size).toBe(4);
  });

  it('narrows a logs-only directory left 0755', () => {
    const dir = path.join(root, 'logs');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    ensureLogDir(dir);
    expect(modeOf(dir)).toBe(LOG_DIR_MODE);
  });
});

import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * Service and infrastructure logs carry request paths, principals and errors: readable by their owner and its
 * group (operators), never by other accounts on the host (workspaces run as accounts of their own).
 */
export const LOG_FILE_MODE = 0o640;
export const LOG_DIR_MODE = 0o750;

/**
 * A directory that holds only logs: created 0750, and made 0750 if an earlier run left it wider. Not for
 * directories other programs must traverse (a data directory's parent): use `openLogFile` there, which only
 * creates missing directories.
 */
export function ensureLogDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: LOG_DIR_MODE });
  chmodSync(dir, LOG_DIR_MODE);
}

/**
 * Opens `file` for appending, mode 0640 — also when it existed with another mode, since the mode given to open
 * only applies to a new file. Missing directories are created 0750. Returns the descriptor.
 */
export function openLogFile(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true, mode: LOG_DIR_MODE });
  const fd = openSync(file, 'a', LOG_FILE_MODE);
  try {
    fchmodSync(fd, LOG_FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Creates (or re-modes) a log file another program opens itself (Envoy's access log, Redis's, Kafka's). */
export function prepareLogFile(file: string): void {
  closeSync(openLogFile(file));
}

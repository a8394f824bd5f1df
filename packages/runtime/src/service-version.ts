import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The version a running service reports (telemetry's `service.version`, read by the portal's health page):
 * AIRLOCK_VERSION when the deployment sets one (a release tag), otherwise the `version` of the package the
 * process was started from — the nearest package.json above the entry script (apps/<service>/dist/main.js).
 */
export function serviceVersion(environment: NodeJS.ProcessEnv, entryScript: string | undefined): string | undefined {
  if (environment.AIRLOCK_VERSION) return environment.AIRLOCK_VERSION;
  if (!entryScript) return undefined;
  for (let dir = path.dirname(entryScript); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      // Only an Airlock package names our version (not a test runner's that happens to be the entry).
      return name?.startsWith('@airlock/') ? version : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

import { ConfigError, loadConfig } from '@airlock/config';
import { createLogger } from '@airlock/telemetry';
import { reindexConfig } from './config';
import { AuditIndexStore } from './event-index/audit-index-store';
import { ReindexFromSink, SinkNotVerifiedError } from './reindex/reindex-from-sink';

const USAGE = 'usage: node dist/reindex.js <sink.jsonl> [--unverified]   (DATABASE_URL and DATABASE_PASSWORD_FILE as for the service)';

/**
 * Rebuilds the audit index from a jsonl sink file (see reindex/reindex-from-sink.ts). Prints a JSON summary on
 * stdout. Exit codes: 0 done, 2 the sink does not verify (nothing indexed), 64 bad arguments, 78 bad config.
 */
async function main(argv: string[]): Promise<number> {
  const unverified = argv.includes('--unverified');
  const files = argv.filter((a) => a !== '--unverified');
  if (files.length !== 1 || files[0]!.startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  let config;
  try {
    config = loadConfig(reindexConfig);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const p of error.problems) process.stderr.write(`config error: ${p.variable}: ${p.message}\n`);
    return 78;
  }
  const logger = createLogger('audit-reindex', config.LOG_LEVEL);
  const store = new AuditIndexStore(config, logger);
  try {
    const summary = await new ReindexFromSink(store, logger).execute({
      sinkFile: files[0]!,
      digestFile: config.AUDIT_DIGEST_PATH,
      publicKeyFile: config.AUDIT_DIGEST_PUBLIC_KEY_FILE,
      retentionDays: config.AUDIT_INDEX_RETENTION_DAYS,
      daysAhead: config.AUDIT_INDEX_DAYS_AHEAD,
      unverified,
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof SinkNotVerifiedError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`reindex failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

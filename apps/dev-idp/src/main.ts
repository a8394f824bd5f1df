import { loadDevIdpConfig } from './config';
import { createLog, type Log } from './log';
import { BANNER_TEXT } from './pages';
import { startDevIdp, type RunningDevIdp } from './server';

/** Validates the environment, warns loudly that this is not for production, and starts serving. */
export async function boot(source: NodeJS.ProcessEnv = process.env, logTo?: Log): Promise<RunningDevIdp> {
  const config = loadDevIdpConfig(source);
  const log = logTo ?? createLog(config.logLevel);
  log('warn', BANNER_TEXT, { not_for_production: true });
  const idp = await startDevIdp(config, log);
  log('info', 'dev IdP listening', {
    issuer: idp.issuer,
    bind: `${config.bindHost}:${idp.port}`,
    discovery: `${idp.issuer}/.well-known/openid-configuration`,
    client_id: config.clientId,
    redirect_uris: config.redirectUris,
  });
  return idp;
}

async function main(): Promise<void> {
  const idp = await boot();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`dev-idp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

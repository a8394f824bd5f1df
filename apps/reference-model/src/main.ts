import { readFileSync } from 'node:fs';
import { ConfigError, env, loadConfig, z } from '@airlock/config';
import { createReferenceServer } from './server';

// The reference backend stands in for an in-house model server (vLLM/TGI, OpenAI-compatible) where no GPU
// exists. Pointing the gateway's backend URL at a real server is the only change needed to replace it.
try {
  const config = loadConfig({
    BIND_HOST: env.host(),
    HTTP_PORT: env.port(),
    LATENCY_MS: env.int(0),
    TOKENS_PER_SECOND: env.int(0),
    FAIL_EVERY: env.int(0),
    CUT_AFTER_CHUNKS: env.int(0),
    // HTTPS requiring a client certificate from MTLS_CA_FILE; the model routes answer MTLS_ALLOWED_CLIENT only.
    MTLS_CERT_FILE: z.string().min(1).optional(),
    MTLS_KEY_FILE: z.string().min(1).optional(),
    MTLS_CA_FILE: z.string().min(1).optional(),
    MTLS_ALLOWED_CLIENT: z.string().min(1).default('gateway'),
    MTLS_OFF_FOR_DEVELOPMENT: env.bool(false),
  });
  const files = ['MTLS_CERT_FILE', 'MTLS_KEY_FILE', 'MTLS_CA_FILE'] as const;
  if (!config.MTLS_OFF_FOR_DEVELOPMENT) {
    const missing = files.filter((name) => !config[name]);
    if (missing.length > 0) throw new ConfigError(missing.map((variable) => ({ variable, message: 'required (or MTLS_OFF_FOR_DEVELOPMENT=true for plain HTTP)' })));
  }
  const tls = config.MTLS_OFF_FOR_DEVELOPMENT
    ? undefined
    : { cert: readFileSync(config.MTLS_CERT_FILE!), key: readFileSync(config.MTLS_KEY_FILE!), ca: readFileSync(config.MTLS_CA_FILE!), allowedClient: config.MTLS_ALLOWED_CLIENT };
  const server = createReferenceServer({
    latencyMs: config.LATENCY_MS,
    tokensPerSecond: config.TOKENS_PER_SECOND,
    failEvery: config.FAIL_EVERY,
    cutAfterChunks: config.CUT_AFTER_CHUNKS,
  }, tls);
  server.listen(config.HTTP_PORT, config.BIND_HOST, () => {
    process.stdout.write(`${JSON.stringify({ level: 'info', service: 'reference-model', msg: 'listening', port: config.HTTP_PORT, tls: tls ? 'mtls' : 'off' })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const p of error.problems) process.stderr.write(`config error: ${p.variable}: ${p.message}\n`);
  process.exit(78);
}

import { ConfigError, env, loadConfig } from '@airlock/config';
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
  });
  const server = createReferenceServer({
    latencyMs: config.LATENCY_MS,
    tokensPerSecond: config.TOKENS_PER_SECOND,
    failEvery: config.FAIL_EVERY,
    cutAfterChunks: config.CUT_AFTER_CHUNKS,
  });
  server.listen(config.HTTP_PORT, config.BIND_HOST, () => {
    process.stdout.write(`${JSON.stringify({ level: 'info', service: 'reference-model', msg: 'listening', port: config.HTTP_PORT })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const p of error.problems) process.stderr.write(`config error: ${p.variable}: ${p.message}\n`);
  process.exit(78);
}

import { ConfigError, env, loadConfig } from '@airlock/config';
import { createReferenceMcpServer } from './server';

// The reference MCP server — not a real tool server — stands in for an internal MCP server in the dev mesh and
// the tests. Declaring a real one in the policy bundle's `mcpServers` is the only change needed to replace it.
try {
  const config = loadConfig({ BIND_HOST: env.host(), HTTP_PORT: env.port() });
  const server = createReferenceMcpServer();
  server.listen(config.HTTP_PORT, config.BIND_HOST, () => {
    process.stdout.write(`${JSON.stringify({ level: 'info', service: 'reference-mcp', msg: 'listening', port: config.HTTP_PORT })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const p of error.problems) process.stderr.write(`config error: ${p.variable}: ${p.message}\n`);
  process.exit(78);
}

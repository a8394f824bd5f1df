// Commands are loaded when called: `dlp scan` runs once per file in CI and must not pay for loading gRPC,
// PostgreSQL and the mesh code it never uses.
const commands = () => import('./commands.js');

const USAGE = `usage: tools/airlock <command>
  up       install what is missing, start infra + services + Envoy, print where to go
  down     stop everything 'up' started
  status   what is running
  token [--user <id>] [--role <role>]... [--tenant <id>] [--project <id>] [--workspace <id>] [--ttl <s>]
           print a dev bearer token (default: the demo developer; --help for the options)
  test     run every test (contracts, lint, types, unit, integration, end-to-end)
  dlp scan [--json]            scan stdin with the built-in DLP pack (no services needed)
  audit verify <file> [--digests <file>] [--public-key <pem>]
                               check a SIEM sink file's hash chains (and signed digests); reports the first gap,
                               reorder or modification`;

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'up':
      await (await commands()).up();
      return 0;
    case 'down':
      await (await commands()).down();
      return 0;
    case 'status':
      await (await commands()).status();
      return 0;
    case 'token':
      await (await commands()).token(argv.slice(1));
      return 0;
    case 'test':
      return (await commands()).test();
    case 'dlp':
      if (argv[1] === 'scan') return (await import('./dlp-scan.js')).dlpScan(argv.slice(2));
      break;
    case 'audit':
      if (argv[1] === 'verify' && argv[2]) return (await import('./audit-verify.js')).auditVerifyCommand(argv.slice(2));
      break;
  }
  process.stderr.write(`${USAGE}\n`);
  return argv[0] ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`airlock: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

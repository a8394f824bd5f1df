import { existsSync, readFileSync } from 'node:fs';
import { auditVerify, formatReport } from '@airlock/audit-chain';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `tools/airlock audit verify <file>`: exit 0 when every chain (and digest) checks out, 1 otherwise. */
export async function auditVerifyCommand(args: string[]): Promise<number> {
  const file = args[0];
  const digests = option(args, '--digests') ?? `${file}.digests.jsonl`;
  const publicKey = option(args, '--public-key');
  const report = await auditVerify(file, {
    digestFile: existsSync(digests) ? digests : undefined,
    publicKeyPem: publicKey ? readFileSync(publicKey, 'utf8') : undefined,
  });
  process.stdout.write(`${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

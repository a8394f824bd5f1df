import { scanReport, scanWithBuiltinPack } from '@airlock/dlp-engine';

/**
 * `tools/airlock dlp scan [--json]`: scans stdin with the built-in pack, no services needed — for security
 * teams trying rules and for CI. Exit code 0 whatever was found; the result says what.
 */
export async function dlpScan(args: string[], input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const text = Buffer.concat(chunks).toString('utf8');
  const result = scanWithBuiltinPack(text);
  const shape = scanReport(result);
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(shape)}\n`);
  } else {
    process.stdout.write(`action: ${shape.action} (rules ${result.ruleSetVersion})\n`);
    for (const f of shape.findings) process.stdout.write(`  ${f.category.padEnd(14)} ${f.ruleId.padEnd(34)} ${f.start}-${f.end}\n`);
    process.stdout.write(`---\n${shape.text}${shape.text.endsWith('\n') ? '' : '\n'}`);
  }
  return 0;
}

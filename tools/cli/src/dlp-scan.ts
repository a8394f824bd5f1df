import { scanReport, scanWithBuiltinPack } from '@airlock/dlp-engine';

/**
 * Writes `text` and resolves once the stream has handed it to the OS. On a pipe stdout is asynchronous: a
 * process that exits right after write() loses whatever the pipe has not taken yet (output cut at 64 KiB).
 */
export function writeAll(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * `tools/airlock dlp scan [--json]`: scans stdin with the built-in pack, no services needed — for security
 * teams trying rules and for CI. Exit code 0 whatever was found; the result says what.
 */
export async function dlpScan(
  args: string[],
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const text = Buffer.concat(chunks).toString('utf8');
  const result = scanWithBuiltinPack(text);
  const shape = scanReport(result);
  if (args.includes('--json')) {
    await writeAll(output, `${JSON.stringify(shape)}\n`);
  } else {
    const lines = [`action: ${shape.action} (rules ${result.ruleSetVersion})`];
    for (const f of shape.findings) lines.push(`  ${f.category.padEnd(14)} ${f.ruleId.padEnd(34)} ${f.start}-${f.end}`);
    lines.push(`---\n${shape.text}${shape.text.endsWith('\n') ? '' : '\n'}`);
    await writeAll(output, lines.join('\n'));
  }
  return 0;
}

// `tools/airlock dlp scan --json` through a real pipe: the process must not exit before the pipe has taken the
// whole report (it used to stop at exactly 64 KiB, the pipe's buffer).
import { spawn } from 'node:child_process';
import path from 'node:path';

const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

function scanThroughPipe(input: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'dlp', 'scan', '--json'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    // Read slowly, as a consumer on the other end of a pipe may: the writer has to wait for us.
    child.stdout.on('data', (c: Buffer) => {
      chunks.push(c);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 2);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.end(input);
  });
}

describe('dlp scan --json on a pipe', () => {
  it('writes the whole report before exiting', async () => {
    const input = 'mail kim.cs@acme.co.kr and key AKIAQ3EGXTZ7V5LN2MWB\n'.repeat(5_000);
    const { code, stdout } = await scanThroughPipe(input);
    expect(code).toBe(0);
    expect(stdout.length).toBeGreaterThan(4 * 64 * 1024);
    const report = JSON.parse(stdout) as { findings: unknown[]; text: string };
    expect(report.findings).toHaveLength(10_000);
    expect(report.text.split('\n')).toHaveLength(5_001);
  }, 60_000);
});

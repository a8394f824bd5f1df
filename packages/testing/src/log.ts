/** One line to stderr, so it shows in jest and in the CLI alike without going through console. */
export function log(line: string): void {
  process.stderr.write(`[airlock:testing] ${line}\n`);
}

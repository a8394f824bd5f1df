export class RuleCompileError extends Error {
  override readonly name = 'RuleCompileError';
  constructor(readonly problems: string[]) {
    super(`${problems.length} rule problem(s):\n- ${problems.join('\n- ')}`);
  }
}

export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
  constructor(
    readonly limit: number,
    readonly length: number,
  ) {
    super(`input of ${length} characters exceeds the limit of ${limit}`);
  }
}

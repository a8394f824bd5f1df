import { errorCodesInMarkdown } from './readme-errors';

describe('errorCodesInMarkdown', () => {
  it('reads the first column of every "Error code" table, and nothing of other tables', () => {
    const md = [
      '| Variable | Default |',
      '| --- | --- |',
      '| `NOT_A_CODE` | 1 |',
      '',
      '## Errors',
      '',
      '| Error code | gRPC | When |',
      '| --- | --- | --- |',
      '| `first_code` | NOT_FOUND | a \\| b |',
      '| `second_code` | UNAVAILABLE | c |',
      'between the tables',
      '| Error code | HTTP |',
      '|:---|---:|',
      '| `third_code` | 503 |',
    ].join('\n');
    expect(errorCodesInMarkdown(md)).toEqual(['first_code', 'second_code', 'third_code']);
  });

  it('keeps a code listed twice, and refuses a row it cannot read', () => {
    expect(errorCodesInMarkdown('| Error code |\n| --- |\n| `a` |\n| `a` |\n')).toEqual(['a', 'a']);
    expect(() => errorCodesInMarkdown('| Error code |\n| --- |\n| a, b |\n')).toThrow(/a, b/);
  });
});

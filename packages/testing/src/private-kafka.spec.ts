import { javaArgFile } from './private-kafka';

describe('javaArgFile', () => {
  it('puts each argument on its own line, quoted, with quotes and backslashes escaped', () => {
    expect(javaArgFile(['-cp', '/opt/kafka dir/libs/*', 'say "hi"', 'C:\\x'])).toBe('"-cp"\n"/opt/kafka dir/libs/*"\n"say \\"hi\\""\n"C:\\\\x"\n');
  });
});

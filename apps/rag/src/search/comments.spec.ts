import { splitComments } from './comments';

describe('comments', () => {
  it('separates Javadoc, block and line comments from code', () => {
    const java = '/** Drops the oldest element. */\nclass EvictingQueue {\n  int size; // bounded\n  /* internal */ void add() {}\n}';
    const { comments, code } = splitComments(java, 'java');
    expect(comments).toBe('/** Drops the oldest element. */\n// bounded\n/* internal */');
    expect(code).not.toMatch(/oldest|bounded|internal/);
    expect(code).toMatch(/class EvictingQueue/);
  });

  it('knows Python docstrings and hash comments, SQL dashes, and leaves plain text alone', () => {
    expect(splitComments('def f():\n    """Retry with backoff."""\n    return 1  # once', 'python').comments).toBe('"""Retry with backoff."""\n# once');
    expect(splitComments('SELECT 1; -- ping', 'sql').comments).toBe('-- ping');
    expect(splitComments('# Title', 'text')).toEqual({ comments: '', code: '# Title' });
  });
});

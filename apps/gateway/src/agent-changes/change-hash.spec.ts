import { createHash } from 'node:crypto';
import { fileChangesOf } from './agent-tools';
import { canonicalChanges, changedPaths, changesHash } from './change-hash';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('the canonical form and diff hash', () => {
  const write = fileChangesOf('Write', JSON.stringify({ file_path: 'src/z.ts', content: 'export const z = 1;\n' }));
  const edit = fileChangesOf('Edit', JSON.stringify({ file_path: 'src/a.ts', old_string: 'a = 1', new_string: 'a = 2' }));
  const patch = fileChangesOf('apply_patch', '*** Begin Patch\n*** Delete File: README.old\n*** End Patch');

  it('is recomputed by an auditor from the committed file contents and the edits, with nothing of ours', () => {
    // As the README's shell recipe does: files in byte order, `path NUL op NUL digest LF` each.
    const committedZ = Buffer.from('export const z = 1;\n');
    const lines = [`README.old\0delete\0\n`, `src/a.ts\0edit\0${sha256('a = 1\0a = 2\0')}\n`, `src/z.ts\0write\0${sha256(committedZ)}\n`];
    const changes = [...write, ...edit, ...patch];
    expect(canonicalChanges(changes)).toBe(lines.join(''));
    expect(changesHash(changes)).toBe(sha256(lines.join('')));
    expect(changedPaths(changes)).toEqual(['README.old', 'src/a.ts', 'src/z.ts']);
  });

  it('does not depend on the order of calls across files, but does within a file', () => {
    expect(changesHash([...write, ...edit])).toBe(changesHash([...edit, ...write]));
    const second = fileChangesOf('Edit', JSON.stringify({ file_path: 'src/a.ts', old_string: 'a = 2', new_string: 'a = 3' }));
    expect(changesHash([...edit, ...second])).not.toBe(changesHash([...second, ...edit]));
    expect(changedPaths([...edit, ...second])).toEqual(['src/a.ts']);
  });

  it('orders paths by UTF-8 bytes (as `LC_ALL=C sort`), not UTF-16 code units', () => {
    const a = fileChangesOf('Write', JSON.stringify({ file_path: '\u{1F600}.md', content: '' }));
    const b = fileChangesOf('Write', JSON.stringify({ file_path: '\uFF21.md', content: '' }));
    expect(changedPaths([...a, ...b])).toEqual(['\uFF21.md', '\u{1F600}.md']);
  });
});

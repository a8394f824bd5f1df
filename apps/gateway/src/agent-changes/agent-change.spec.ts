import { InvalidRequestError } from '../gateway.errors';
import { agentChangeOf, mcpChangeOf, repoFromHeaders } from './agent-change';
import { changesHash } from './change-hash';
import { fileChangesOf } from './agent-tools';

const call = (name: string, args: unknown) => ({ index: 0, id: 'call_1', name, arguments: JSON.stringify(args) });

describe('repoFromHeaders', () => {
  it('reads x-airlock-repo and x-airlock-branch, empty when absent', () => {
    expect(repoFromHeaders({ 'x-airlock-repo': 'payments/core-api', 'x-airlock-branch': 'feat/x-1' })).toEqual({ repoId: 'payments/core-api', branch: 'feat/x-1' });
    expect(repoFromHeaders({})).toEqual({ repoId: '', branch: '' });
  });

  it.each([
    ['x-airlock-repo', '../etc'],
    ['x-airlock-repo', 'a b'],
    ['x-airlock-branch', 'feat..x'],
    ['x-airlock-branch', '-rf'],
    ['x-airlock-branch', 'x.lock'],
    ['x-airlock-branch', 'a\nb'],
  ])('refuses %s: %j', (name, value) => {
    expect(() => repoFromHeaders({ [name]: value })).toThrow(InvalidRequestError);
  });
});

describe('agentChangeOf', () => {
  const repo = { repoId: 'core-api', branch: 'main' };

  it('takes files and hash from file-writing calls, repository and branch from the headers', () => {
    const calls = [call('Write', { file_path: 'b.ts', content: 'b' }), call('Read', { file_path: 'c.ts' }), call('Edit', { file_path: 'a.ts', old_string: '1', new_string: '2' })];
    const expected = changesHash(calls.flatMap((c) => fileChangesOf(c.name, c.arguments)));
    expect(agentChangeOf({ toolCalls: calls, text: '' }, repo)).toEqual({ repoId: 'core-api', branch: 'main', changedFiles: ['a.ts', 'b.ts'], diffHash: expected });
  });

  it("reads aider's SEARCH/REPLACE blocks in the answer text when no tool call writes a file", () => {
    const text = [
      'Here are the changes.',
      '',
      'src/hello.ts',
      '```typescript',
      '<<<<<<< SEARCH',
      '=======',
      "export const hello = 'airlock';",
      '>>>>>>> REPLACE',
      '```',
      '',
      '**`README.md`:**',
      '```',
      '<<<<<<< SEARCH',
      '# old',
      '=======',
      '# new',
      '',
      '>>>>>>> REPLACE',
      '```',
      '```',
      '<<<<<<< SEARCH',
      'b',
      '=======',
      '>>>>>>> REPLACE',
      '```',
    ].join('\n');
    const changes = [
      { path: 'src/hello.ts', op: 'edit' as const, edits: [{ old: '', new: "export const hello = 'airlock';\n" }] },
      { path: 'README.md', op: 'edit' as const, edits: [{ old: '# old\n', new: '# new\n\n' }] },
      { path: 'README.md', op: 'edit' as const, edits: [{ old: 'b\n', new: '' }] },
    ];
    expect(agentChangeOf({ toolCalls: [], text }, repo)).toEqual({ ...repo, changedFiles: ['README.md', 'src/hello.ts'], diffHash: changesHash(changes) });
    // A block without its end, or without any file named, is no change.
    expect(agentChangeOf({ toolCalls: [], text: 'a.ts\n<<<<<<< SEARCH\nx\n=======\ny' }, repo)).toBeUndefined();
    expect(agentChangeOf({ toolCalls: [], text: '<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE' }, repo)).toBeUndefined();
  });

  it('records nothing for an answer without file writes, unless the request declared a change (/v1/agent)', () => {
    expect(agentChangeOf({ toolCalls: [call('read_file', { path: 'a' })], text: 'hi' }, repo)).toBeUndefined();
    const declared = { repoId: 'other', branch: '', changedFiles: ['x.ts'] };
    expect(agentChangeOf({ toolCalls: [], text: 'diff' }, repo, declared)).toMatchObject({ repoId: 'other', branch: 'main', changedFiles: ['x.ts'] });
  });
});

describe('mcpChangeOf', () => {
  it('reads only the MCP filesystem tools: write_file is a change, an MCP tool named like another agent\'s is not', () => {
    const repo = { repoId: 'r', branch: 'b' };
    expect(mcpChangeOf('write_file', { path: 'a.md', content: 'x' }, repo)).toEqual({ repoId: 'r', branch: 'b', changedFiles: ['a.md'], diffHash: changesHash([{ path: 'a.md', op: 'write', content: 'x' }]) });
    expect(mcpChangeOf('edit', { filePath: 'a.md', oldString: 'x', newString: 'y' }, repo)).toBeUndefined();
    expect(mcpChangeOf('read_file', { path: 'a.md' }, repo)).toBeUndefined();
  });
});

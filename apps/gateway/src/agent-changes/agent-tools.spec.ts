import { AGENT_TOOLS, fileChangesOf } from './agent-tools';

// Golden inputs: tool calls as each agent's model emits them (names and argument shapes of the agents' own tools).
const json = (value: unknown) => JSON.stringify(value);
const PATCH = [
  '*** Begin Patch',
  '*** Add File: src/new.ts',
  '+export const a = 1;',
  '+export const b = 2;',
  '*** Update File: src/app.ts',
  '@@ function main() {',
  ' const x = 1;',
  '-const y = 2;',
  '+const y = 3;',
  '*** Delete File: src/old.ts',
  '*** End Patch',
].join('\n');
const PATCH_CHANGES = [
  { path: 'src/new.ts', op: 'write', content: 'export const a = 1;\nexport const b = 2;\n' },
  { path: 'src/app.ts', op: 'edit', edits: [{ old: 'const x = 1;\nconst y = 2;', new: 'const x = 1;\nconst y = 3;' }] },
  { path: 'src/old.ts', op: 'delete' },
];

describe('fileChangesOf: the file-writing tools of each agent', () => {
  it('Claude Code: Write, Edit, MultiEdit (absolute paths stay absolute), and MCP tools as mcp__<server>__<tool>', () => {
    expect(fileChangesOf('Write', json({ file_path: '/home/dev/repo/src/a.ts', content: 'x\n' }))).toEqual([{ path: '/home/dev/repo/src/a.ts', op: 'write', content: 'x\n' }]);
    expect(fileChangesOf('Edit', json({ file_path: 'src/a.ts', old_string: 'x', new_string: 'y', replace_all: false }))).toEqual([{ path: 'src/a.ts', op: 'edit', edits: [{ old: 'x', new: 'y' }] }]);
    expect(fileChangesOf('MultiEdit', json({ file_path: './src/a.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] }))).toEqual([
      { path: 'src/a.ts', op: 'edit', edits: [{ old: 'a', new: 'b' }, { old: 'c', new: 'd' }] },
    ]);
    expect(fileChangesOf('mcp__filesystem__write_file', json({ path: 'b.md', content: 'hi' }))).toEqual([{ path: 'b.md', op: 'write', content: 'hi' }]);
    expect(fileChangesOf('mcp__filesystem__constructor', json({ path: 'b.md' }))).toEqual([]);
  });

  it('Codex: apply_patch as JSON function and free-form tool, and shell running apply_patch (argv or heredoc)', () => {
    expect(fileChangesOf('apply_patch', json({ input: PATCH }))).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('apply_patch', PATCH)).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('shell', json({ command: ['apply_patch', PATCH], workdir: '/repo' }))).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('shell', json({ command: ['bash', '-lc', `apply_patch <<'EOF'\n${PATCH}\nEOF\n`] }))).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('shell', json({ command: ['ls', '-la'] }))).toEqual([]);
    expect(fileChangesOf('exec_command', json({ cmd: `apply_patch <<'EOF'\n${PATCH}\nEOF\n` }))).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('shell_command', json({ command: `apply_patch <<'EOF'\n${PATCH}\nEOF\n`, workdir: '/repo' }))).toEqual(PATCH_CHANGES);
    expect(fileChangesOf('exec_command', json({ cmd: 'cat README.md' }))).toEqual([]);
  });

  it('Codex: Move to is the old path deleted and the new one edited; @@ splits hunks', () => {
    const patch = ['*** Begin Patch', '*** Update File: a.ts', '*** Move to: b.ts', '@@', '-1', '+2', '@@ later', ' k', '-3', '*** End Patch'].join('\n');
    expect(fileChangesOf('apply_patch', patch)).toEqual([
      { path: 'a.ts', op: 'delete' },
      { path: 'b.ts', op: 'edit', edits: [{ old: '1', new: '2' }, { old: 'k\n3', new: 'k' }] },
    ]);
  });

  it('opencode: write, edit, multiedit, patch', () => {
    expect(fileChangesOf('write', json({ filePath: 'src/a.ts', content: 'x' }))).toEqual([{ path: 'src/a.ts', op: 'write', content: 'x' }]);
    expect(fileChangesOf('edit', json({ filePath: 'src/a.ts', oldString: 'x', newString: 'y' }))).toEqual([{ path: 'src/a.ts', op: 'edit', edits: [{ old: 'x', new: 'y' }] }]);
    expect(fileChangesOf('multiedit', json({ filePath: 'a', edits: [{ filePath: 'a', oldString: '1', newString: '2' }] }))).toEqual([{ path: 'a', op: 'edit', edits: [{ old: '1', new: '2' }] }]);
    expect(fileChangesOf('patch', json({ patchText: PATCH }))).toEqual(PATCH_CHANGES);
  });

  it('Continue: builtin_* tools and their short names; edit_existing_file as one edit without old text; the CLI (cn) Write with filepath', () => {
    expect(fileChangesOf('Write', json({ filepath: 'src/n.ts', content: 'n' }))).toEqual([{ path: 'src/n.ts', op: 'write', content: 'n' }]);
    expect(fileChangesOf('builtin_create_new_file', json({ filepath: 'src/n.ts', contents: 'n' }))).toEqual([{ path: 'src/n.ts', op: 'write', content: 'n' }]);
    expect(fileChangesOf('create_new_file', json({ filepath: 'src/n.ts', contents: 'n' }))).toEqual([{ path: 'src/n.ts', op: 'write', content: 'n' }]);
    expect(fileChangesOf('builtin_edit_existing_file', json({ filepath: 'src/a.ts', changes: '// ... existing code ...\nx' }))).toEqual([
      { path: 'src/a.ts', op: 'edit', edits: [{ old: '', new: '// ... existing code ...\nx' }] },
    ]);
    expect(fileChangesOf('builtin_single_find_and_replace', json({ filepath: 'a', old_string: '1', new_string: '2' }))).toEqual([{ path: 'a', op: 'edit', edits: [{ old: '1', new: '2' }] }]);
  });

  it('cline 3: editor creating (no old_text), replacing and inserting', () => {
    expect(fileChangesOf('editor', json({ path: '/repo/src/n.ts', new_text: 'n\n' }))).toEqual([{ path: '/repo/src/n.ts', op: 'write', content: 'n\n' }]);
    expect(fileChangesOf('editor', json({ path: 'a.ts', old_text: '1', new_text: '2', insert_line: null }))).toEqual([{ path: 'a.ts', op: 'edit', edits: [{ old: '1', new: '2' }] }]);
    expect(fileChangesOf('editor', json({ path: 'a.ts', new_text: 'x', insert_line: 3 }))).toEqual([{ path: 'a.ts', op: 'edit', edits: [{ old: '', new: 'x' }] }]);
  });

  it('cline: write_to_file, replace_in_file with SEARCH/REPLACE blocks (both marker styles)', () => {
    expect(fileChangesOf('write_to_file', json({ path: 'src\\win.ts', content: 'w' }))).toEqual([{ path: 'src/win.ts', op: 'write', content: 'w' }]);
    const diff = ['------- SEARCH', 'const a = 1;', '=======', 'const a = 2;', '+++++++ REPLACE', '<<<<<<< SEARCH', 'x', 'y', '=======', '>>>>>>> REPLACE'].join('\n');
    expect(fileChangesOf('replace_in_file', json({ path: 'src/a.ts', diff }))).toEqual([
      { path: 'src/a.ts', op: 'edit', edits: [{ old: 'const a = 1;', new: 'const a = 2;' }, { old: 'x\ny', new: '' }] },
    ]);
  });

  it('MCP filesystem server: write_file, edit_file (not a dry run)', () => {
    expect(fileChangesOf('write_file', json({ path: 'docs/x.md', content: '# x' }))).toEqual([{ path: 'docs/x.md', op: 'write', content: '# x' }]);
    expect(fileChangesOf('edit_file', json({ path: 'a', edits: [{ oldText: '1', newText: '2' }] }))).toEqual([{ path: 'a', op: 'edit', edits: [{ old: '1', new: '2' }] }]);
    expect(fileChangesOf('edit_file', json({ path: 'a', edits: [{ oldText: '1', newText: '2' }], dryRun: true }))).toEqual([]);
  });

  it('ignores unknown tools, read-only tools and arguments it cannot read', () => {
    expect(fileChangesOf('read_file', json({ path: 'a' }))).toEqual([]);
    expect(fileChangesOf('Read', json({ file_path: 'a' }))).toEqual([]);
    expect(fileChangesOf('Write', '{not json')).toEqual([]);
    expect(fileChangesOf('Write', json({ file_path: 'a', content: 7 }))).toEqual([]);
    expect(fileChangesOf('Write', json({ file_path: '  ', content: 'x' }))).toEqual([]);
  });

  it('no tool name is claimed by two agents', () => {
    const names = Object.values(AGENT_TOOLS).flatMap((table) => Object.keys(table));
    expect(new Set(names).size).toBe(names.length);
  });
});

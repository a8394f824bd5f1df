import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { WORKSPACE_STATES } from '../api/types';
import { LANGUAGES, RESOURCES, detectLanguage } from './index';
import { OPS_RESOURCES } from './ops';
import { POLICY_RESOURCES } from './policy';
import { FINOPS_RESOURCES } from './finops';
import { RECORDINGS_RESOURCES } from './recordings';
import { TERMINALS_RESOURCES } from './terminals';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

// The policy console's, the terminals page's, the recordings', the FinOps console's and the operators' pages' strings load with them, but are checked here with the rest.
const flat = Object.fromEntries(LANGUAGES.map((l) => [l, flatten({ ...RESOURCES[l], ...POLICY_RESOURCES[l], ...TERMINALS_RESOURCES[l], ...FINOPS_RESOURCES[l], ...OPS_RESOURCES[l], ...RECORDINGS_RESOURCES[l] } as unknown as Tree)])) as Record<(typeof LANGUAGES)[number], Map<string, string>>;
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** Every .ts/.tsx file of the SPA except tests. */
function sources(dir = path.join(__dirname, '..')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.spec.ts') ? [full] : [];
  });
}

describe('the portal strings', () => {
  it('have the same keys in Korean and English, none of them empty', () => {
    const missingInKo = [...flat.en.keys()].filter((k) => !flat.ko.has(k));
    const missingInEn = [...flat.ko.keys()].filter((k) => !flat.en.has(k));
    expect({ missingInKo, missingInEn }).toEqual({ missingInKo: [], missingInEn: [] });
    for (const language of LANGUAGES) for (const [key, text] of flat[language]) expect(`${language} ${key}: ${text.trim() ? 'ok' : 'empty'}`).toBe(`${language} ${key}: ok`);
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of flat.en) expect(`${key}: ${placeholders(flat.ko.get(key) ?? '')}`).toBe(`${key}: ${placeholders(text)}`);
  });

  it('cover every key the code asks for, literal or built from a known set', () => {
    const used = new Set<string>();
    const patterns: RegExp[] = [];
    for (const file of sources()) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of code.matchAll(/\bt\(\s*`([^`]+)`/g)) {
        patterns.push(new RegExp(`^${m[1].replace(/\./g, '\\.').replace(/\$\{[^}]+\}/g, '[A-Za-z0-9_]+')}$`));
      }
    }
    expect(used.size).toBeGreaterThan(50);
    for (const language of LANGUAGES) {
      expect([...used].filter((k) => !flat[language].has(k)).map((k) => `${language}: ${k}`)).toEqual([]);
      for (const pattern of patterns) expect(`${language} ${pattern}: ${[...flat[language].keys()].some((k) => pattern.test(k))}`).toBe(`${language} ${pattern}: true`);
    }
    // The sets those built keys come from: every member has its string.
    const built = [
      ...WORKSPACE_STATES.map((s) => `state.${s}`),
      ...['small', 'medium', 'large'].map((s) => `size.${s}`),
      ...Object.keys(SPA_ROUTES).map((p) => `nav.${p}`),
      ...['start', 'stop', 'restart', 'delete'].flatMap((a) => [`actions.${a}`, `actions.done.${a}`, `actions.confirm.${a}.title`, `actions.confirm.${a}.body`]),
      ...['active', 'expired', 'revoked'].map((s) => `tokens.${s}`),
      ...['not_proposed', 'own_proposal', 'own_edit'].map((b) => `policy.approvals.block.${b}`),
      ...['open', 'proposed', 'approved', 'rejected'].map((s) => `policy.draftState.${s}`),
      ...['seed', 'change', 'rollback'].map((o) => `policy.origin.${o}`),
      ...['added', 'removed', 'changed'].map((o) => `policy.diff.${o}`),
      ...['attached', 'detached', 'terminated', 'locked'].map((s) => `terminals.states.${s}`),
      ...['owner', 'read-only', 'read-write'].map((m) => `terminals.share.modes.${m}`),
      ...['readOnly', 'locked', 'other'].map((r) => `terminals.refused.${r}`),
    ];
    for (const language of LANGUAGES) expect(built.filter((k) => !flat[language].has(k)).map((k) => `${language}: ${k}`)).toEqual([]);
  });

  it('are Korean in Korean (no English left untranslated in a sentence)', () => {
    // Product names and units may stay as they are; a sentence in the Korean file must contain Hangul.
    const sentences = [...flat.ko].filter(([, text]) => text.split(' ').length > 3);
    expect(sentences.length).toBeGreaterThan(40);
    for (const [key, text] of sentences) expect(`${key}: ${/[\uac00-\ud7a3]/.test(text)}`).toBe(`${key}: true`);
  });
});

describe('the language chosen', () => {
  it('is Korean for a browser that prefers Korean, English for any other', () => {
    expect(detectLanguage('', ['ko-KR', 'en-US'])).toBe('ko');
    expect(detectLanguage('', ['ko'])).toBe('ko');
    expect(detectLanguage('', ['en-US', 'ko-KR'])).toBe('en');
    expect(detectLanguage('', ['ja-JP'])).toBe('en');
    expect(detectLanguage('', [])).toBe('en');
  });

  it('is the one kept in the cookie once the user picked it; an unknown value is ignored', () => {
    expect(detectLanguage('x=1; airlock_lang=en', ['ko-KR'])).toBe('en');
    expect(detectLanguage('airlock_lang=ko', ['en-US'])).toBe('ko');
    expect(detectLanguage('airlock_lang=fr', ['ko-KR'])).toBe('ko');
  });
});

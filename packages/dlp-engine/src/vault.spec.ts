import { inspect } from 'node:util';
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, PseudonymVault } from './index';

const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION });

describe('PseudonymVault rebuilt from a request context', () => {
  it('continues numbering across the texts of one request and gives an equal value its earlier placeholder', () => {
    const first = new PseudonymVault();
    expect(engine.scan('mail kim.cs@acme.co.kr', { vault: first }).text).toBe('mail ⟦PII_1⟧');
    // The second text is scanned by another call that only has the first one's pairs.
    const second = PseudonymVault.from(first.entries());
    expect(engine.scan('cc lee.dh@acme.co.kr and kim.cs@acme.co.kr', { vault: second }).text).toBe('cc ⟦PII_2⟧ and ⟦PII_1⟧');
    expect(second.entries()).toEqual([
      { placeholder: '⟦PII_1⟧', original: 'kim.cs@acme.co.kr' },
      { placeholder: '⟦PII_2⟧', original: 'lee.dh@acme.co.kr' },
    ]);
    expect(PseudonymVault.from(second.entries()).restore('⟦PII_2⟧ / ⟦PII_1⟧')).toBe('lee.dh@acme.co.kr / kim.cs@acme.co.kr');
  });

  it('matches a value in another form by its normalised key (full-width digits, zero-width characters)', () => {
    const first = new PseudonymVault();
    expect(engine.scan('주민번호 900101-1234568', { vault: first }).text).toBe('주민번호 ⟦PII_1⟧');
    const second = PseudonymVault.from(first.entries());
    expect(engine.scan('다시 ９００１０１－１２３４５６８', { vault: second }).text).toBe('다시 ⟦PII_1⟧');
    expect(second.size).toBe(1);
  });

  it('numbers each category after its highest placeholder, gaps included, and keeps the first of a repeated value', () => {
    const vault = PseudonymVault.from([
      { placeholder: '⟦PII_4⟧', original: 'kim.cs@acme.co.kr' },
      { placeholder: '⟦PII_7⟧', original: 'kim.cs@acme.co.kr' },
      { placeholder: '⟦SECRET_2⟧', original: 'x' },
    ]);
    expect(engine.scan('kim.cs@acme.co.kr, park.j@acme.co.kr', { vault }).text).toBe('⟦PII_4⟧, ⟦PII_8⟧');
    expect(vault.placeholderFor('secret', 'y', 'y')).toBe('⟦SECRET_3⟧');
    expect(vault.restore('⟦PII_7⟧')).toBe('kim.cs@acme.co.kr');
    expect(inspect(vault)).not.toContain('acme');
  });
});

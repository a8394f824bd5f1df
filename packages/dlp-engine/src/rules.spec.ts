import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, type Finding } from './index';
import { makeBrn, makeCard, makeFrn, makeRrn } from './test-helpers';

const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: Buffer.alloc(32, 7) });

function only(text: string, ruleId: string): Finding {
  const found = engine.scan(text).findings;
  expect(found.map((f) => f.ruleId)).toEqual([ruleId]);
  return found[0]!;
}

/** Asserts `ruleId` finds exactly `value` (a substring of `text`), at its offsets in the original text. */
function finds(text: string, ruleId: string, value: string): Finding {
  const f = only(text, ruleId);
  expect(text.slice(f.start, f.end)).toBe(value);
  return f;
}

const silent = (text: string) => expect(engine.scan(text).findings).toEqual([]);

describe('built-in pack', () => {
  it('every rule has at least two positive and two negative examples, and the pack compiles against them', () => {
    for (const rule of BUILTIN_RULES) {
      expect(rule.examples.positive.length).toBeGreaterThanOrEqual(2);
      expect(rule.examples.negative.length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(BUILTIN_RULES.map((r) => r.id)).size).toBe(BUILTIN_RULES.length);
    expect(engine.rules).toHaveLength(BUILTIN_RULES.length);
  });
});

describe('secrets', () => {
  it('cloud keys', () => {
    finds('aws_access_key_id = AKIAQ3EGXTZ7V5LN2MWB', 'secret.aws_access_key_id', 'AKIAQ3EGXTZ7V5LN2MWB');
    const secret = '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';
    finds(`aws_secret_access_key=${secret}`, 'secret.aws_secret_access_key', secret);
    silent(`build ${secret} artefact`); // no AWS context
    finds('k="AIzaSyB3x9Kq7LmN2pR5tV8wY1zA4cD6eF0gH2j"', 'secret.gcp_api_key', 'AIzaSyB3x9Kq7LmN2pR5tV8wY1zA4cD6eF0gH2j');
    const azure = 'MxmqjauSsS23eILaTyo0RmqFOz3gMvW9Z+MUj5Cv8dclGPIMjVmieL5Tv3fqSLJ2o+k9dY2taEuPnQUUwwa4Df==';
    finds(`AccountName=a;AccountKey=${azure};EndpointSuffix=core.windows.net`, 'secret.azure_storage_key', azure);
  });

  it('service tokens', () => {
    finds('t=ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e', 'secret.github_token', 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e');
    finds('GITLAB=glpat-Xk8v2Rq9Lm4Tz7Nw3Bc6 ', 'secret.gitlab_token', 'glpat-Xk8v2Rq9Lm4Tz7Nw3Bc6');
    finds('xoxb-284619375012-1630948275561-Qm8Rt2Vx6Ny0Lb3Hc7Jf1Kd5', 'secret.slack_token', 'xoxb-284619375012-1630948275561-Qm8Rt2Vx6Ny0Lb3Hc7Jf1Kd5');
    finds(
      'url: https://hooks.slack.com/services/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',
      'secret.slack_webhook',
      'T04ABCD12/B05EFGH34/q8Wz3Rk6Lp1Nv9Tx4Yb7Mc2D',
    );
    silent('xoxb-your-bot-token and ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX');
  });

  it('JWTs need a header that decodes to JSON with "alg"', () => {
    const h = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    const p = Buffer.from('{"sub":"u-1","iat":1700000000}').toString('base64url');
    finds(`Bearer ${h}.${p}.c2lnbmF0dXJl`, 'secret.jwt', `${h}.${p}.c2lnbmF0dXJl`);
    const noAlg = Buffer.from('{"typ":"JWT"}').toString('base64url');
    silent(`Bearer ${noAlg}.${p}.c2lnbmF0dXJl`);
  });

  it('private keys block the whole text; public keys do not fire', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAyAxMf3Rh95mm2+8E/FCF7HF\n-----END RSA PRIVATE KEY-----';
    const r = engine.scan(`key:\n${pem}\nend`);
    expect(r.action).toBe('block');
    expect(r.text).toBe('');
    expect(r.findings[0]).toMatchObject({ ruleId: 'secret.private_key', start: 5, end: 5 + pem.length });
    silent('-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyAxMf3Rh\n-----END PUBLIC KEY-----');
    silent('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7yAxMf3Rh95mm2+8E/FCF7HF dev@laptop');
  });

  it('passwords in connection strings, but not references to them', () => {
    finds('postgres://app:Xr7kq2Lm9Tz4@db:5432/app', 'secret.url_password', 'Xr7kq2Lm9Tz4');
    finds('mongodb+srv://admin:Str0ngP4ss!@cluster0.ab1cd.mongodb.net/x', 'secret.url_password', 'Str0ngP4ss!');
    finds('jdbc:postgresql://db:5432/app?user=app&password=Xr7!kq2Lm9', 'secret.jdbc_password', 'Xr7!kq2Lm9');
    for (const ref of ['${DB_PASSWORD}', '$DB_PASSWORD', '<password>', '****', 'password', '{password}']) {
      silent(`postgres://app:${ref}@db:5432/app`);
    }
    silent('jdbc:mysql://db:3306/app?user=root&password=$(cat /run/secrets/db)');
    silent('password = os.environ["DB_PASSWORD"]');
    silent('const token = process.env.GITHUB_TOKEN;');
  });

  it('generic high-entropy values next to secret words, not UUIDs, hashes or code', () => {
    finds('CLIENT_SECRET=Xk9#mQ2vL7pR4tW8z!', 'secret.generic_high_entropy', 'Xk9#mQ2vL7pR4tW8z!');
    silent('token = "550e8400-e29b-41d4-a716-446655440000"');
    silent('secret_sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"');
    silent('api_token: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    silent('tokenizer = AutoTokenizer.from_pretrained(model_name)');
    silent('secret_name = "prod/db/credentials-v2"');
  });
});

describe('Korean personal data', () => {
  it('주민등록번호: checksum raises confidence, a failing one (post-2020) still counts, the date must be valid', () => {
    const valid = makeRrn('900101', '1', '23456');
    expect(finds(`번호 ${valid}`, 'pii.kr_rrn', valid).confidence).toBe('high');
    const post2020 = makeRrn('210315', '3', '12345', false);
    expect(finds(`번호 ${post2020}`, 'pii.kr_rrn', post2020).confidence).toBe('medium');
    expect(finds(`주민등록번호 ${post2020}`, 'pii.kr_rrn', post2020).confidence).toBe('high'); // context word
    silent('번호 900230-1234567'); // 30 February
    silent('번호 901301-1234567'); // month 13
    silent('번호 9001011234567890'); // longer digit run
    silent(`ts=${post2020.replace('-', '')}`); // run together with a failing checksum: a timestamp or an id
    finds(`번호 ${valid.replace('-', '')}`, 'pii.kr_rrn', valid.replace('-', '')); // run together, checksum holds
    finds(`생일 ${makeRrn('000229', '3', '11111')}`, 'pii.kr_rrn', makeRrn('000229', '3', '11111')); // leap day 2000
    silent(`생일 ${makeRrn('010229', '3', '11111')}`); // 2001 is not a leap year
  });

  it('외국인등록번호 has 5-8 as its 7th digit', () => {
    const frn = makeFrn('920304', '5', '12345');
    finds(`외국인등록번호 ${frn}`, 'pii.kr_frn', frn);
    only(`번호 ${makeRrn('920304', '1', '12345')}`, 'pii.kr_rrn');
  });

  it('사업자등록번호 requires its checksum', () => {
    const brn = makeBrn('220812345');
    finds(`사업자 ${brn}`, 'pii.kr_brn', brn);
    silent(`사업자 ${makeBrn('220812345', false)}`);
  });

  it('card numbers: 13-19 digits, separators, Luhn required', () => {
    const visa = makeCard('4532', 16);
    finds(`card ${visa}`, 'pii.card_number', visa);
    const spaced = visa.replace(/(\d{4})(?=\d)/g, '$1 ');
    finds(`card ${spaced}`, 'pii.card_number', spaced);
    const dashed = visa.replace(/(\d{4})(?=\d)/g, '$1-');
    finds(`카드 ${dashed} 승인`, 'pii.card_number', dashed);
    silent(`card ${makeCard('4532', 16, false)}`);
    silent('ts 1700000000000');
  });

  it('mobile and landline numbers, not format descriptions', () => {
    finds('연락처 010-1234-5678 입니다', 'pii.kr_mobile', '010-1234-5678');
    finds('연락처 01012345678로', 'pii.kr_mobile', '01012345678');
    finds('call +82 10 9876 5432', 'pii.kr_mobile', '+82 10 9876 5432');
    finds('대표 02-123-4567', 'pii.kr_landline', '02-123-4567');
    finds('fax (031) 123-4567', 'pii.kr_landline', '(031) 123-4567');
    silent('010-XXXX-XXXX 형식');
    silent('02-XXXX-XXXX');
  });

  it('bank accounts need a banking word nearby', () => {
    finds('입금 계좌: 110-123-456789', 'pii.bank_account', '110-123-456789');
    finds('wire to account 3333-01-1234567.', 'pii.bank_account', '3333-01-1234567');
    silent('주문번호 110-123-456789');
    silent('account created on 2024-01-15');
  });

  it('e-mail and passport', () => {
    finds('mail hong.gildong@acme-corp.co.kr.', 'pii.email', 'hong.gildong@acme-corp.co.kr');
    silent('user@example.com and icon@2x.png and git@github.com:a/b.git');
    finds('여권번호: M12345678', 'pii.kr_passport', 'M12345678');
    finds('passport M123A4567', 'pii.kr_passport', 'M123A4567');
    silent('model M12345678');
  });
});

describe('classification tags', () => {
  it('are word-bounded', () => {
    expect(engine.scan('CONFIDENTIAL: plan').action).toBe('block');
    expect(engine.scan('[대외비] 계획').action).toBe('block');
    expect(engine.scan('이 문서는 기밀입니다').action).toBe('block');
    const internal = engine.scan('INTERNAL ONLY notes');
    expect(internal).toMatchObject({ action: 'allow', text: 'INTERNAL ONLY notes' });
    expect(internal.findings.map((f) => f.ruleId)).toEqual(['classification.internal_only']);
    silent('keep it confidential; const NOT_CONFIDENTIAL = 1; x = Level.CONFIDENTIAL');
    silent('기밀성, 무결성, 가용성 / 기밀유지협약 / 대외 비용 / INTERNAL_ONLY = True');
  });
});

describe('normalisation and offsets', () => {
  it('full-width digits are matched, and the finding covers the original characters', () => {
    const rrn = makeRrn('900101', '1', '23456');
    const wide = rrn.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace('-', '\uFF0D');
    const text = `주민 ${wide} 끝`;
    const f = finds(text, 'pii.kr_rrn', wide);
    // Same value, same hash: evasion does not change the correlation key.
    expect(f.valueHash).toBe(only(`주민 ${rrn} 끝`, 'pii.kr_rrn').valueHash);
  });

  it('zero-width characters inside a value do not hide it; masking covers them', () => {
    const text = 'tel 010\u200B-12\u200D34-\uFEFF5678 ok';
    finds(text, 'pii.kr_mobile', '010\u200B-12\u200D34-\uFEFF5678');
    expect(engine.scan(text).text).toBe('tel [MASKED:pii.kr_mobile] ok');
    const token = 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
    const split = token.slice(0, 10) + '\u2060' + token.slice(10);
    finds(`t=${split}`, 'secret.github_token', split);
  });

  it('exotic dashes and surrogate pairs before a finding keep offsets right', () => {
    const text = '😀😀 연락처 010\u20131234\u20135678';
    finds(text, 'pii.kr_mobile', '010\u20131234\u20135678');
  });
});

describe('overlaps and masking', () => {
  it('keeps one finding per overlapping cluster and never masks twice', () => {
    const text = 'GITHUB_TOKEN=ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e done';
    const r = engine.scan(text);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['secret.github_token']);
    expect(r.text).toBe('GITHUB_TOKEN=[MASKED:secret.github_token] done');
  });

  it('the strongest action wins for the whole result', () => {
    const r = engine.scan(`mail kim.cs@acme.co.kr card ${makeCard('4532', 16)}`);
    expect(r.action).toBe('pseudonymize');
    expect(r.text).toMatch(/^mail ⟦PII_1⟧ card \[MASKED:pii\.card_number\]$/);
    expect(r.ruleSetVersion).toBe(BUILTIN_VERSION);
  });

  it('findings carry a keyed hash, never the value', () => {
    const r = engine.scan('DB_PASSWORD=Xk9#mQ2vL7pR4tW8z!');
    expect(JSON.stringify(r.findings)).not.toContain('Xk9#mQ2vL7pR4tW8z!');
    expect(r.findings[0]!.valueHash).toMatch(/^[0-9a-f]{64}$/);
    const other = DlpEngine.compile(BUILTIN_RULES, { version: 'x', hashKey: Buffer.alloc(32, 8) });
    expect(other.scan('DB_PASSWORD=Xk9#mQ2vL7pR4tW8z!').findings[0]!.valueHash).not.toBe(r.findings[0]!.valueHash);
  });
});

// Pack 2's rule families, each with what it must find (the value's exact span) and the look-alikes it must
// leave alone. Values are synthetic.
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine } from './index';
import { makeBrn, makeRrn } from './test-helpers';

const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, hashKey: Buffer.alloc(32, 7) });

/** The values (original text of each finding) and the rules that found them. */
function found(text: string): { ruleId: string; value: string }[] {
  return engine.scan(text).findings.map((f) => ({ ruleId: f.ruleId, value: text.slice(f.start, f.end) }));
}

function expectFinds(text: string, value: string, category: string): void {
  const fs = engine.scan(text).findings;
  expect(fs.map((f) => ({ category: f.category, value: text.slice(f.start, f.end) }))).toContainEqual({ category, value });
}

const expectSilent = (text: string) => expect(found(text)).toEqual([]);

describe('pack 2', () => {
  it('reports its version', () => {
    expect(BUILTIN_VERSION).toBe('builtin-2.0.0');
    expect(engine.scan('x').ruleSetVersion).toBe('builtin-2.0.0');
  });
});

describe('token formats', () => {
  it.each([
    ['glrt-Tq9vX2mLp8Rk4Nz7Wb3Y', 'runner token: '],
    ['sk_live_51Hq8ZxKp2VmT7rL9wN3bY6cD4fG', 'STRIPE_SECRET_KEY='],
    ['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', 'SENDGRID_API_KEY='],
    ['npm_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A', 'NPM_TOKEN='],
    ['dckr_pat_Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6f', 'DOCKER_TOKEN='],
    ['hvs.CAESIJq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4', 'export VAULT_TOKEN='],
    ['sk-proj-Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4pQ5rS7tU9vW', 'OPENAI_API_KEY='],
  ])('finds %s', (value, before) => {
    expectFinds(`${before}${value}`, value, 'secret');
  });

  it('leaves placeholders and prefixes named in prose alone', () => {
    for (const text of ['glrt-xxxxxxxx', 'sk_live_xxxxxxxx', 'the gldt- prefix marks deploy tokens', 'hvs.example', 'npm_config_cache=/tmp/npm'])
      expectSilent(text);
  });
});

describe('credentials in configuration, connection strings and command lines', () => {
  it.each([
    ['spring.datasource.password=Tiger#2024', 'Tiger#2024'],
    ['spring:\n  datasource:\n    password: Qw3rty!9z', 'Qw3rty!9z'],
    ['[db]\npasswd = Blue!074zh', 'Blue!074zh'],
    ['<password>Dpl0y!2024</password>', 'Dpl0y!2024'],
    ['@Value("${db.password:Seoul$26B}")', 'Seoul$26B'],
    ['props.put("password", "Tiger#2024");', 'Tiger#2024'],
    ['비밀번호: hana1234!', 'hana1234!'],
    ['jdbc:oracle:thin:scott/Tiger2024@db01.acme.local:1521:ORCL', 'Tiger2024'],
    ['sqlplus system/Orcl#Pw9@PRODDB', 'Orcl#Pw9'],
    ['Data Source=(DESCRIPTION=(ADDRESS=(HOST=db01)(PORT=1521)));User Id=app;Password=Kx7pLm2q;', 'Kx7pLm2q'],
    ['redis://:Kx7pLm2q9@cache01:6379/0', 'Kx7pLm2q9'],
    ['curl -u admin:Kx7pLm2q9 https://nexus.acme.local', 'Kx7pLm2q9'],
    ["sshpass -p 'Tiger#2024' ssh deploy@10.0.0.5", 'Tiger#2024'],
    ['openssl pkcs12 -export -out c.p12 -passout pass:P12#Exp0rt', 'P12#Exp0rt'],
    ['ALTER USER app IDENTIFIED BY "Kx7pLm2q9";', 'Kx7pLm2q9'],
  ])('finds the value in %s', (text, value) => {
    expectFinds(text, value, 'secret');
  });

  it.each([
    'password: ${DB_PASSWORD}',
    'password: changeme',
    'password_min_length: 12',
    'passwordEncoder: bcrypt',
    'password: "****"',
    'DB_PASSWORD=<YOUR_PASSWORD>',
    'sqlplus scott/${ORA_PW}@PRODDB',
    'docker login -u acme --password-stdin',
    'user.setPassword(passwordEncoder.encode(rawPassword));',
    'String pw = request.getParameter("password");',
  ])('leaves %s alone', (text) => expectSilent(text));
});

describe('Korean personal data', () => {
  it.each([
    ['운전면허번호: 서울 12-345678-90', '서울 12-345678-90'],
    ['환불 계좌: 카카오뱅크 3333-12-1234567', '3333-12-1234567'],
    ['NH농협 302-1234-5678-91 예금주 김민수', '302-1234-5678-91'],
    ['고객센터 070-4321-8765', '070-4321-8765'],
    ['연락처 010.2345.6789', '010.2345.6789'],
  ])('finds %s', (text, value) => expectFinds(text, value, 'pii'));

  it('finds a business number without hyphens by its checksum, and not one that fails it', () => {
    const valid = makeBrn('220812345').replace(/-/g, '');
    const invalid = makeBrn('220812345', false).replace(/-/g, '');
    expectFinds(`사업자등록번호 ${valid}`, valid, 'pii');
    expectSilent(`사업자등록번호 ${invalid}`);
  });

  it('leaves order numbers and account-shaped numbers without a bank alone', () => {
    for (const text of ['주문번호 110-482-193756', 'ticket 302-1234-5678-91 closed', '010-0000-0000 형식으로 입력']) expectSilent(text);
  });

  it('finds an RRN split across two lines and numbers written in Korean digit words', () => {
    const rrn = makeRrn('900101', '1', '23456');
    expectFinds(`주민번호 ${rrn.slice(0, 7)}\n${rrn.slice(7)}`, `${rrn.slice(0, 7)}\n${rrn.slice(7)}`, 'pii');
    expectFinds('전화번호는 공일공 이삼사오 육칠팔구 입니다', '공일공 이삼사오 육칠팔구', 'pii');
  });
});

describe('classification markings', () => {
  it.each(['[대외비] 2025 사업계획', '[사내한정] 요금표', '[극비] 실사 자료', '[비밀] 조직개편안', '// Confidential: pricing', 'Strictly Confidential - Board', '<!-- Internal Use Only -->'])(
    'finds %s',
    (text) => expect(engine.scan(text).findings.map((f) => f.category)).toEqual(['classification']),
  );

  it.each([
    'level = Classification.CONFIDENTIAL',
    '  CONFIDENTIAL = 3,',
    'Confidential Computing on Azure uses AMD SEV-SNP',
    '보안 등급은 공개, 사내한정, 대외비, 기밀로 구분됩니다',
    'Our classification levels are Public, Internal Use Only, Confidential and Strictly Confidential.',
    '비밀번호를 입력하세요',
    '기밀유지계약(NDA) 양식',
  ])('leaves %s alone', (text) => expectSilent(text));
});

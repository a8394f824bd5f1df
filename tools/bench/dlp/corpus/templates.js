'use strict';
// Templates of what developers paste: each returns [text, value] for a positive (the value's span is the
// expected finding) or a text for a look-alike negative. `v` is a seeded value generator (values.js).

const b64 = (s) => Buffer.from(s).toString('base64');
const hexOf = (s) => Buffer.from(s).toString('hex');
const spaced = (s) => s.split('').join(' ');
const KOREAN_DIGITS = ['공', '일', '이', '삼', '사', '오', '육', '칠', '팔', '구'];
const koreanDigits = (s) => s.replace(/[0-9]/g, (d) => KOREAN_DIGITS[Number(d)]);

const host = (v) => v.pick(['db01.acme.local', 'ora-prd.bank.internal', '10.20.30.41', 'mysql.corp.kr', 'pg-stg.acme.io']);
const user = (v) => v.pick(['app', 'scott', 'svc_batch', 'deploy', 'admin01', 'etl_user', 'api']);

const tokens = {
  github: (v) => `ghp_${v.alnum(36)}`,
  gitlab: (v) => `${v.pick(['glpat-', 'glrt-', 'gldt-', 'glptt-'])}${v.alnum(20)}`,
  stripe: (v) => `${v.pick(['sk_live_', 'rk_live_'])}${v.alnum(24 + v.int(20))}`,
  slack: (v) => `xoxb-${v.digits(12)}-${v.digits(13)}-${v.alnum(24)}`,
  sendgrid: (v) => `SG.${v.alnum(22)}.${v.alnum(43)}`,
  twilio: (v) => `SK${v.hex(32)}`,
  npm: (v) => `npm_${v.alnum(36)}`,
  pypi: (v) => `pypi-AgEIcHlwaS5vcmc${v.alnum(60)}`,
  dockerhub: (v) => `dckr_pat_${v.alnum(27)}`,
  jfrog: (v) => `AKCp8${v.alnum(68)}`,
  vault: (v) => `hvs.${v.alnum(90)}`,
  aws: (v) => `AKIA${v.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  google: (v) => `AIza${v.alnum(35)}`,
  openai: (v) => `sk-proj-${v.alnum(48)}`,
  azure_devops: (v) => v.b32(52),
};

// ---------------------------------------------------------------- secrets (positive)
const SECRET = [
  ['token', (v) => { const k = v.pick(Object.keys(tokens).filter((x) => x !== 'azure_devops')); const t = tokens[k](v); return [v.pick([`export ${k.toUpperCase()}_TOKEN=${t}`, `${k}_token: "${t}"`, `curl -H "Authorization: Bearer ${t}" https://api.acme.io/v1/me`, `const client = new Client({ token: '${t}' });`, `이 토큰 써도 되나요? ${t}`]), t]; }],
  ['token', (v) => { const t = tokens.azure_devops(v); return [`AZURE_DEVOPS_PAT=${t}`, t]; }],
  ['config_yaml', (v) => { const p = v.password(); return [`spring:\n  datasource:\n    url: jdbc:oracle:thin:@${host(v)}:1521:ORCL\n    username: ${user(v)}\n    password: ${p}`, p]; }],
  ['config_properties', (v) => { const p = v.password(); return [`spring.datasource.username=${user(v)}\nspring.datasource.password=${p}`, p]; }],
  ['config_env', (v) => { const p = v.password(); return [`${v.pick(['DB_PASSWORD', 'REDIS_PASS', 'MYSQL_ROOT_PASSWORD', 'ADMIN_PW', 'SMTP_PASS'])}=${p}`, p]; }],
  ['config_ini', (v) => { const p = v.password(); return [`[database]\nhost = ${host(v)}\nuser = ${user(v)}\npasswd = ${p}`, p]; }],
  ['config_xml', (v) => { const p = v.password(); return [`<server>\n  <id>nexus-releases</id>\n  <username>${user(v)}</username>\n  <password>${p}</password>\n</server>`, p]; }],
  ['config_spring_value', (v) => { const p = v.password(); return [`@Value("\${db.password:${p}}")\nprivate String dbPassword;`, p]; }],
  ['code_literal', (v) => { const p = v.password(); return [v.pick([`props.put("password", "${p}");`, `ADMIN_PW = "${p}"`, `final String DB_PASSWORD = "${p}";`, `conn = connect(user="${user(v)}", password="${p}")`]), p]; }],
  ['config_korean_key', (v) => { const p = v.password(); return [`DB 접속 정보\n계정: ${user(v)}\n비밀번호: ${p}`, p]; }],
  ['k8s_secret', (v) => { const p = v.password(); const e = b64(p); return [`apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  username: ${b64(user(v))}\n  password: ${e}`, e]; }],
  ['k8s_secret', (v) => { const p = v.password(); return [`kind: Secret\nstringData:\n  DB_PASSWORD: ${p}`, p]; }],
  ['k8s_dockerconfig', (v) => { const a = b64(`${user(v)}:${v.password()}`); const e = b64(`{"auths":{"registry.acme.local":{"auth":"${a}"}}}`); return [`data:\n  .dockerconfigjson: ${e}`, e]; }],
  ['conn_oracle', (v) => { const p = v.password(); return [v.pick([`jdbc:oracle:thin:${user(v)}/${p}@${host(v)}:1521:ORCL`, `sqlplus ${user(v)}/${p}@PRODDB`, `cx_Oracle.connect("${user(v)}/${p}@//${host(v)}:1521/ORCLPDB1")`]), p]; }],
  ['conn_oracle', (v) => { const p = v.password(); return [`Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=${host(v)})(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=ORCL)));User Id=${user(v)};Password=${p};`, p]; }],
  ['conn_url', (v) => { const p = v.password().replace(/[#@%^&*]/g, '!'); return [v.pick([`mongodb://${user(v)}:${p}@${host(v)}:27017/app`, `redis://:${p}@${host(v)}:6379/0`, `amqp://${user(v)}:${p}@${host(v)}:5672/`, `smtp://${user(v)}:${p}@smtp.acme.local:587`, `DATABASE_URL=postgresql://${user(v)}:${p}@${host(v)}:5432/app`]), p]; }],
  ['conn_jdbc', (v) => { const p = v.password().replace(/[#&]/g, '!'); return [v.pick([`jdbc:mysql://${host(v)}:3306/app?user=${user(v)}&password=${p}`, `Server=${host(v)};Database=app;User Id=${user(v)};Password=${p};`, `DRIVER={ODBC Driver 18 for SQL Server};SERVER=${host(v)};UID=sa;PWD=${p};`]), p]; }],
  ['cli', (v) => { const p = v.password().replace(/[$^&*]/g, '!'); return [v.pick([`curl -u ${user(v)}:${p} https://nexus.acme.local/service/rest/v1/status`, `sshpass -p '${p}' ssh ${user(v)}@${host(v)}`, `docker login -u ${user(v)} -p ${p} registry.acme.local`, `mysql -h ${host(v)} -u root -p${p} app`, `openssl pkcs12 -export -in cert.pem -out cert.p12 -passout pass:${p}`, `ALTER USER ${user(v)} IDENTIFIED BY "${p}";`, `./deploy.sh --password ${p} --env prod`]), p]; }],
  ['hex_near_name', (v) => { const h = v.hex(64); return [v.pick([`SECRET_KEY = "${h}"`, `jwt.signing-key: ${h}`, `HMAC_KEY=${h}`]), h]; }],
  ['base64_near_name', (v) => { const s = b64(v.alnum(30)); return [v.pick([`client_secret: ${s}`, `ENCRYPTION_KEY="${s}"`]), s]; }],
  ['private_key', (v) => { const body = v.alnum(64); return [`-----BEGIN RSA PRIVATE KEY-----\nMIIEow${body}\n${v.alnum(64)}\n-----END RSA PRIVATE KEY-----`, `-----BEGIN RSA PRIVATE KEY-----\nMIIEow${body}`]; }],
];

// ---------------------------------------------------------------- secrets (evasions)
const SECRET_EVASION = [
  ['evasion_base64', (v) => { const t = tokens.github(v); const e = b64(`token=${t}`); return [`echo ${e} | base64 -d`, e]; }],
  ['evasion_hex', (v) => { const p = v.password(); const e = hexOf(`password=${p}`); return [`payload = bytes.fromhex("${e}")`, e]; }],
  ['evasion_concat', (v) => { const t = tokens.github(v); const cut = 10 + v.int(20); return [`const token = "${t.slice(0, cut)}" + "${t.slice(cut)}";`, `${t.slice(0, cut)}" + "${t.slice(cut)}`]; }],
  ['evasion_split_lines', (v) => { const t = tokens.gitlab(v); const cut = 8 + v.int(10); return [`아래 토큰 두 줄로 나눠서 보냅니다\n${t.slice(0, cut)}\n${t.slice(cut)}`, `${t.slice(0, cut)}\n${t.slice(cut)}`]; }],
  ['evasion_messages', (v) => { const t = tokens.github(v); const cut = 12 + v.int(10); return [[`my token is ${t.slice(0, cut)}`, `${t.slice(cut)} why does it fail?`], null]; }],
  ['evasion_spaced', (v) => { const t = tokens.aws(v); return [`key: ${spaced(t)}`, spaced(t)]; }],
  ['evasion_confusable', (v) => { const t = tokens.github(v); const c = 'g\u04bbp' + t.slice(3); return [`GITHUB_TOKEN=${c}`, c]; }],
  ['evasion_bom', (v) => { const t = tokens.stripe(v); return [`STRIPE_KEY=\ufeff${t}`, `\ufeff${t}`]; }],
];

// ---------------------------------------------------------------- pii (positive and evasions)
const PII = [
  ['kr_rrn', (v) => { const r = v.rrn(); return [v.pick([`고객 주민번호: ${r}`, `INSERT INTO customer (name, rrn) VALUES ('김민수', '${r}');`, `{"name":"이서연","rrn":"${r}"}`, `신청인 ${r} 홍길동`]), r]; }],
  ['kr_frn', (v) => { const r = v.frn(); return [`외국인등록번호 ${r}`, r]; }],
  ['kr_brn', (v) => { const b = v.brn(v.pick(['-', null])); return [v.pick([`사업자등록번호: ${b}`, `business_no=${b}`, `거래처 사업자번호 ${b} 확인 부탁드립니다`]), b]; }],
  ['card', (v) => { const c = v.card(); return [v.pick([`카드번호 ${c} 결제 실패 로그`, `card_no: "${c}"`, `2024-03-02 ERROR PaymentService - declined pan=${c}`]), c]; }],
  ['kr_mobile', (v) => { const m = v.mobile(v.pick(['-', ' ', '.', ''])); return [v.pick([`연락처 ${m}`, `phone: "${m}"`, `담당자 김대리 ${m}로 연락 주세요`]), m]; }],
  ['kr_internet_phone', (v) => { const m = `070-${v.digits(4)}-${v.digits(4)}`; return [`고객센터 ${m}`, m]; }],
  ['kr_driver_license', (v) => { const d = v.driverLicense(); return [`운전면허번호: ${d}`, d]; }],
  ['kr_bank_account', (v) => { const [bank, gen] = v.bankAccount(); const a = gen(); return [v.pick([`${bank} ${a} 예금주 김민수`, `환불 계좌: ${bank} ${a}`, `refund to ${bank} ${a}`]), a]; }],
  ['email', (v) => { const e = `${v.pick(['minsu.kim', 'sy.lee', 'park_jh', 'choi.dev'])}${v.digits(2)}@${v.pick(['acmebank.co.kr', 'naver.com', 'corp.kr'])}`; return [`담당: ${e}`, e]; }],
];
const PII_EVASION = [
  ['evasion_rrn_lines', (v) => { const r = v.rrn(); return [`주민번호 앞자리 ${r.slice(0, 7)}\n${r.slice(7)} 입니다`, `${r.slice(0, 7)}\n${r.slice(7)}`]; }],
  ['evasion_korean_digits', (v) => { const m = koreanDigits(v.mobile(' ')); return [`전화번호는 ${m} 입니다`, m]; }],
  ['evasion_fullwidth', (v) => { const m = v.mobile('-').replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))); return [`연락처 ${m}`, m]; }],
];

// ---------------------------------------------------------------- classification
const CLASSIFICATION = [
  ['daeoebi', (v) => { const t = '대외비'; return [v.pick([`[${t}] 2025년 여신 심사 기준 개정안`, `/* ${t} - 외부 반출 금지 */`, `문서등급: ${t}`]), t]; }],
  ['sanae_hanjeong', (v) => { const t = v.pick(['사내한정', '사내 한정']); return [`[${t}] 차세대 계정계 전환 일정`, t]; }],
  ['gimil', (v) => [v.pick(['[기밀] 인사평가 결과', '본 자료는 기밀입니다. 무단 배포 금지']), '기밀']],
  ['geukbi', (v) => [v.pick(['[극비] M&A 실사 자료', '극비 - 임원 외 열람 금지']), '극비']],
  ['bimil', (v) => [v.pick(['[비밀] 2025 조직개편안', '보안등급: 비밀', '2급 비밀 문서 목록']), '비밀']],
  ['confidential', (v) => { const t = v.pick(['CONFIDENTIAL', 'Confidential', 'confidential']); return [v.pick([`// ${t} - do not distribute`, `<!-- ${t} -->`, `Classification: ${t}`, `# ${t}: pricing model v3`]), t]; }],
  ['strictly_confidential', (v) => { const t = v.pick(['Strictly Confidential', 'STRICTLY CONFIDENTIAL', 'strictly confidential']); return [`${t} — Board of Directors only`, t]; }],
  ['internal_use_only', (v) => { const t = v.pick(['Internal Use Only', 'INTERNAL USE ONLY', 'Internal Only']); return [`/* ${t} */\nSELECT * FROM loan_applications;`, t]; }],
];

// ---------------------------------------------------------------- look-alike negatives
const NEGATIVE = [
  ['placeholder', (v) => v.pick(['password: ${DB_PASSWORD}', 'spring.datasource.password=${SPRING_DATASOURCE_PASSWORD}', 'DB_PASSWORD=<YOUR_PASSWORD>', 'password: changeme', 'password: "****"', '<password>${env.NEXUS_PASSWORD}</password>', 'api_key: <YOUR_API_KEY>', 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'token: "{{ .Values.token }}"', 'password = os.environ["DB_PASSWORD"]', '@Value("${db.password}")', `sqlplus ${user(v)}/\${ORA_PW}@PRODDB`, 'curl -u admin https://nexus.acme.local', 'docker login -u acme --password-stdin'])],
  ['vendor_example', (v) => v.pick(['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'stripe test: sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'test card 4111 1111 1111 1111', 'card: 4242-4242-4242-4242', `STRIPE_KEY=sk_test_51EXAMPLE${v.alnum(20)}`])],
  ['password_setting', (v) => v.pick(['password_min_length: 12', 'passwordEncoder: bcrypt', 'password-policy: strict', 'spring.security.password.hash=argon2', 'PASSWORD_EXPIRY_DAYS=90', 'password: required', 'password_reset_url: https://portal.acme.io/reset', 'private String password;', 'if (password == null) throw new IllegalArgumentException();'])],
  ['hash_or_id', (v) => v.pick([`commit ${v.hex(40)}`, `sha256: ${v.hex(64)}`, `request_id=${v.hex(8)}-${v.hex(4)}-4${v.hex(3)}-a${v.hex(3)}-${v.hex(12)}`, `"integrity": "sha512-${Buffer.from(v.hex(32)).toString('base64')}"`, `image: registry.acme.local/app@sha256:${v.hex(64)}`, `token_count: ${v.int(8000)}`])],
  ['code', (v) => v.pick(['const tokenizer = AutoTokenizer.from_pretrained(modelName);', 'user.setPassword(passwordEncoder.encode(rawPassword));', 'String pw = request.getParameter("password");', 'if (!secretManager.exists(secretName)) { return null; }', 'export function validateToken(token: string): boolean {', `for i in range(${v.int(100)}): print(i)`, 'SELECT id, name FROM customers WHERE status = \'ACTIVE\';'])],
  ['number_lookalike', (v) => v.pick([`주문번호 ${v.digits(6)}-${v.digits(7)}`, `order_id: ${v.digits(13)}`, `2024-0${1 + v.int(8)}-1${v.int(9)} 10:2${v.int(9)}:3${v.int(9)}.${v.digits(3)}`, `version 1.${v.int(20)}.${v.int(30)}`, `ts=${Date.UTC(2024, 0, 1) + v.int(1e9)}`, `invoice ${v.badCard()}`, `사업자등록번호 ${v.brn('-', false)}`, `tel: 02-XXXX-XXXX`, `010-0000-0000 형식으로 입력`, `ticket 302-${v.digits(4)}-${v.digits(4)}-${v.digits(2)} closed`, `주민번호 형식: 000000-0000000`, `port ${v.digits(5)}`])],
  ['classification_lookalike', (v) => v.pick(['level = Classification.CONFIDENTIAL', '  CONFIDENTIAL = 3,', 'public enum Grade { PUBLIC, INTERNAL, CONFIDENTIAL }', 'Confidential Computing on Azure uses AMD SEV-SNP', '보안 등급은 공개, 사내한정, 대외비, 기밀로 구분됩니다', 'Our classification levels are Public, Internal Use Only, Confidential and Strictly Confidential.', '비밀번호를 입력하세요', '정보보호 3요소: 기밀성, 무결성, 가용성', '기밀유지계약(NDA) 양식 공유드립니다', '대외협력팀 회의록', 'INTERNAL_ONLY = True', 'please keep this between us', 'isConfidential: false', '비밀유지 서약서 제출'])],
  ['email_lookalike', (v) => v.pick(['contact: user@example.com', 'icon@2x.png', 'git@github.com:acme/app.git', 'import { x } from "@acme/core";', '@Autowired private UserService userService;'])],
  ['chat', (v) => v.pick(['이 쿼리 왜 느린지 봐주세요', 'NullPointerException at com.acme.loan.LoanService.approve(LoanService.java:142)', 'How do I rotate the Vault token automatically?', 'Kubernetes Secret을 base64로 넣는 방법 알려줘', '비밀번호 정책을 12자 이상으로 바꾸려면?', 'What does IDENTIFIED BY do in Oracle?'])],
];

module.exports = { SECRET, SECRET_EVASION, PII, PII_EVASION, CLASSIFICATION, NEGATIVE, b64 };

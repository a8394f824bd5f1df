// The built-in pack's classification tags: documents marked confidential or internal-only.
import type { RuleDefinition } from './types';

const r = String.raw;

// A sentence that lists or explains the grades, or a product named after one, is not a marking: these words
// within the context window drop the match.
const NOT_A_MARKING = [
  '공개,', '등급은', '등급으로', '등급 체계', '구분됩니다', '분류 기준', 'public,', 'public and', 'grades', 'levels', 'level is one of',
  'confidential and', 'enum', 'confidential computing', 'confidential vm', 'confidential container', 'confidential space', 'confidential ledger',
  'confidential client', 'confidential transaction', 'confidential gke', 'confidential node',
];

function marking(
  id: string,
  description: string,
  pattern: string,
  keywords: string[],
  action: RuleDefinition['action'],
  positive: string[],
  negative: string[],
): RuleDefinition {
  return {
    id,
    category: 'classification',
    description,
    pattern,
    keywords,
    context: { words: keywords, window: 40, required: false, forbidden: NOT_A_MARKING },
    action,
    severity: action === 'block' ? 'critical' : 'low',
    examples: { positive, negative },
  };
}

// Where a marking stands: start of a line (after comment or banner characters), inside brackets, or after a
// label such as "Classification:" / "보안등급:".
const PLACED = r`(?:^[\t #/*;!<>=\[(|"'_~-]*|[\[(<【「『*]\s*|(?:<!--|/\*+|//|#|--)\s*|(?i:classification|classified|label|marking|sensitivity|security level|보안\s?등급|등급|분류)\s*[:=]\s*["']?)`;

export const CLASSIFICATION_RULES: RuleDefinition[] = [
  marking(
    'classification.confidential',
    'CONFIDENTIAL marking: upper case anywhere, or any case where a marking stands; not an identifier, enum member or product name',
    r`(?m)(?:(?:^|[^.\w])(CONFIDENTIAL)|` + PLACED + r`(?:(?i)(?:company\s+|highly\s+)?(confidential)))(?:\s*$|\s*[^\w\s=,(;]|\s+\w)`,
    ['confidential'],
    'block',
    ['CONFIDENTIAL - do not distribute', '[CONFIDENTIAL] Q3 roadmap', '// Confidential: internal pricing model', 'Classification: confidential'],
    ['keep this confidential', 'const NOT_CONFIDENTIAL = 1', 'level = Classification.CONFIDENTIAL', '  CONFIDENTIAL = 3,', 'Confidential Computing on Azure'],
  ),
  marking(
    'classification.strictly_confidential',
    'Strictly Confidential / Highly Confidential marking, any case',
    r`(?i)\b((?:strictly|highly)\s+confidential)\b`,
    ['confidential'],
    'block',
    ['Strictly Confidential - Board only', 'STRICTLY CONFIDENTIAL'],
    ['Our levels are Public, Internal Use Only, Confidential and Strictly Confidential.', 'strictly confidentiality-preserving protocol'],
  ),
  marking(
    'classification.daeoebi',
    '대외비 (not for outside distribution) marking',
    r`대외비`,
    ['대외비'],
    'block',
    ['[대외비] 2025 사업계획', '본 문서는 대외비입니다'],
    ['대외 비용 정산', '대외협력팀 회의록', '보안 등급은 공개, 사내한정, 대외비, 기밀로 구분됩니다'],
  ),
  marking(
    'classification.gimil',
    '기밀 (secret) marking, not the words 기밀성 (confidentiality) or 기밀유지 (non-disclosure)',
    r`(?:^|[^가-힣])(기밀)(?:$|[^성유])`,
    ['기밀'],
    'block',
    ['[기밀] 인사 평가 자료', '이 문서는 기밀입니다'],
    ['정보보호의 3요소: 기밀성, 무결성, 가용성', '기밀유지협약(NDA) 양식'],
  ),
  marking(
    'classification.geukbi',
    '극비 (top secret) marking',
    r`극비`,
    ['극비'],
    'block',
    ['[극비] M&A 검토 자료', '극비 - 임원 외 열람 금지'],
    ['극복 방안', '비극'],
  ),
  marking(
    'classification.bimil',
    '비밀 (secret) as a marking (placed as a tag, or 1급/2급/3급 비밀); not 비밀번호 (password) or 비밀유지 (non-disclosure)',
    r`(?m)(?:[123]급\s?(비밀)|` + PLACED + r`(비밀))(?:$|[\]\)>】」』*\s:.-]|문서|자료)`,
    ['비밀'],
    'block',
    ['[비밀] 2025 조직개편안', '2급 비밀 문서', '보안등급: 비밀'],
    ['비밀번호를 입력하세요', '[비밀번호] 변경', '비밀유지계약서'],
  ),
  marking(
    'classification.internal_only',
    'Internal Only / Internal Use Only marking: recorded (audit), not altered',
    r`(?i)\b(INTERNAL[ -](?:USE[ -])?ONLY)\b`,
    ['internal'],
    'allow',
    ['INTERNAL ONLY: staging rotation plan', 'Label: Internal-Only', '<!-- Internal Use Only -->'],
    ['INTERNAL_ONLY = True', 'internal tools only'],
  ),
  marking(
    'classification.sanae_hanjeong',
    '사내한정 / 사내전용 (internal only) marking: recorded (audit), not altered',
    r`사내\s?(?:한정|전용)`,
    ['사내'],
    'allow',
    ['[사내한정] 신규 서비스 요금표', '본 자료는 사내 전용입니다'],
    ['사내 식당 메뉴', '보안 등급은 공개, 사내한정, 대외비, 기밀로 구분됩니다'],
  ),
  // ---------------------------------------------------------------- generic, last: specific rules win ties
  {
    id: 'secret.generic_high_entropy',
    category: 'secret',
    description: 'High-entropy value (16+ chars, letters and digits, no dots: code references) assigned to a key/secret/password/token name',
    pattern: r`(?i)(?:secret|token|passwd|password|pwd|api[_-]?key|access[_-]?key|auth[_-]?key|credentials?|private[_-]?key|(?:encryption|signing|master|hmac|aes|enc)[_-]?key)[a-z0-9_.-]*["']?\s*(?:=|:|:=|=>)\s*["'\x60]?([A-Za-z0-9+/=_!@#$%^&*~-]{16,256})`,
    keywords: ['secret', 'token', 'passwd', 'password', 'pwd', 'apikey', 'api_key', 'api-key', 'accesskey', 'access_key', 'access-key', 'authkey', 'auth_key', 'auth-key', 'credential', 'privatekey', 'private_key', 'private-key', 'encryption', 'signing', 'master', 'hmac', 'aes', 'enc_key', 'enc-key', 'enckey'],
    entropy: 3.5,
    validator: 'generic',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['DB_PASSWORD=Xk9#mQ2vL7pR4tW8z!', 'api_key: "Rt8vQ2mZ6xLp4Nw9Kb3Hc7"', 'client_secret = "aB3dE5fG7hJ9kL1mN3pQ5rS7"'],
      negative: [
        'password = os.environ["DB_PASSWORD"]',
        'token = "550e8400-e29b-41d4-a716-446655440000"',
        'secret_sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"',
        'password: ${DB_PASSWORD}',
        'tokenizer = AutoTokenizer.from_pretrained(model_name)',
        'apiKey: process.env.OPENAI_API_KEY_V2',
      ],
    },
  },
];

// The built-in pack's classification tags: documents marked confidential or internal-only.
import type { RuleDefinition } from './types';

const r = String.raw;

export const CLASSIFICATION_RULES: RuleDefinition[] = [
  {
    id: 'classification.confidential',
    category: 'classification',
    description: 'CONFIDENTIAL marking (upper case, not part of an identifier or enum member)',
    pattern: r`(?:^|[^.\w])(CONFIDENTIAL)\b`,
    keywords: ['confidential'],
    action: 'block',
    severity: 'high',
    examples: {
      positive: ['CONFIDENTIAL - do not distribute', '[CONFIDENTIAL] Q3 roadmap'],
      negative: ['keep this confidential', 'const NOT_CONFIDENTIAL = 1', 'level = Classification.CONFIDENTIAL'],
    },
  },
  {
    id: 'classification.daeoebi',
    category: 'classification',
    description: '대외비 (not for outside distribution) marking',
    pattern: r`대외비`,
    keywords: ['대외비'],
    action: 'block',
    severity: 'critical',
    examples: {
      positive: ['[대외비] 2025 사업계획', '본 문서는 대외비입니다'],
      negative: ['대외 비용 정산', '대외협력팀 회의록'],
    },
  },
  {
    id: 'classification.gimil',
    category: 'classification',
    description: '기밀 (secret) marking, not the words 기밀성 (confidentiality) or 기밀유지 (non-disclosure)',
    pattern: r`(?:^|[^가-힣])(기밀)(?:$|[^성유])`,
    keywords: ['기밀'],
    action: 'block',
    severity: 'critical',
    examples: {
      positive: ['[기밀] 인사 평가 자료', '이 문서는 기밀입니다'],
      negative: ['정보보호의 3요소: 기밀성, 무결성, 가용성', '기밀유지협약(NDA) 양식'],
    },
  },
  {
    id: 'classification.internal_only',
    category: 'classification',
    description: 'INTERNAL ONLY marking: recorded (audit), not altered',
    pattern: r`(?i)\bINTERNAL[ -]ONLY\b`,
    keywords: ['internal'],
    action: 'allow',
    severity: 'low',
    examples: {
      positive: ['INTERNAL ONLY: staging rotation plan', 'Label: Internal-Only'],
      negative: ['INTERNAL_ONLY = True', 'internal tools only'],
    },
  },
  // ---------------------------------------------------------------- generic, last: specific rules win ties
  {
    id: 'secret.generic_high_entropy',
    category: 'secret',
    description: 'High-entropy value (16+ chars, letters and digits, no dots: code references) assigned to a key/secret/password/token name',
    pattern: r`(?i)(?:secret|token|passwd|password|pwd|api[_-]?key|access[_-]?key|auth[_-]?key|credentials?|private[_-]?key)[a-z0-9_.-]*["']?\s*(?:=|:|:=|=>)\s*["'\x60]?([A-Za-z0-9+/=_!@#$%^&*~-]{16,256})`,
    keywords: ['secret', 'token', 'passwd', 'password', 'pwd', 'apikey', 'api_key', 'api-key', 'accesskey', 'access_key', 'access-key', 'authkey', 'auth_key', 'auth-key', 'credential', 'privatekey', 'private_key', 'private-key'],
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

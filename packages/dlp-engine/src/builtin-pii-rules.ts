// The built-in pack's personal data: Korean identification numbers (checksummed where they have one), cards,
// phone numbers, bank accounts, e-mail addresses and passports.
import type { RuleDefinition } from './types';

// Examples are synthetic: checksums computed for made-up numbers, documentation test cards.
const r = String.raw;

export const PII_RULES: RuleDefinition[] = [
  {
    id: 'pii.kr_rrn',
    category: 'pii',
    description: '주민등록번호 (resident registration number): valid birth date, 7th digit 1-4; checksum raises confidence',
    pattern: r`\b[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:\s?-\s?|\s)?[1-4][0-9]{6}\b`,
    validator: 'rrn',
    context: { words: ['주민', '생년월일', 'rrn', 'resident'], window: 30, required: false },
    action: 'pseudonymize',
    severity: 'critical',
    examples: {
      positive: ['주민등록번호: 900101-1234568', '신청인 850615-2345674 홍길동', 'RRN 9001011234568 (no separator: the checksum must hold)'],
      negative: ['900230-1234567', '901301-1234567', '900101-5234567', 'id 9001011234567890', 'order 900101-12345', 'ts=1704203647343'],
    },
  },
  {
    id: 'pii.kr_frn',
    category: 'pii',
    description: '외국인등록번호 (alien registration number): valid birth date, 7th digit 5-8',
    pattern: r`\b[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:\s?-\s?|\s)?[5-8][0-9]{6}\b`,
    validator: 'frn',
    context: { words: ['외국인', 'alien', 'foreigner', 'frn'], window: 30, required: false },
    action: 'pseudonymize',
    severity: 'critical',
    examples: {
      positive: ['외국인등록번호 920304-5123458', 'ARC 051111-7123451'],
      negative: ['920304-1234567', '920230-5123458'],
    },
  },
  {
    id: 'pii.kr_brn',
    category: 'pii',
    description: '사업자등록번호 (business registration number) xxx-xx-xxxxx with a valid checksum',
    pattern: r`\b[0-9]{3}[ .-][0-9]{2}[ .-][0-9]{5}\b`,
    validator: 'brn',
    context: { words: ['사업자', 'business', 'brn', '등록번호', 'tax'], window: 30, required: false },
    action: 'mask',
    severity: 'medium',
    examples: {
      positive: ['사업자등록번호 123-45-67891', 'BRN: 220-81-23455'],
      negative: ['사업자등록번호 123-45-67890', 'ref 1234567891'],
    },
  },
  {
    id: 'pii.card_number',
    category: 'pii',
    description: 'Payment card number: 13-19 digits, separators allowed, Luhn and issuer range required',
    pattern: r`\b[0-9]{4}(?:[ .-]?[0-9]{4}){2}[ .-]?[0-9]{1,7}\b|\b[0-9]{4}[ .-]?[0-9]{6}[ .-]?[0-9]{5}\b`,
    validator: 'luhn',
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: ['card 4532 0151 1283 0366', '카드번호 5123-4567-8901-2346', 'amex 3782 822463 10005'],
      negative: ['card 4532 0151 1283 0367', 'ts 1700000000000', '0000 0000 0000 0000'],
    },
  },
  {
    id: 'pii.kr_mobile',
    category: 'pii',
    description: 'Korean mobile number 01[016789]-xxxx-xxxx, also +82 form',
    pattern: r`(?:\+82[ .-]?|\b0)1[016789][ .-]?[0-9]{3,4}[ .-]?[0-9]{4}\b`,
    validator: 'phone',
    action: 'mask',
    severity: 'medium',
    examples: {
      positive: ['연락처: 010-1234-5678', 'call +82 10 9876 5432', '01098765432로 연락 주세요'],
      negative: ['010-XXXX-XXXX 형식으로 입력', 'id 0101234567890123', 'version 010-12-34', '010-0000-0000'],
    },
  },
  {
    id: 'pii.kr_landline',
    category: 'pii',
    description: 'Korean landline number (02 / 0[3-6][1-5]) with separators',
    pattern: r`(?:\((?:02|0[3-6][1-5])\)\s?|\b(?:02|0[3-6][1-5])[ .-])[0-9]{3,4}[ .-][0-9]{4}\b`,
    validator: 'phone',
    action: 'mask',
    severity: 'low',
    examples: {
      positive: ['대표전화 02-1234-5678', '(031) 123-4567', 'fax 051.987.6543'],
      negative: ['02-XXXX-XXXX', 'date 2024-02-1234', 'ratio 02-123'],
    },
  },
  {
    id: 'pii.bank_account',
    category: 'pii',
    description: 'Bank account number (10-14 digits, grouped or not) next to a banking word',
    pattern: r`\b(?:[0-9]{2,6}-[0-9]{2,6}-[0-9]{4,7}(?:-[0-9]{1,3})?|[0-9]{10,14})\b`,
    keywords: ['계좌', '은행', 'account', 'acct', 'bank', '입금', '이체', '예금주'],
    context: { words: ['계좌', '은행', 'account', 'acct', 'bank', '입금', '이체', '예금주'], window: 30, required: true },
    validator: 'account',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['입금 계좌: 110-123-456789 (신한은행)', 'Please wire to account 3333-01-1234567', '국민은행 123456-01-234567'],
      negative: ['주문번호 110-123-456789', 'account created on 2024-01-15', 'bank holiday 2024'],
    },
  },
  {
    id: 'pii.email',
    category: 'pii',
    description: 'E-mail address (documentation domains and image names like icon@2x.png excluded)',
    pattern: r`(?:^|(?i:mailto:)|[^A-Za-z0-9._%+:/!#$&*-])([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})\b`,
    keywords: ['@'],
    validator: 'email',
    action: 'pseudonymize',
    severity: 'medium',
    examples: {
      positive: ['contact hong.gildong@acme-corp.co.kr', 'mail me: jane_doe+dlp@mail.acme.io'],
      negative: [
        'user@example.com',
        'icon@2x.png',
        'import x from "@airlock/dlp-engine"',
        'git@github.com:acme/app.git',
        'postgres://app:Xr7kq2@db.acme.io/app',
      ],
    },
  },
  {
    id: 'pii.kr_passport',
    category: 'pii',
    description: 'Korean passport number (M/S/R/O/D/G + 8 digits, or M123A4567) next to a passport word',
    pattern: r`\b(?:[MSRODG][0-9]{8}|[MSRODG][0-9]{3}[A-Z][0-9]{4})\b`,
    keywords: ['여권', 'passport'],
    context: { words: ['여권', 'passport'], window: 40, required: true },
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['여권번호: M12345678', 'Passport No. M123A4567'],
      negative: ['M12345678 model number', 'passport photo size S1234'],
    },
  },
];

// The built-in pack's Korean personal data added in pack 2: driver's licences, bank accounts in each bank's
// format next to the bank's name, internet phones (070) and business numbers written without hyphens.
// Examples are synthetic: made-up numbers, checksums computed where the format has one.
import type { RuleDefinition } from './types';

const r = String.raw;

const REGIONS = '서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산|세종|경기남부|경기북부';
// Bank names as people write them next to an account number (Korean, short forms, English).
export const BANK_WORDS = [
  '은행', '계좌', '입금', '이체', '예금주', '신한', '국민', '우리', '하나', '농협', '기업', '카카오', '카뱅', '토스', '케이뱅크',
  '우체국', '새마을', '수협', '씨티', '부산', '대구', '광주', '경남', '전북', '제주', 'sc제일', 'kb', 'nh', 'ibk', 'sh',
  'shinhan', 'woori', 'hana', 'kakao', 'toss', 'kbank', 'citi', 'bank', 'account', 'acct',
];

export const PII_KR_RULES: RuleDefinition[] = [
  {
    id: 'pii.kr_driver_license',
    category: 'pii',
    description: "운전면허번호 (driver's licence): region name or code, then 2-6-2 digits",
    pattern: `(?:(?:${REGIONS})\\s?|\\b(?:1[1-9]|2[0-8])[ -]?)[0-9]{2}[ -]?[0-9]{6}[ -]?[0-9]{2}\\b`,
    context: { words: ['면허', 'licen', 'driver', '운전', 'dl'], window: 40, required: false },
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['운전면허번호: 서울 12-345678-90', "driver's license 11-23-456789-01"],
      negative: ['order 11-23-456789', 'build 2024-01-15-1234'],
    },
  },
  {
    id: 'pii.kr_bank_account',
    category: 'pii',
    description: 'Bank account number in a Korean bank format (3-3-6, 6-2-6, 4-3-6, 3-6-5, 3-4-4-2, 3-6-2-3, 4-2-7, 3-2-6…) next to a bank name',
    pattern: r`\b(?:[0-9]{3}-[0-9]{2,6}-[0-9]{5,7}|[0-9]{4}-[0-9]{2,3}-[0-9]{6,7}|[0-9]{6}-[0-9]{2}-[0-9]{6}|[0-9]{3}-[0-9]{4}-[0-9]{4}-[0-9]{2}|[0-9]{3}-[0-9]{6}-[0-9]{2}-[0-9]{3}|[0-9]{3}-[0-9]{6}-[0-9]{3})\b`,
    context: { words: BANK_WORDS, window: 30, required: true },
    validator: 'account',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['신한 110-482-193756 김민수', 'IBK기업은행 123-456789-01-234', '카카오뱅크 3333-12-1234567', 'NH농협 302-1234-5678-91'],
      negative: ['주문번호 110-482-193756', 'ticket 302-1234-5678-91 closed'],
    },
  },
  {
    id: 'pii.kr_internet_phone',
    category: 'pii',
    description: 'Korean internet (070) and personal (050x) phone numbers, with or without separators',
    pattern: r`\b0(?:70|50[2-8])[ .-]?[0-9]{3,4}[ .-]?[0-9]{4}\b`,
    validator: 'phone',
    action: 'mask',
    severity: 'medium',
    examples: {
      positive: ['고객센터 070-4321-8765', '인터넷전화 070 8123 4567', '0505.123.4567'],
      negative: ['070-0000-0000', 'ver 070-12'],
    },
  },
  {
    id: 'pii.kr_brn_plain',
    category: 'pii',
    description: '사업자등록번호 written as 10 digits without hyphens: business words nearby and a valid checksum',
    pattern: r`\b[0-9]{10}\b`,
    validator: 'brn',
    context: { words: ['사업자', 'business', 'brn', '등록번호', 'tax id', '법인'], window: 30, required: true },
    action: 'mask',
    severity: 'medium',
    examples: {
      positive: ['사업자등록번호 1234567891', 'business_no=2208123455'],
      negative: ['사업자등록번호 1234567890', 'order 1234567891'],
    },
  },
];

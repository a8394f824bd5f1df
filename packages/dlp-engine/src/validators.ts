export type ValidatorName =
  | 'luhn'
  | 'rrn'
  | 'frn'
  | 'brn'
  | 'jwt'
  | 'credential'
  | 'password'
  | 'generic'
  | 'email'
  | 'account'
  | 'phone'
  | 'basic_auth'
  | 'none';
export const VALIDATORS: readonly ValidatorName[] = [
  'luhn', 'rrn', 'frn', 'brn', 'jwt', 'credential', 'password', 'generic', 'email', 'account', 'phone', 'basic_auth', 'none',
];

/** `ok: false` rejects the match; `strong` raises the finding's confidence (a checksum held). */
export interface Verdict {
  ok: boolean;
  strong: boolean;
}

const REJECT: Verdict = { ok: false, strong: false };
const WEAK: Verdict = { ok: true, strong: false };
const STRONG: Verdict = { ok: true, strong: true };

function digitsOf(value: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) out.push(c);
  }
  return out;
}

export function luhnValid(digits: number[]): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits[i]!;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function luhn(value: string): Verdict {
  const d = digitsOf(value);
  if (d.length < 13 || d.length > 19) return REJECT;
  if (d.every((x) => x === d[0])) return REJECT;
  // Issuer ranges in use (Visa, Mastercard, Amex/JCB/Diners, Discover/UnionPay, Korean domestic 9xxx);
  // excludes millisecond timestamps and other 1-prefixed counters that pass Luhn one time in ten.
  if (![3, 4, 5, 6, 9].includes(d[0]!)) return REJECT;
  return luhnValid(d) ? STRONG : REJECT;
}

function validDate(yy: number, mm: number, dd: number, century: number): boolean {
  if (mm < 1 || mm > 12 || dd < 1) return false;
  const year = century + yy;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1]!;
  return dd <= days;
}

const RRN_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

function residentNumber(value: string, genders: readonly number[]): Verdict {
  const d = digitsOf(value);
  if (d.length !== 13) return REJECT;
  const g = d[6]!;
  if (!genders.includes(g)) return REJECT;
  const century = g === 1 || g === 2 || g === 5 || g === 6 ? 1900 : 2000;
  if (!validDate(d[0]! * 10 + d[1]!, d[2]! * 10 + d[3]!, d[4]! * 10 + d[5]!, century)) return REJECT;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += d[i]! * RRN_WEIGHTS[i]!;
  // Numbers issued since October 2020 carry a random last digit: a failed checksum lowers confidence only.
  const rrnCheck = (11 - (sum % 11)) % 10;
  const frnCheck = (13 - (sum % 11)) % 10;
  const check = genders[0] === 5 ? frnCheck : rrnCheck;
  if (check === d[12]) return STRONG;
  // Thirteen digits run together (no separator) are as often a millisecond timestamp or an id: only a
  // checksum that holds makes them a resident number.
  return /[^0-9]/.test(value) ? WEAK : REJECT;
}

export function rrnChecksum(first12: number[]): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += first12[i]! * RRN_WEIGHTS[i]!;
  return (11 - (sum % 11)) % 10;
}

export function frnChecksum(first12: number[]): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += first12[i]! * RRN_WEIGHTS[i]!;
  return (13 - (sum % 11)) % 10;
}

const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5];

export function brnChecksum(first9: number[]): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += first9[i]! * BRN_WEIGHTS[i]!;
  sum += Math.floor((first9[8]! * 5) / 10);
  return (10 - (sum % 10)) % 10;
}

function brn(value: string): Verdict {
  const d = digitsOf(value);
  if (d.length !== 10) return REJECT;
  return brnChecksum(d) === d[9] ? STRONG : REJECT;
}

function base64UrlDecode(part: string): string | null {
  try {
    return Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return null;
  }
}

function jwt(value: string): Verdict {
  const header = base64UrlDecode(value.split('.')[0] ?? '');
  if (!header) return REJECT;
  try {
    const parsed: unknown = JSON.parse(header);
    return parsed !== null && typeof parsed === 'object' && 'alg' in parsed ? STRONG : REJECT;
  } catch {
    return REJECT;
  }
}

// Values that stand for a secret without being one: env-var references, templates, masks, doc placeholders.
const PLACEHOLDER_WORDS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'changeme', 'change_me', 'yourpassword', 'your_password',
  'your-password', 'mypassword', 'my_password', 'pass123', 'example', 'redacted', 'masked', 'placeholder', 'null',
  'none', 'undefined', 'empty', 'test', 'dummy', 'user', 'username', 'admin', 'root', 'xxx', 'secret123', 'changeit',
  'true', 'false', 'yes', 'no', 'on', 'off', 'required', 'optional', 'hidden', 'string', 'str', 'int', 'char', 'varchar',
  'your_password_here', 'yourpasswordhere', 'enter_password', 'p@ssw0rd', 'password123', 'password1', 'qwerty', '123456',
]);
const PLACEHOLDER_PATTERNS: RegExp[] = [
  /^\$\{.*\}?$/, // ${DB_PASSWORD}
  /^\$\(.*\)?$/, // $(cat secret)
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $DB_PASSWORD
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %DB_PASSWORD%
  /^\{\{.*\}\}?$/, // {{ .Values.password }}
  /^\{[^}]*\}$/, // f-string / format placeholder {password}
  /^%[sdv]$|^%\(\w+\)s$/, // printf placeholders
  /^<[^>]*>?$/, // <password>
  /^[*xX•.#_-]{3,}$/, // ****, xxxx
  /^(?:os\.environ|process\.env|os\.getenv|getenv|System\.getenv|env\(|ENV\[|Deno\.env|import\.meta\.env)/,
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, // UUID
  /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$/, // md5/sha1/sha256, git ids
];

function isPlaceholder(value: string): boolean {
  const v = value.replace(/^["'`]+|["'`]+$/g, '');
  if (v.length === 0) return true;
  if (PLACEHOLDER_WORDS.has(v.toLowerCase())) return true;
  return PLACEHOLDER_PATTERNS.some((p) => p.test(v));
}

function credential(value: string): Verdict {
  return isPlaceholder(value) ? REJECT : WEAK;
}

// A password value judged by shape: not a placeholder, not code (a call, a reference, a file or URL), not a
// plain word or a number, and at least two character classes or a long random-looking run.
const NOT_A_PASSWORD = /[()[\]{}]|^[$%@&]|:\/\/|^[.~]?\/|\.(?:txt|pem|key|jks|p12|pfx|json|ya?ml|properties|env|conf|cfg|xml|crt|keystore)$|^(?:this|self|config|cfg|env|props?|settings|options|opts|args|params|request|req|form|user|credentials?)\.|^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$|^[0-9]+$|^[a-z]+(?:[_-][a-z]+)+$|^[A-Z]+(?:_[A-Z0-9]+)+$|^[^\x20-\x7e]/;

// Settings next to a password key that name an algorithm or a mechanism (password.hash=argon2).
const ALGORITHM = /^(?:argon2(?:id|i|d)?|bcrypt|scrypt|pbkdf2\w*|sha-?\d+|md5|aes-?\d+\w*|hmac\w*|rsa\d*|plain|noop|ldap|oauth2?|basic|digest|kerberos|utf-?8|base64)$/i;

function passwordValue(value: string): Verdict {
  const v = value.replace(/[,;]+$/, '');
  if (v.length < 4 || isPlaceholder(v) || NOT_A_PASSWORD.test(v) || ALGORITHM.test(v)) return REJECT;
  if (/[^\x21-\x7e]/.test(v)) return REJECT;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(v)).length;
  if (classes >= 2 && /[A-Za-z]/.test(v)) return WEAK;
  return v.length >= 12 && shannonEntropy(v) >= 3.2 ? WEAK : REJECT;
}

// Dotted code references (config.auth.token) and call chains are assignments of variables, not secrets.
const CODE_REFERENCE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[a-z]+(?:[_-][a-z]+)+$|^[A-Z]+(?:_[A-Z]+)+$/;

function generic(value: string): Verdict {
  if (isPlaceholder(value)) return REJECT;
  if (CODE_REFERENCE.test(value)) return REJECT;
  if (!/[A-Za-z]/.test(value) || !/[0-9]/.test(value)) return REJECT;
  // kebab/snake prose ("must-be-at-least-16-chars") rather than a random string.
  if (!/[A-Z]/.test(value) && value.split(/[-_./]/).length >= 3) return REJECT;
  return WEAK;
}

// Documentation and test domains (RFC 2606/6761) and image suffixes like icon@2x.png are not addresses.
const NOT_EMAIL = /@(?:[^@]*\.)?(?:example\.(?:com|net|org)|example|test|invalid|localhost)$|\.(?:png|jpe?g|gif|svg|webp|ico|bmp|js|ts|css|map)$/i;

// SSH remotes (git@github.com) and automation senders are not personal addresses.
const SERVICE_LOCAL = /^(?:git|noreply|no-reply|donotreply|do-not-reply)@|\.gserviceaccount\.com$|\.(?:internal|local|svc|cluster)$/i;

function email(value: string): Verdict {
  return NOT_EMAIL.test(value) || SERVICE_LOCAL.test(value) ? REJECT : WEAK;
}

// 0000-0000 / 1111-1111 subscriber parts are format examples, not numbers anyone holds.
function phone(value: string): Verdict {
  const d = digitsOf(value).slice(-8);
  return d.every((x) => x === d[0]) ? REJECT : WEAK;
}

// Basic credentials decode to "user:password" in printable ASCII.
function basicAuth(value: string): Verdict {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || !/^[\x20-\x7e]+$/.test(decoded)) return REJECT;
  return isPlaceholder(decoded.slice(colon + 1)) ? REJECT : STRONG;
}

// Account numbers run 10-14 digits in Korea; shorter groups near "account" are dates, ids, amounts.
function account(value: string): Verdict {
  const d = digitsOf(value);
  if (d.length < 10 || d.length > 14) return REJECT;
  if (/^(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]/.test(value)) return REJECT;
  return WEAK;
}

export function runValidator(name: ValidatorName | undefined, value: string): Verdict {
  switch (name) {
    case undefined:
    case 'none':
      return WEAK;
    case 'luhn':
      return luhn(value);
    case 'rrn':
      return residentNumber(value, [1, 2, 3, 4]);
    case 'frn':
      return residentNumber(value, [5, 6, 7, 8]);
    case 'brn':
      return brn(value);
    case 'jwt':
      return jwt(value);
    case 'credential':
      return credential(value);
    case 'password':
      return passwordValue(value);
    case 'generic':
      return generic(value);
    case 'email':
      return email(value);
    case 'account':
      return account(value);
    case 'phone':
      return phone(value);
    case 'basic_auth':
      return basicAuth(value);
  }
}

/** Shannon entropy in bits per character. */
// Per-character counts of an ASCII value, and its characters in order of first occurrence; zeroed after use.
const ASCII_COUNTS = new Int32Array(128);
const ASCII_ORDER = new Uint8Array(128);

export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const ascii = asciiEntropy(value);
  if (ascii !== null) return ascii;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...value].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * shannonEntropy of an ASCII value without a Map (the checks run it on most matches), summing in the same
 * order (first occurrence) so the result is the same to the last bit; null when the value is not ASCII.
 */
function asciiEntropy(value: string): number | null {
  let distinct = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) {
      for (let j = 0; j < distinct; j++) ASCII_COUNTS[ASCII_ORDER[j]!] = 0;
      return null;
    }
    if (ASCII_COUNTS[c]!++ === 0) ASCII_ORDER[distinct++] = c;
  }
  let h = 0;
  for (let j = 0; j < distinct; j++) {
    const c = ASCII_ORDER[j]!;
    const p = ASCII_COUNTS[c]! / value.length;
    ASCII_COUNTS[c] = 0;
    h -= p * Math.log2(p);
  }
  return h;
}

'use strict';
// Seeded generators of synthetic values: random strings in each vendor's token shape, and Korean numbers whose
// checksums are computed (RRN, business registration number, cards with Luhn). Nothing here is a real value.

// The engine's seeded generator (from its corpus entry: the benchmarks need the built engine anyway).
const { prng } = require('@airlock/dlp-engine/corpus');

function values(seed) {
  const rand = prng(seed);
  const int = (n) => Math.floor(rand() * n);
  const pick = (a) => a[int(a.length)];
  const chars = (alphabet, n) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const LO = 'abcdefghijklmnopqrstuvwxyz';
  const DI = '0123456789';
  const AN = UP + LO + DI;
  // Random strings of one alphabet that still contain every class (a real token almost always does).
  const alnum = (n) => {
    for (;;) {
      const s = chars(AN, n);
      if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s)) return s;
    }
  };
  const digits = (n) => chars(DI, n);
  const hex = (n) => chars('0123456789abcdef', n);
  const b32 = (n) => chars('abcdefghijklmnopqrstuvwxyz234567', n);
  const password = () => {
    const words = ['Tiger', 'Hana', 'Blue', 'Seoul', 'Moon', 'River', 'Kbank', 'Orcl', 'Dev', 'Prod', 'Batch', 'Spring'];
    return pick(words) + pick(['#', '!', '@', '$', '%', '^', '&', '*']) + digits(2 + int(3)) + pick(['', chars(LO, 2), chars(UP, 1)]);
  };
  const rrnWeights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const check = (d, base) => (base - (d.reduce((s, x, i) => s + x * rrnWeights[i], 0) % 11)) % 10;
  const birth = (old) => {
    const yy = old ? 50 + int(49) : int(20);
    const mm = 1 + int(12);
    const dd = 1 + int(28);
    return [yy, mm, dd].map((x) => String(x).padStart(2, '0')).join('');
  };
  const rrn = (sep = '-') => {
    const old = rand() < 0.7;
    const first = birth(old);
    const d = [...first, String(old ? 1 + int(2) : 3 + int(2)), ...digits(5)].map(Number);
    return `${first}${sep}${d.slice(6).join('')}${check(d, 11)}`;
  };
  const frn = () => {
    const first = birth(true);
    const d = [...first, String(5 + int(2)), ...digits(5)].map(Number);
    return `${first}-${d.slice(6).join('')}${check(d, 13)}`;
  };
  const brnWeights = [1, 3, 7, 1, 3, 7, 1, 3, 5];
  const brnDigits = (valid = true) => {
    const d = [1 + int(8), ...digits(8)].map(Number);
    let sum = d.reduce((s, x, i) => s + x * brnWeights[i], 0) + Math.floor((d[8] * 5) / 10);
    const c = (10 - (sum % 10)) % 10;
    return [...d, valid ? c : (c + 1 + int(8)) % 10].join('');
  };
  const brn = (sep = '-', valid = true) => {
    const s = brnDigits(valid);
    return sep === null ? s : `${s.slice(0, 3)}${sep}${s.slice(3, 5)}${sep}${s.slice(5)}`;
  };
  const luhnDigit = (body) => {
    let sum = 0;
    for (let i = body.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
      let x = Number(body[i]);
      if (dbl) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    return String((10 - (sum % 10)) % 10);
  };
  const card = (sep = pick(['-', ' ', ''])) => {
    const body = pick(['4', '5' + (1 + int(5)), '9410']) ;
    const b = (body + digits(15 - body.length)).slice(0, 15);
    const n = b + luhnDigit(b);
    return sep ? n.match(/.{4}/g).join(sep) : n;
  };
  const badCard = () => {
    const b = '4' + digits(14);
    const n = b + String((Number(luhnDigit(b)) + 3) % 10);
    return n.match(/.{4}/g).join('-');
  };
  const mobile = (sep = '-') => `010${sep}${1 + int(8)}${digits(3)}${sep}${digits(4)}`;
  const bankAccount = () =>
    pick([
      ['신한은행', () => `110-${digits(3)}-${digits(6)}`],
      ['KB국민은행', () => `${digits(6)}-${digits(2)}-${digits(6)}`],
      ['우리은행', () => `1002-${digits(3)}-${digits(6)}`],
      ['하나은행', () => `${digits(3)}-${digits(6)}-${digits(5)}`],
      ['NH농협', () => `302-${digits(4)}-${digits(4)}-${digits(2)}`],
      ['IBK기업은행', () => `${digits(3)}-${digits(6)}-${digits(2)}-${digits(3)}`],
      ['카카오뱅크', () => `3333-${digits(2)}-${digits(7)}`],
    ]);
  const driverLicense = () =>
    rand() < 0.5
      ? `${pick(['서울', '부산', '경기', '대구', '인천', '경남', '제주'])} ${digits(2)}-${digits(6)}-${digits(2)}`
      : `${pick(['11', '12', '13', '21', '22', '28'])}-${digits(2)}-${digits(6)}-${digits(2)}`;
  return {
    rand, int, pick, chars, alnum, digits, hex, b32, password, rrn, frn, brn, brnDigits, card, badCard, mobile, bankAccount, driverLicense,
    UP, LO, DI,
  };
}

module.exports = { values };

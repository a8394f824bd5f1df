// Helpers shared by the specs: synthetic identifiers with valid (or deliberately broken) checksums.
import { brnChecksum, frnChecksum, luhnValid, rrnChecksum } from './validators';

const toDigits = (s: string) => [...s].map(Number);

export function makeRrn(birth: string, gender: string, serial: string, valid = true): string {
  const body = birth + gender + serial;
  const check = rrnChecksum(toDigits(body));
  return `${birth}-${gender}${serial}${valid ? check : (check + 1) % 10}`;
}

export function makeFrn(birth: string, gender: string, serial: string): string {
  const body = birth + gender + serial;
  return `${birth}-${gender}${serial}${frnChecksum(toDigits(body))}`;
}

export function makeBrn(nine: string, valid = true): string {
  const check = brnChecksum(toDigits(nine));
  const all = nine + (valid ? check : (check + 1) % 10);
  return `${all.slice(0, 3)}-${all.slice(3, 5)}-${all.slice(5)}`;
}

export function makeCard(prefix: string, length: number, valid = true): string {
  const body = prefix.padEnd(length - 1, '7');
  for (let c = 0; c < 10; c++) {
    if (luhnValid(toDigits(body + c)) === valid) return body + c;
  }
  throw new Error('unreachable');
}

export function randomString(rand: () => number, n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

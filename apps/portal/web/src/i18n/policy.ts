// The policy console's strings load with the console: only security administrators open it, and the first
// page should not carry its words. The i18n spec checks them with the rest.
import { type Language, addPageStrings } from './index';
import en from './policy.en.json';
import ko from './policy.ko.json';

export const POLICY_RESOURCES: Record<Language, typeof en> = { en, ko };

/** Adds the console's strings to both languages (idempotent). */
export function loadPolicyStrings(): void {
  addPageStrings(POLICY_RESOURCES);
}

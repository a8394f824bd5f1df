// The operators' pages' strings (fleet, health) load with those pages: only SREs and security administrators
// open them, and the first page should not carry their words. The i18n spec checks them with the rest.
import { type Language, addPageStrings } from './index';
import en from './ops.en.json';
import ko from './ops.ko.json';

export const OPS_RESOURCES: Record<Language, typeof en> = { en, ko };

/** Adds the pages' strings to both languages (idempotent). */
export const loadOpsStrings = () => addPageStrings(OPS_RESOURCES);

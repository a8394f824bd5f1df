// The terminals page's strings load with the page (and xterm.js), not with the first page. The i18n spec checks
// them with the rest.
import { type Language, addPageStrings } from './index';
import en from './terminals.en.json';
import ko from './terminals.ko.json';

export const TERMINALS_RESOURCES: Record<Language, typeof en> = { en, ko };

export const loadTerminalsStrings = () => addPageStrings(TERMINALS_RESOURCES);

// The audit page's terminal-recordings strings load with its recordings panel (and xterm.js). The i18n spec
// checks them with the rest.
import { type Language, addPageStrings } from './index';
import en from './recordings.en.json';
import ko from './recordings.ko.json';

export const RECORDINGS_RESOURCES: Record<Language, typeof en> = { en, ko };

export const loadRecordingsStrings = () => addPageStrings(RECORDINGS_RESOURCES);

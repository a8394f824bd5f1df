// The FinOps console's strings load with the console, not with the first page. The i18n spec checks them with
// the rest.
import en from './finops.en.json';
import ko from './finops.ko.json';
import { type Language, addPageStrings } from './index';

export const FINOPS_RESOURCES: Record<Language, typeof en> = { en, ko };

export const loadFinOpsStrings = () => addPageStrings(FINOPS_RESOURCES);

import type { Content } from './draft-content';
import type { FieldProblem } from './problems';

/** What every section of the draft editor gets: the content, a way to change one field, and the problems. */
export interface SectionProps {
  content: Content;
  change: (path: string, value: unknown) => void;
  problems: readonly FieldProblem[];
  readOnly: boolean;
}

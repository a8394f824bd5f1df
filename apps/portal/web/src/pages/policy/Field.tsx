import type { ReactNode } from 'react';
import { type FieldProblem, problemsAt } from './problems';

/** What a field's control needs to be labelled and to say it is wrong (id, aria-invalid, aria-describedby, status). */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
  status?: 'error';
}

const idOf = (path: string) => `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/**
 * One field of the draft: its label, its control, and the API's problems with it right below, tied to the
 * control (aria-describedby) so a screen reader reads them with it. `hideLabel`: in a table row, whose column
 * header names the field visibly; the label is still there for assistive technology.
 */
export function Field({ path, label, problems, hideLabel, children }: { path: string; label: string; problems: readonly FieldProblem[]; hideLabel?: boolean; children: (control: ControlProps) => ReactNode }) {
  const id = idOf(path);
  const own = problemsAt(problems, path);
  const errorId = `${id}-problems`;
  return (
    <div className={`policy-field${own.length ? ' policy-field-invalid' : ''}`} data-path={path}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      {children(own.length ? { id, 'aria-invalid': true, 'aria-describedby': errorId, status: 'error' } : { id })}
      {own.length > 0 && (
        <ul id={errorId} className="policy-field-problems" data-testid="field-problem">
          {own.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

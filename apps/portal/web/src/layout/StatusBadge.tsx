import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'progress' | 'good' | 'warning' | 'bad';

/**
 * A state in words with a colour that says the same (never the colour alone). Our own, not Ant Design's Tag:
 * its status colours (green and red text on pale backgrounds) stay below 4.5:1 contrast.
 */
export function StatusBadge({ tone, icon, children, testId }: { tone: Tone; icon?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <span className={`status-badge status-${tone}`} data-testid={testId}>
      {icon}
      {children}
    </span>
  );
}

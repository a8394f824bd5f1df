import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  title: ReactNode;
  render: (row: T) => ReactNode;
  align?: 'left' | 'right';
}

/**
 * A plain, semantic table (caption, header cells with scope, numbers right-aligned) in a region that scrolls
 * sideways on its own when the window is narrow, reachable with the keyboard. Not Ant Design's Table: it
 * measures the scrollbar by injecting a <style> element that cannot carry the CSP nonce.
 */
export function DataTable<T>({ caption, columns, rows, rowKey, empty, loading }: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty: ReactNode; loading?: boolean }) {
  return (
    <div className="data-table" role="region" aria-label={caption} tabIndex={0}>
      <table aria-busy={loading || undefined}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.align === 'right' ? 'numeric' : undefined}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.key} className={c.align === 'right' ? 'numeric' : undefined}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

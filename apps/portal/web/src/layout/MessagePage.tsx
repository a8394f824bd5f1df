import { Result } from 'antd';
import type { ResultStatusType } from 'antd/es/result';
import type { ReactNode } from 'react';

/** A page that is one message: its heading (the page's h1), a sentence, and where to go from here. */
export function MessagePage({ status, title, body, action }: { status: ResultStatusType; title: string; body: string; action?: ReactNode }) {
  return <Result status={status} title={<h1 style={{ fontSize: '1.5rem', margin: 0 }}>{title}</h1>} subTitle={body} extra={action} />;
}

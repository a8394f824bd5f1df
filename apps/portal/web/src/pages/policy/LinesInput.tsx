import { Input } from 'antd';
import { useEffect, useState } from 'react';
import type { ControlProps } from './Field';
import { linesOf, textOf } from './draft-content';

/**
 * A list of strings as lines of a text area. The text is kept as typed (a new empty line must survive until
 * something is written on it); the list it stands for goes to the draft.
 */
export function LinesInput({ control, value, readOnly, onChange }: { control: ControlProps; value: unknown; readOnly: boolean; onChange: (lines: string[]) => void }) {
  const [text, setText] = useState(() => textOf(value));
  // Replaced from outside (a save's answer, a discard): show that.
  useEffect(() => {
    setText((current) => (JSON.stringify(linesOf(current)) === JSON.stringify(value ?? []) ? current : textOf(value)));
  }, [value]);
  return (
    <Input.TextArea
      {...control}
      rows={2}
      value={text}
      readOnly={readOnly}
      onChange={(e) => {
        setText(e.target.value);
        onChange(linesOf(e.target.value));
      }}
    />
  );
}

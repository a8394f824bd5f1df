import type { DlpFinding } from '../../api/types';
import { segments } from './highlight';

const finding = (ruleId: string, start: number, end: number): DlpFinding => ({ ruleId, category: 'classification', start, end });

describe('findings marked in the sample text', () => {
  it('cuts the text into plain and marked runs', () => {
    const a = finding('custom.project_code', 10, 22);
    expect(segments('status of PROJECT-ZEUS today', [a])).toEqual([{ text: 'status of ' }, { text: 'PROJECT-ZEUS', findings: [a] }, { text: ' today' }]);
  });

  it('marks overlapping findings once per run, naming each', () => {
    const a = finding('a', 0, 4);
    const b = finding('b', 2, 6);
    expect(segments('abcdefg', [a, b])).toEqual([
      { text: 'ab', findings: [a] },
      { text: 'cd', findings: [a, b] },
      { text: 'ef', findings: [b] },
      { text: 'g' },
    ]);
  });

  it('is the whole text when nothing was found, and counts Korean and emoji as JavaScript does', () => {
    expect(segments('그냥 글', [])).toEqual([{ text: '그냥 글' }]);
    const text = '🙂 코드 PROJECT-ABCD';
    const start = text.indexOf('PROJECT');
    expect(segments(text, [finding('x', start, start + 12)])[1].text).toBe('PROJECT-ABCD');
  });
});

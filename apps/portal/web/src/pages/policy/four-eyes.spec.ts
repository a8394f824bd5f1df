import { approvalBlock } from './four-eyes';

describe('who may approve a draft', () => {
  const draft = { state: 'proposed' as const, proposed_by: 'carol', editors: ['carol', 'erin'] };

  it('not whoever proposed it or edited it', () => {
    expect(approvalBlock(draft, 'carol')).toBe('own_proposal');
    expect(approvalBlock(draft, 'erin')).toBe('own_edit');
  });

  it('another security admin, once it is proposed', () => {
    expect(approvalBlock(draft, 'dave')).toBeNull();
    expect(approvalBlock({ ...draft, state: 'open' }, 'dave')).toBe('not_proposed');
  });
});

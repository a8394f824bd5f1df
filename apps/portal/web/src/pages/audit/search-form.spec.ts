import { defaultForm, filterOf, followCorrelation } from './search-form';

describe('the audit search form', () => {
  // 03:00:30 UTC is 12:00:30 in Seoul.
  const now = new Date('2025-06-01T03:00:30Z');

  it("starts with the last 24 hours in the tenant's zone, up to the next minute", () => {
    const form = defaultForm(now, 'Asia/Seoul');
    expect([form.from, form.to, form.user_id, form.correlation_id]).toEqual(['2025-05-31T12:01', '2025-06-01T12:01', '', '']);
    expect(filterOf(form, 'Asia/Seoul')).toEqual({ from: '2025-05-31T03:01:00.000Z', to: '2025-06-01T03:01:00.000Z' });
  });

  it('sends only the filters filled in, trimmed', () => {
    const form = { ...defaultForm(now, 'UTC'), user_id: ' alice ', dlp_action: 'mask', project_id: '   ' };
    expect(filterOf(form, 'UTC')).toEqual({ from: '2025-05-31T03:01:00.000Z', to: '2025-06-01T03:01:00.000Z', user_id: 'alice', dlp_action: 'mask' });
  });

  it('names an unreadable time instead of searching', () => {
    expect(filterOf({ ...defaultForm(now, 'UTC'), from: '' }, 'UTC')).toEqual({ invalid: 'from' });
    expect(filterOf({ ...defaultForm(now, 'UTC'), to: '2025-13' }, 'UTC')).toEqual({ invalid: 'to' });
  });

  it('follows a correlation id over the same time range, every other filter cleared', () => {
    const form = { ...defaultForm(now, 'UTC'), user_id: 'alice', event_type: 'ai.request' };
    expect(followCorrelation(form, 'req-1')).toEqual({ ...defaultForm(now, 'UTC'), correlation_id: 'req-1' });
  });
});

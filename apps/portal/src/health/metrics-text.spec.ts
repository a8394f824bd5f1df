import { samplesOf, sumOf } from './metrics-text';

const EXPOSITION = `# HELP target_info Target metadata
# TYPE target_info gauge
target_info{service_name="airlock-policy",service_version="0.1.0",telemetry_sdk_language="nodejs"} 1
# TYPE airlock_policy_bundle_active_number gauge
airlock_policy_bundle_active_number 7
airlock_policy_bundle_active_number_extra 99
airlock_event_spool_messages{job="a"} 3
airlock_event_spool_messages{job="b",note="say \\"hi\\""} 4.5
`;

describe('metrics text', () => {
  it('reads the samples of one metric with their labels, not those of a metric whose name it prefixes', () => {
    expect(samplesOf(EXPOSITION, 'target_info')).toEqual([
      { labels: { service_name: 'airlock-policy', service_version: '0.1.0', telemetry_sdk_language: 'nodejs' }, value: 1 },
    ]);
    expect(samplesOf(EXPOSITION, 'airlock_policy_bundle_active_number')).toEqual([{ labels: {}, value: 7 }]);
    expect(samplesOf(EXPOSITION, 'airlock_event_spool_messages')[1]!.labels.note).toBe('say "hi"');
  });

  it('sums a metric over its series, null when it is absent', () => {
    expect(sumOf(EXPOSITION, 'airlock_event_spool_messages')).toBe(7.5);
    expect(sumOf(EXPOSITION, 'airlock_audit_consumer_lag_messages')).toBeNull();
  });
});

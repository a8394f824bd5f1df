import type { Consumer } from 'kafkajs';
import { OffsetCommits } from './offset-commits';

/** A stand-in for a kafkajs consumer that records OffsetCommit requests; `hold` keeps one in flight. */
function recordingConsumer() {
  const requests: Array<Array<{ topic: string; partition: number; offset: string }>> = [];
  const state: { hold?: Promise<void>; fail?: Error } = {};
  const consumer = {
    commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
      requests.push(offsets);
      await state.hold;
      if (state.fail) throw state.fail;
    },
  } as unknown as Consumer;
  return { consumer, requests, state };
}

describe('OffsetCommits', () => {
  it('commits the partitions finishing in the same tick with one request', async () => {
    const { consumer, requests } = recordingConsumer();
    const commits = new OffsetCommits(() => consumer);
    await Promise.all([commits.commit('t', 0, '10'), commits.commit('t', 1, '7'), commits.commit('u', 0, '3')]);
    expect(requests).toEqual([
      [
        { topic: 't', partition: 0, offset: '10' },
        { topic: 't', partition: 1, offset: '7' },
        { topic: 'u', partition: 0, offset: '3' },
      ],
    ]);
  });

  it('sends those asked for while a request is in flight as the next one, each partition at its newest offset', async () => {
    const { consumer, requests, state } = recordingConsumer();
    const commits = new OffsetCommits(() => consumer);
    let release!: () => void;
    state.hold = new Promise((r) => (release = r));
    const first = commits.commit('t', 0, '10');
    while (requests.length === 0) await new Promise((r) => setImmediate(r));
    const later = [commits.commit('t', 1, '5'), commits.commit('t', 1, '9'), commits.commit('t', 2, '4')];
    release();
    await Promise.all([first, ...later]);
    expect(requests).toEqual([
      [{ topic: 't', partition: 0, offset: '10' }],
      [
        { topic: 't', partition: 1, offset: '9' },
        { topic: 't', partition: 2, offset: '4' },
      ],
    ]);
  });

  it('fails every caller of a failed request, so none of their batches counts as committed', async () => {
    const { consumer, state } = recordingConsumer();
    const commits = new OffsetCommits(() => consumer);
    state.fail = new Error('rebalance in progress');
    const results = await Promise.allSettled([commits.commit('t', 0, '1'), commits.commit('t', 1, '1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    state.fail = undefined;
    await expect(commits.commit('t', 0, '2')).resolves.toBeUndefined();
  });
});

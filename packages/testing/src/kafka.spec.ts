import { newClusterId } from './kafka';

describe('newClusterId', () => {
  it('never starts with a dash (the storage tool would parse it as an option) and is 16 bytes of base64url', () => {
    // 1 id in 64 starts with '-' before the redraw, so 5 000 draws would meet many.
    const ids = Array.from({ length: 5_000 }, () => newClusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

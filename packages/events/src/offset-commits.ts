import type { Consumer } from 'kafkajs';
import { GroupCommit } from './group-commit';

interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Group commit of consumed offsets. Each OffsetCommit is a request the broker appends to its offsets log, and
 * a consumer that handles its partitions' batches at the same time finishes them together: committed one by
 * one, a fetch of three partitions costs three requests. Here the commits asked for in the same tick, or
 * while one is in flight, go out as the next single request, each partition with its newest offset; every
 * caller resolves (or fails) with it. A caller still waits for its own offset to be committed, so nothing
 * about when an offset counts as committed changes.
 */
export class OffsetCommits {
  private readonly commits: GroupCommit<string, PartitionOffset>;

  /** `consumer`: the group member to commit through (replaced when it rejoins its group). */
  constructor(consumer: () => Consumer) {
    this.commits = new GroupCommit((offsets) => consumer().commitOffsets([...offsets.values()]));
  }

  /** Resolves once `offset` (the next one to consume) is committed for the partition. */
  commit(topic: string, partition: number, offset: string): Promise<void> {
    // A partition's batches are handled in order and each waits for its commit, so a later offset for the
    // same partition is always the newer one.
    return this.commits.add([[`${topic}\u0000${partition}`, { topic, partition, offset }]]);
  }
}

import path from 'node:path';
import { containerRunning, dockerAnswers, startContainers, stopContainers } from './containers';
import { pingKafka, startKafka } from './kafka';
import { withLock } from './lock';
import { log } from './log';
import { infraRoot, stateFile } from './paths';
import { PG_DATABASE, PG_USER, pingPostgres, postgresUrl, startPostgres } from './postgres';
import { readAdminPassword } from './postgres-auth';
import { freePort, isAlive, portIsFree, stopPid, type StopOptions } from './proc';
import { pingRedis, startRedis } from './redis';
import { REDIS_ADMIN, readRedisAdminPassword } from './redis-auth';
import { emptyState, readState, updateState, type HarnessState, type InfraRecord } from './state';
import { INFRA_COMPONENTS, type InfraComponent, type InfraEndpoints, type InfraProfile, type InfraStatus, type StartInfraOptions } from './types';

interface Driver {
  /** Names of the ports the component listens on; the first is the one clients use. */
  ports: string[];
  start(ports: Record<string, number>, profile: InfraProfile): Promise<InfraRecord>;
  ping(record: InfraRecord): Promise<boolean>;
  stop: Omit<StopOptions, 'startTime'>;
}

const drivers: Record<InfraComponent, Driver> = {
  postgres: {
    ports: ['postgres'],
    start: (p, profile) => startPostgres(p.postgres!, profile),
    ping: (r) => pingPostgres(r.port, 3000),
    // SIGINT is postgres's fast shutdown; SIGTERM would wait for every client to disconnect. Only the
    // postmaster is signalled: it stops its children itself.
    stop: { signal: 'SIGINT', group: false, timeoutMs: 30_000 },
  },
  redis: {
    ports: ['redis'],
    start: (p, profile) => startRedis(p.redis!, profile),
    ping: (r) => pingRedis(r.port, 3000),
    stop: { signal: 'SIGTERM', timeoutMs: 10_000 },
  },
  kafka: {
    ports: ['broker', 'controller'],
    start: (p, profile) => startKafka({ broker: p.broker!, controller: p.controller! }, profile),
    ping: (r) => pingKafka([`127.0.0.1:${r.port}`], 3000),
    stop: { signal: 'SIGTERM', timeoutMs: 30_000 },
  },
};

const infraLock = (): string => path.join(infraRoot(), 'infra.lock');

/** `local` or `testcontainers`, from AIRLOCK_INFRA (`auto`, the default, asks the Docker socket). */
export async function infraMode(): Promise<'local' | 'testcontainers'> {
  const mode = process.env.AIRLOCK_INFRA ?? 'auto';
  if (mode === 'local' || mode === 'testcontainers') return mode;
  if (mode !== 'auto') throw new Error(`AIRLOCK_INFRA must be local, testcontainers or auto, not ${mode}`);
  return (await dockerAnswers()) ? 'testcontainers' : 'local';
}

/** The previous ports when all are still free (stable addresses across restarts), else fresh ones. */
async function choosePorts(names: string[], previous: Record<string, number> | undefined, taken: Set<number>): Promise<Record<string, number>> {
  if (previous && names.every((n) => previous[n])) {
    const wanted = names.map((n) => previous[n]!);
    const free = await Promise.all(wanted.map((p) => (taken.has(p) ? false : portIsFree(p))));
    if (free.every(Boolean)) {
      wanted.forEach((p) => taken.add(p));
      return Object.fromEntries(names.map((n, i) => [n, wanted[i]!]));
    }
  }
  const ports: Record<string, number> = {};
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

/** Endpoints of the recorded components; one not running has port 0 (and no brokers). */
export function endpointsFrom(state: HarnessState): InfraEndpoints {
  const pgPort = state.infra.postgres?.port ?? 0;
  const redisPort = state.infra.redis?.port ?? 0;
  const kafkaPort = state.infra.kafka?.port;
  return {
    // The admin role's password comes from its 0600 file; the URL carries none.
    postgres: { host: '127.0.0.1', port: pgPort, user: PG_USER, password: pgPort ? readAdminPassword() : '', database: PG_DATABASE, url: postgresUrl(pgPort, PG_DATABASE) },
    redis: { host: '127.0.0.1', port: redisPort, url: `redis://127.0.0.1:${redisPort}`, username: REDIS_ADMIN, password: redisPort ? readRedisAdminPassword() : '' },
    kafka: { brokers: kafkaPort ? [`127.0.0.1:${kafkaPort}`] : [] },
  };
}

const running = (r: InfraRecord | undefined): r is InfraRecord => r !== undefined && isAlive(r.pid, r.startTime);

async function startLocal(components: InfraComponent[], profile: InfraProfile): Promise<InfraEndpoints> {
  const file = stateFile();
  return withLock(
    infraLock(),
    async () => {
      const state = await readState(file);
      const toStart: InfraComponent[] = [];
      await Promise.all(
        components.map(async (c) => {
          const record = state.infra[c];
          if (running(record)) {
            if (await drivers[c].ping(record)) return;
            log(`${c} (pid ${record.pid}) runs but does not answer: restarting it`);
            await stopPid(record.pid, { ...drivers[c].stop, startTime: record.startTime });
          }
          toStart.push(c);
        }),
      );
      const taken = new Set<number>();
      const plans: Array<[InfraComponent, Record<string, number>]> = [];
      for (const c of INFRA_COMPONENTS.filter((x) => toStart.includes(x))) {
        plans.push([c, await choosePorts(drivers[c].ports, state.lastPorts[c], taken)]);
      }
      const results = await Promise.allSettled(
        plans.map(async ([c, ports]) => {
          const began = Date.now();
          const record = await drivers[c].start(ports, profile);
          await updateState(file, (s) => {
            s.infra[c] = record;
            s.lastPorts[c] = record.ports;
          });
          log(`started ${c} on 127.0.0.1:${record.port} (pid ${record.pid}, ${profile} profile) in ${((Date.now() - began) / 1000).toFixed(1)} s`);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const final = await readState(file);
      for (const c of INFRA_COMPONENTS) if (!running(final.infra[c])) delete final.infra[c];
      return endpointsFrom(final);
    },
    { what: 'another start/stop of the infrastructure' },
  );
}

/**
 * Starts the components that are not running yet (default: all three), reusing live processes recorded in
 * state.json once they answer, and returns their endpoints. Safe to call from several processes at once.
 */
export async function startInfra(opts: StartInfraOptions = {}): Promise<InfraEndpoints> {
  const components = opts.components ?? [...INFRA_COMPONENTS];
  if ((await infraMode()) === 'testcontainers') {
    const fromContainers = await startContainers(components);
    return { ...endpointsFrom(emptyState()), ...fromContainers };
  }
  return startLocal(components, opts.profile ?? 'dev');
}

/** Stops every component the harness started (polite signal, wait, SIGKILL) and clears their records. */
export async function stopInfra(): Promise<void> {
  await stopContainers();
  const file = stateFile();
  await withLock(
    infraLock(),
    async () => {
      const state = await readState(file);
      await Promise.all(
        INFRA_COMPONENTS.map(async (c) => {
          const record = state.infra[c];
          if (record) await stopPid(record.pid, { ...drivers[c].stop, startTime: record.startTime });
        }),
      );
      await updateState(file, (s) => {
        s.infra = {};
      });
    },
    { what: 'another start/stop of the infrastructure' },
  );
}

/** Whether each component runs, with its pid and client port (containers: no pid). */
export async function infraStatus(): Promise<InfraStatus> {
  const state = await readState(stateFile());
  const status = {} as InfraStatus;
  for (const c of INFRA_COMPONENTS) {
    const record = state.infra[c];
    status[c] = running(record) ? { running: true, pid: record.pid, port: record.port } : (containerRunning(c) ?? { running: false });
  }
  return status;
}

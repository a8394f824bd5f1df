export type { InfraComponent, InfraEndpoints, InfraProfile, InfraStatus, StartInfraOptions } from './types';
export { startInfra, stopInfra, infraStatus } from './infra';
export { ensureEnvoy } from './envoy';
export { createTestDatabase, uniquePrefix, createTopics } from './isolation';
export { freePort, waitForTcp } from './proc';
export { spawnManaged, stopManaged, listManaged } from './services';
export { stateDir } from './paths';
export { eventually } from './eventually';
export { startRsyslog, type RunningRsyslog, type StartRsyslogOptions } from './rsyslog';

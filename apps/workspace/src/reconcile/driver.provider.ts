import type { Provider } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { ConfigError } from '@airlock/config';
import { ImageCatalogue } from '../catalogue/catalogue';
import type { WorkspaceDriver } from '../drivers/driver';
import { KubernetesDriver, loadKubeConfig } from '../drivers/kubernetes/kubernetes-driver';
import { LocalDriver } from '../drivers/local/local-driver';
import type { workspaceConfig } from '../config';

export const WORKSPACE_DRIVER = Symbol('WORKSPACE_DRIVER');

type Config = ServiceConfig<typeof workspaceConfig>;

function localDriver(config: Config, logger: Logger, catalogue: ImageCatalogue): LocalDriver {
  const missing = (['WORKSPACE_LOCAL_DIR', 'WORKSPACE_CODE_SERVER_ENTRY'] as const).filter((k) => !config[k]);
  if (missing.length > 0) throw new ConfigError(missing.map((variable) => ({ variable, message: 'required with WORKSPACE_DRIVER=local' })));
  const driver = new LocalDriver({
    rootDir: config.WORKSPACE_LOCAL_DIR,
    codeServerEntry: config.WORKSPACE_CODE_SERVER_ENTRY,
    nodeBin: config.WORKSPACE_CODE_SERVER_NODE,
    isolation: config.WORKSPACE_LOCAL_ISOLATION,
    allowDownloads: config.WORKSPACE_ALLOW_FILE_DOWNLOADS,
    allowUploads: config.WORKSPACE_ALLOW_FILE_UPLOADS,
    startWaitMs: config.WORKSPACE_LOCAL_START_WAIT_MS,
    readyTimeoutMs: config.WORKSPACE_LOCAL_READY_TIMEOUT_MS,
    maxOpenFiles: config.WORKSPACE_LOCAL_MAX_OPEN_FILES,
    maxProcesses: config.WORKSPACE_LOCAL_MAX_PROCESSES,
    catalogue: (image) => catalogue.find(image),
    vsixDir: config.WORKSPACE_VSIX_DIR,
    gatewayCaFile: config.WORKSPACE_GATEWAY_CA_FILE,
    gatewayUrl: config.WORKSPACE_GATEWAY_URL,
    network: config.WORKSPACE_K8S_NETWORK,
    allowUnisolated: config.WORKSPACE_LOCAL_ALLOW_UNISOLATED,
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  // Say at boot what is and is not enforced on this machine.
  if (driver.enforcement.confinement.isolated === true) logger.info({ ...driver.enforcement }, 'local driver: isolation and limits');
  else logger.warn({ ...driver.enforcement }, 'local driver: isolation and limits (workspaces are not confined on this machine)');
  return driver;
}

/** The configured driver, or null in registry-only mode (WORKSPACE_DRIVER=none). */
export const driverProvider: Provider = {
  provide: WORKSPACE_DRIVER,
  inject: [APP_CONFIG, APP_LOGGER, ImageCatalogue],
  useFactory: (config: Config, logger: Logger, catalogue: ImageCatalogue): WorkspaceDriver | null => {
    switch (config.WORKSPACE_DRIVER) {
      case 'kubernetes':
        return new KubernetesDriver(loadKubeConfig(config.WORKSPACE_K8S_KUBECONFIG), {
          namespace: config.WORKSPACE_K8S_NAMESPACE,
          storageClass: config.WORKSPACE_K8S_STORAGE_CLASS,
          network: config.WORKSPACE_K8S_NETWORK,
          shellHost: config.WORKSPACE_K8S_SHELL_HOST,
        });
      case 'local':
        return localDriver(config, logger, catalogue);
      case 'none':
        return null;
    }
  },
};

import { createServer } from 'node:net';
import { startTelemetry } from './sdk';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

describe('startTelemetry', () => {
  it("describes the process on /metrics (target_info) without its command line", async () => {
    const port = await freePort();
    const telemetry = startTelemetry({ serviceName: 'airlock-probe', serviceVersion: '1.2.3', metricsHost: '127.0.0.1', metricsPort: port });
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const info = text.split('\n').find((line) => line.startsWith('target_info{'));
      expect(info).toContain('service_name="airlock-probe"');
      expect(info).toContain('service_version="1.2.3"');
      expect(info).toContain(`process_pid="${process.pid}"`);
      expect(info).toContain('process_runtime_name="nodejs"');
      expect(info).not.toContain('process_command');
    } finally {
      await telemetry.shutdown();
    }
  });
});

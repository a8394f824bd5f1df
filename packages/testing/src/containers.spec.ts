// The Docker path cannot run here (no engine); this checks what can be checked without one: engine
// detection, mode selection and that the pinned images are accepted by the testcontainers modules.
import net from 'node:net';
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { defineContainers, dockerAnswers } from './containers';
import { infraMode } from './infra';

const saved = { DOCKER_HOST: process.env.DOCKER_HOST, AIRLOCK_INFRA: process.env.AIRLOCK_INFRA };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function fakeEngine(reply: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.once('data', () => socket.end(reply)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('dockerAnswers: no socket, a healthy engine, an unhealthy one', async () => {
  process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
  expect(await dockerAnswers()).toBe(false);

  const ok = await fakeEngine('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK');
  process.env.DOCKER_HOST = `tcp://127.0.0.1:${ok.port}`;
  expect(await dockerAnswers()).toBe(true);
  await ok.close();

  const bad = await fakeEngine('HTTP/1.1 500 Internal Server Error\r\n\r\n');
  process.env.DOCKER_HOST = `tcp://127.0.0.1:${bad.port}`;
  expect(await dockerAnswers()).toBe(false);
  await bad.close();
});

test('infraMode follows AIRLOCK_INFRA, and auto falls back to local without an engine', async () => {
  process.env.AIRLOCK_INFRA = 'local';
  expect(await infraMode()).toBe('local');
  process.env.AIRLOCK_INFRA = 'testcontainers';
  expect(await infraMode()).toBe('testcontainers');
  process.env.AIRLOCK_INFRA = 'auto';
  process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
  expect(await infraMode()).toBe('local');
  process.env.AIRLOCK_INFRA = 'kubernetes';
  await expect(infraMode()).rejects.toThrow(/AIRLOCK_INFRA/);
});

test('the pinned images are accepted (Kafka in KRaft mode needs cp-kafka >= 7)', async () => {
  const defs = await defineContainers();
  expect(defs.postgres).toBeInstanceOf(PostgreSqlContainer);
  expect(defs.redis).toBeInstanceOf(RedisContainer);
  expect(defs.kafka).toBeInstanceOf(KafkaContainer);
});

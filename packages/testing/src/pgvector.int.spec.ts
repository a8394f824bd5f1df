// Integration: pgvector built and installed for the local PostgreSQL (on a fresh machine this apt-installs the
// server headers and compiles it), then used the way rag does: the admin creates the extension in a service's
// database, whose own role makes a vector table with an HNSW index and asks for the nearest rows.
import { Client } from 'pg';
import { PGVECTOR_VERSION, createTestDatabase, ensurePgvector, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from './index';

// A cold machine installs postgresql-server-dev with apt and compiles pgvector first.
jest.setTimeout(20 * 60_000);

let endpoints: InfraEndpoints;
let withVector: TestDatabase;
let without: TestDatabase;

async function asRole<T>(db: TestDatabase, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host: endpoints.postgres.host, port: endpoints.postgres.port, user: db.role, password: db.password, database: db.name });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const install = await ensurePgvector();
  expect(install?.version).toBe(PGVECTOR_VERSION);
  endpoints = await startInfra({ components: ['postgres'], profile: 'test' });
  const prefix = uniquePrefix('pgvector');
  [withVector, without] = await Promise.all([
    createTestDatabase(endpoints, `${prefix}_vec`, { extensions: ['vector'] }),
    createTestDatabase(endpoints, `${prefix}_plain`),
  ]);
});

afterAll(async () => {
  await withVector?.drop();
  await without?.drop();
});

test('a second ensurePgvector() finds the install: the control file and library in the server\'s directories', async () => {
  const again = await ensurePgvector();
  expect(again?.version).toBe(PGVECTOR_VERSION);
  expect(again?.controlFile).toMatch(/\/extension\/vector\.control$/);
  expect(again?.library).toMatch(/\/vector\.so$/);
});

test('the admin created the pinned version of the extension in the database', async () => {
  const rows = await asRole(withVector, (c) => c.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'"));
  expect(rows.rows).toEqual([{ extversion: PGVECTOR_VERSION }]);
});

test("a service's own role cannot create the extension itself (it is not trusted): the admin must", async () => {
  const error = await asRole(without, (c) => c.query('CREATE EXTENSION vector')).then(
    () => undefined,
    (e: unknown) => e as { code?: string },
  );
  expect(error?.code).toBe('42501'); // insufficient_privilege
});

test('the role makes a vector(3) table with an HNSW cosine index, and ORDER BY <=> returns the nearest rows', async () => {
  await asRole(withVector, async (c) => {
    await c.query('CREATE TABLE chunk (id int PRIMARY KEY, label text NOT NULL, embedding vector(3) NOT NULL)');
    await c.query('CREATE INDEX chunk_embedding ON chunk USING hnsw (embedding vector_cosine_ops)');
    await c.query(`INSERT INTO chunk VALUES
      (1, 'x', '[1,0,0]'), (2, 'near-x', '[0.9,0.1,0]'), (3, 'y', '[0,1,0]'), (4, 'z', '[0,0,1]'), (5, 'minus-x', '[-1,0,0]')`);
    const index = await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'chunk' AND indexname = 'chunk_embedding'");
    expect(index.rows[0]?.indexdef).toContain('USING hnsw (embedding vector_cosine_ops)');

    const nearest = async (): Promise<Array<{ label: string; distance: number }>> =>
      (await c.query("SELECT label, (embedding <=> '[1,0.05,0]')::float8 AS distance FROM chunk ORDER BY embedding <=> '[1,0.05,0]' LIMIT 2")).rows;
    // With sequential scans off, the planner must answer from the HNSW index: the query really exercises it.
    await c.query('SET enable_seqscan = off');
    const plan = (await c.query("EXPLAIN SELECT id FROM chunk ORDER BY embedding <=> '[1,0.05,0]' LIMIT 2")).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('Index Scan using chunk_embedding');
    const rows = await nearest();
    expect(rows.map((r) => r.label)).toEqual(['x', 'near-x']);
    // Cosine distance of [1,0.05,0] to [1,0,0]: 1 - 1/sqrt(1.0025).
    expect(rows[0]!.distance).toBeCloseTo(1 - 1 / Math.sqrt(1.0025), 5);
    expect(rows[1]!.distance).toBeGreaterThan(rows[0]!.distance);
  });
});

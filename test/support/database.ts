import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openServiceDatabase, type ServiceDataSourceOptions } from '#libs/persistence';

/**
 * The PostgreSQL server integration tests run against: the one `npm run infra:up` starts, unless
 * TEST_DATABASE_URL names another. Always a real server.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:55432/convene';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database on the test server, so test files never share state. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated data source for one service's schema inside a fresh test database. */
export async function openTestServiceDatabase(
  options: Omit<ServiceDataSourceOptions, 'url'>,
): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase(options.service);
  const dataSource = await openServiceDatabase({ ...options, url: database.url });
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

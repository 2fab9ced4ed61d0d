import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { openServiceDatabase } from './service-data-source';

class CreateProbes1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE probes (id serial PRIMARY KEY, note text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE probes');
  }
}

describe('openServiceDatabase on a real PostgreSQL server', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('persistence');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('creates the service schema, applies migrations inside it and keeps unqualified names there', async () => {
    const dataSource = await openServiceDatabase({
      service: 'analysis',
      url: database.url,
      entities: [],
      migrations: [CreateProbes1700000000000],
    });

    await dataSource.query("INSERT INTO probes (note) VALUES ('written by analysis')");
    const tables: { table_schema: string }[] = await dataSource.query(
      "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probes'",
    );
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM analysis.migrations');
    await dataSource.destroy();

    expect(tables).toEqual([{ table_schema: 'analysis' }]);
    expect(applied.map((row) => row.name)).toEqual(['CreateProbes1700000000000']);
  });

  it('applies each migration once across restarts', async () => {
    const options = {
      service: 'audit' as const,
      url: database.url,
      entities: [],
      migrations: [CreateProbes1700000000000],
    };

    await (await openServiceDatabase(options)).destroy();
    const reopened = await openServiceDatabase(options);
    const applied: unknown[] = await reopened.query('SELECT name FROM audit.migrations');
    await reopened.destroy();

    expect(applied).toHaveLength(1);
  });
});

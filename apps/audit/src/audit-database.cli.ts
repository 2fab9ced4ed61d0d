import { createServiceDataSource } from '#libs/persistence';
import type { DataSource } from 'typeorm';
import { AUDIT_MIGRATIONS } from './migrations';

/**
 * Runs `work` against the audit schema named by DATABASE_URL (the audit role's connection string),
 * without applying migrations, and exits 0 when it answers true, 1 when false, 70 when it fails.
 * The exit is explicit because an exit hook loaded with the persistence library resets exitCode.
 */
export async function runAuditCommand(
  name: string,
  work: (dataSource: DataSource) => Promise<boolean>,
): Promise<never> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(`${name}: set DATABASE_URL to the audit service's database\n`);
    process.exit(64);
  }
  const dataSource = createServiceDataSource({ service: 'audit', url, entities: [], migrations: AUDIT_MIGRATIONS });
  let code = 70;
  try {
    await dataSource.initialize();
    code = (await work(dataSource)) ? 0 : 1;
  } catch (error: unknown) {
    process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
  process.exit(code);
}

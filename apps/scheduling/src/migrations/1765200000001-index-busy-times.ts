import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The busy-time query walks each person's distinct block times in (end, start) order, one index
 * probe per distinct time, instead of reading every block: during a storm the same people hold a
 * block for every meeting booked, on a few grid times. The index replaces (email, end_at), which
 * is its prefix.
 */
export class IndexBusyTimes1765200000001 implements MigrationInterface {
  name = 'IndexBusyTimes1765200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX busy_blocks_times_idx ON busy_blocks (email, end_at, start_at)');
    await queryRunner.query('DROP INDEX busy_blocks_email_idx');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX busy_blocks_email_idx ON busy_blocks (email, end_at)');
    await queryRunner.query('DROP INDEX busy_blocks_times_idx');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation query looks for an open meeting of the alert's type on an overlapping system.
 * With only (alert_type, opened_at) to go by, it tested the systems of every open meeting of that
 * type in the window, which during an alert storm is every meeting the storm booked. An alert's
 * systems are few, and so are the open meetings on any one system.
 */
export class IndexMeetingSystems1765200000000 implements MigrationInterface {
  name = 'IndexMeetingSystems1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX meetings_open_systems_idx ON meetings USING gin (affected_systems) WHERE status = 'scheduled'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX meetings_open_systems_idx');
  }
}

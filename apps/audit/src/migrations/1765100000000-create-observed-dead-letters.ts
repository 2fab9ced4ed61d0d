import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the audit service sees on the dead-letter topics: one row per dead letter of any service,
 * without the message value. Not projected from audit_log (a dead letter may not even decode), so
 * a replay of the read models leaves it alone. The partial index on audit_log finds the latest
 * notification.failed without walking the log.
 */
export class CreateObservedDeadLetters1765100000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE observed_dead_letters (
        id text PRIMARY KEY,
        service text NOT NULL,
        consumer text NOT NULL,
        topic text NOT NULL,
        alert_id text NOT NULL,
        event_id text,
        error_code text NOT NULL,
        error_message text NOT NULL,
        attempts integer NOT NULL,
        failed_at timestamptz NOT NULL,
        observed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      'CREATE INDEX observed_dead_letters_service_idx ON observed_dead_letters (service, failed_at DESC)',
    );
    await queryRunner.query(
      `CREATE INDEX audit_log_notification_failed_idx ON audit_log (seq) WHERE topic = 'notification.failed'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX audit_log_notification_failed_idx');
    await queryRunner.query('DROP TABLE observed_dead_letters');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hash-chained event log. `audit_chain_head` holds the newest link; appenders lock it before
 * reading the previous hash, which serialises the chain. A trigger refuses UPDATE, DELETE and
 * TRUNCATE so the log stays append-only for every role that does not own the trigger.
 */
export class CreateAuditLog1764800000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        seq bigserial PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        topic text NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        event_time text NOT NULL,
        alert_id text NOT NULL,
        meeting_id text,
        trace_id text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX audit_log_alert_idx ON audit_log (alert_id, seq)');
    await queryRunner.query(
      'CREATE INDEX audit_log_meeting_idx ON audit_log (meeting_id, seq) WHERE meeting_id IS NOT NULL',
    );
    await queryRunner.query(`
      CREATE TABLE audit_chain_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        last_seq bigint NOT NULL,
        last_hash char(64) NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64))`);
    await queryRunner.query(`
      CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_chain_head');
    await queryRunner.query('DROP TABLE audit_log');
    await queryRunner.query('DROP FUNCTION audit_log_reject_change()');
  }
}

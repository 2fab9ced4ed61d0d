import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReceivedAlerts1764800000000 implements MigrationInterface {
  name = 'CreateReceivedAlerts1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE received_alerts (
        alert_id text PRIMARY KEY,
        severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        revision integer NOT NULL CHECK (revision >= 1),
        body jsonb NOT NULL,
        content_hash text NOT NULL,
        trace_id text NOT NULL,
        deliveries integer NOT NULL DEFAULT 1,
        first_received_at timestamptz NOT NULL,
        revised_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX received_alerts_first_received_at_idx ON received_alerts (first_received_at)');
    await runner.query(`
      CREATE TABLE replay_nonces (
        signature text PRIMARY KEY,
        expires_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX replay_nonces_expires_at_idx ON replay_nonces (expires_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE replay_nonces');
    await runner.query('DROP TABLE received_alerts');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeliveries1764900000000 implements MigrationInterface {
  name = 'CreateDeliveries1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id text NOT NULL,
        alert_id text NOT NULL,
        meeting_sequence integer NOT NULL,
        event_kind text NOT NULL CHECK (event_kind IN ('scheduled', 'updated', 'cancelled')),
        channel text NOT NULL CHECK (channel IN ('email', 'slack', 'chainsync')),
        recipient text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        provider_message_id text,
        snapshot jsonb NOT NULL,
        source_event_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT deliveries_one_per_version UNIQUE (meeting_id, meeting_sequence, event_kind, channel, recipient)
      )
    `);
    await queryRunner.query(`CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX deliveries_by_meeting ON deliveries (meeting_id, meeting_sequence)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE deliveries');
  }
}

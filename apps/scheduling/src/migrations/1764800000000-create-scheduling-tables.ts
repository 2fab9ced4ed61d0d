import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSchedulingTables1764800000000 implements MigrationInterface {
  name = 'CreateSchedulingTables1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE meetings (
        id text PRIMARY KEY,
        alert_id text NOT NULL,
        alert_ids text[] NOT NULL,
        alert_type text NOT NULL,
        affected_systems text[] NOT NULL,
        opened_at timestamptz NOT NULL,
        title text NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
        deadline timestamptz NOT NULL,
        timezone text NOT NULL,
        url text NOT NULL,
        conferencing_url text,
        provider text NOT NULL CHECK (provider IN ('builtin', 'slotify')),
        provider_ref text,
        attendees jsonb NOT NULL,
        urgency_level text NOT NULL,
        urgency_score double precision NOT NULL,
        why_scheduled text NOT NULL,
        agenda jsonb NOT NULL,
        pre_meeting_summary text NOT NULL,
        root_cause text NOT NULL,
        compliance jsonb NOT NULL,
        outside_business_hours boolean NOT NULL,
        past_deadline boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled')),
        invite_uid text NOT NULL UNIQUE,
        sequence integer NOT NULL,
        invite_ics text NOT NULL,
        notification_channels jsonb NOT NULL,
        trace_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (end_at > start_at)
      )`);
    // Correlation looks for open meetings of one alert type opened recently. Busy blocks are written
    // before their meeting row within one transaction, hence the deferred foreign keys.
    await queryRunner.query(
      `CREATE INDEX meetings_correlation_idx ON meetings (alert_type, opened_at) WHERE status = 'scheduled'`,
    );
    await queryRunner.query(`
      CREATE TABLE meeting_alerts (
        alert_id text PRIMARY KEY,
        meeting_id text REFERENCES meetings (id) DEFERRABLE INITIALLY DEFERRED,
        revision integer NOT NULL,
        resolved boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX meeting_alerts_meeting_idx ON meeting_alerts (meeting_id)`);
    await queryRunner.query(`
      CREATE TABLE busy_blocks (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        meeting_id text REFERENCES meetings (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        CHECK (end_at > start_at)
      )`);
    await queryRunner.query(`CREATE INDEX busy_blocks_email_idx ON busy_blocks (email, end_at)`);
    await queryRunner.query(`CREATE INDEX busy_blocks_meeting_idx ON busy_blocks (meeting_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE busy_blocks`);
    await queryRunner.query(`DROP TABLE meeting_alerts`);
    await queryRunner.query(`DROP TABLE meetings`);
  }
}

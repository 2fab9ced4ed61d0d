import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models projected from the audit log. Every column the projections guard on (revisions,
 * invite sequence) lives beside the data. The indexes serve keyset pagination on
 * (created_at, id), alone and behind each equality filter, so recent-N reads stay flat.
 */
export class CreateReadModels1764800000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await this.createAlertsView(queryRunner);
    await this.createMeetingsView(queryRunner);
    await queryRunner.query(`
      CREATE TABLE meeting_notifications_view (
        meeting_id text NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        alert_id text NOT NULL,
        meeting_sequence integer NOT NULL,
        outcome text NOT NULL,
        attempts integer NOT NULL,
        provider_message_id text,
        error text,
        at timestamptz NOT NULL,
        PRIMARY KEY (meeting_id, channel, recipient)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE meeting_notifications_view');
    await queryRunner.query('DROP TABLE meetings_view');
    await queryRunner.query('DROP TABLE alerts_view');
  }

  private async createAlertsView(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alerts_view (
        alert_id text PRIMARY KEY,
        alert_type text,
        severity text,
        description text,
        affected_systems jsonb NOT NULL DEFAULT '[]',
        compliance_frameworks jsonb NOT NULL DEFAULT '[]',
        status text,
        detected_at timestamptz,
        created_at timestamptz NOT NULL,
        alert_revision integer NOT NULL DEFAULT 0,
        trace_id text,
        root_cause text,
        recommendations jsonb NOT NULL DEFAULT '[]',
        compliance_status text,
        compliance_violations jsonb NOT NULL DEFAULT '[]',
        urgency_level text,
        urgency_score double precision,
        recommended_response_time text,
        books_meeting boolean,
        processed_at timestamptz,
        analysis_revision integer NOT NULL DEFAULT 0,
        meeting_created boolean NOT NULL DEFAULT false,
        meeting_id text,
        meeting_status text,
        meeting_sequence integer NOT NULL DEFAULT -1,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX alerts_view_recent_idx ON alerts_view (created_at DESC, alert_id DESC)');
    for (const column of ['severity', 'alert_type', 'status']) {
      await queryRunner.query(
        `CREATE INDEX alerts_view_${column}_recent_idx ON alerts_view (${column}, created_at DESC, alert_id DESC)`,
      );
    }
    await queryRunner.query(`
      CREATE INDEX alerts_view_unmet_priority_idx ON alerts_view (detected_at DESC NULLS LAST, alert_id)
      WHERE severity IN ('critical', 'high') AND NOT meeting_created`);
  }

  private async createMeetingsView(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE meetings_view (
        meeting_id text PRIMARY KEY,
        alert_id text NOT NULL,
        alert_ids jsonb NOT NULL,
        meeting_title text NOT NULL,
        scheduled_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        duration_minutes integer NOT NULL,
        timezone text NOT NULL,
        meeting_url text NOT NULL,
        provider text NOT NULL,
        attendees jsonb NOT NULL,
        urgency_level text NOT NULL,
        urgency_score double precision NOT NULL,
        why_scheduled text NOT NULL,
        discussion_points jsonb NOT NULL,
        pre_meeting_summary text NOT NULL,
        root_cause text NOT NULL,
        compliance_status text NOT NULL,
        outside_business_hours boolean NOT NULL,
        status text NOT NULL,
        change_reason text,
        invite_uid text NOT NULL,
        invite_ics text NOT NULL,
        sequence integer NOT NULL,
        trace_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX meetings_view_recent_idx ON meetings_view (created_at DESC, meeting_id DESC)',
    );
    for (const column of ['status', 'urgency_level']) {
      await queryRunner.query(
        `CREATE INDEX meetings_view_${column}_recent_idx ON meetings_view (${column}, created_at DESC, meeting_id DESC)`,
      );
    }
    await queryRunner.query(`
      CREATE INDEX meetings_view_upcoming_idx ON meetings_view (scheduled_time)
      WHERE status = 'scheduled'`);
  }
}

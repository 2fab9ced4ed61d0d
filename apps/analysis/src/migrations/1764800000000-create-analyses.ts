import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAnalyses1764800000000 implements MigrationInterface {
  name = 'CreateAnalyses1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE analyses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alert_id text NOT NULL,
        revision integer NOT NULL,
        change text NOT NULL CHECK (change IN ('new', 'escalated', 'resolved')),
        source_event_id uuid,
        alert_type text NOT NULL,
        severity text NOT NULL,
        known_type boolean NOT NULL,
        urgency_level text NOT NULL CHECK (urgency_level IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
        urgency_score numeric(4, 2) NOT NULL,
        books_meeting boolean NOT NULL,
        payload jsonb NOT NULL,
        analyzed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT analyses_alert_revision_unique UNIQUE (alert_id, revision)
      )`);
    await queryRunner.query(`
      CREATE TABLE llm_calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        analysis_id uuid NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
        alert_id text NOT NULL,
        agent text NOT NULL CHECK (agent IN ('root_cause', 'compliance', 'meeting_context')),
        source text NOT NULL CHECK (source IN ('llm', 'template')),
        model text,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        latency_ms integer NOT NULL DEFAULT 0,
        fallback_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX llm_calls_analysis_id_idx ON llm_calls (analysis_id)');
    await queryRunner.query('CREATE INDEX analyses_analyzed_at_idx ON analyses (analyzed_at DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE llm_calls');
    await queryRunner.query('DROP TABLE analyses');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox, inbox and dead-letter tables, created in whichever schema the service's search_path
 * names (every service includes this migration in its own list).
 */
export class CreateMessagingTables1764500000000 implements MigrationInterface {
  name = 'CreateMessagingTables1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        topic text NOT NULL,
        key text NOT NULL,
        headers jsonb NOT NULL,
        value text NOT NULL,
        traceparent text,
        tracestate text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX outbox_unsent_idx ON outbox (position) WHERE sent_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE inbox (
        event_id text NOT NULL,
        handler text NOT NULL,
        topic text NOT NULL,
        outcome text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, handler)
      )`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        event_id text,
        topic text NOT NULL,
        key text NOT NULL,
        handler text NOT NULL,
        error_code text NOT NULL,
        error_message text NOT NULL,
        attempts integer NOT NULL,
        headers jsonb NOT NULL,
        value text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dead_letters');
    await queryRunner.query('DROP TABLE inbox');
    await queryRunner.query('DROP TABLE outbox');
  }
}

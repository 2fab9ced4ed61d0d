import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The trace of the meeting event a delivery came from, so its send joins the alert's trace. */
export class AddDeliveryTraceparent1765000000000 implements MigrationInterface {
  name = 'AddDeliveryTraceparent1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE deliveries ADD COLUMN traceparent text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE deliveries DROP COLUMN traceparent');
  }
}

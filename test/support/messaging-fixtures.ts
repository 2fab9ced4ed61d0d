import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { type AlertReceivedV1, EXAMPLE_PAYLOADS } from '#libs/contracts';
import { type BusMessage, type ConveneEvent, encodeEvent, type EventHandler } from '#libs/messaging';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table the messaging tests' handler writes: one row per handled event, with the trace it ran
 * in and the transaction that wrote it (runs of Kafka messages share transactions).
 */
export class CreateEffects1764500000001 implements MigrationInterface {
  name = 'CreateEffects1764500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE effects (id bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL,
                             revision int NOT NULL, trace_id text, txid bigint NOT NULL DEFAULT txid_current())`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE effects');
  }
}

export type Behaviour = (event: ConveneEvent<'alert.received'>) => void | Promise<void>;

/** Records one effect row per event; `before` or `after` the write may throw or wait, to simulate failures. */
export class RecordEffectWhenAlertReceived implements EventHandler<'alert.received'> {
  readonly topic = 'alert.received' as const;

  constructor(private readonly hooks: { before?: Behaviour; after?: Behaviour } = {}) {}

  async handle(event: ConveneEvent<'alert.received'>, tx: EntityManager): Promise<void> {
    await this.hooks.before?.(event);
    await tx.query('INSERT INTO effects (event_id, key, revision, trace_id) VALUES ($1, $2, $3, $4)', [
      event.id,
      event.subject,
      event.data.revision,
      trace.getActiveSpan()?.spanContext().traceId ?? null,
    ]);
    await this.hooks.after?.(event);
  }
}

/** The example `alert.received` payload, about `alertId` at `revision`. */
export function alertReceived(alertId: string, revision: number): AlertReceivedV1 {
  const example = EXAMPLE_PAYLOADS['alert.received'];
  return { ...example, alert: { ...example.alert, alert_id: alertId }, revision };
}

/** A new `alert.received` event for `alertId`, encoded as the relay would publish it. */
export function alertReceivedMessage(alertId: string, revision: number): BusMessage {
  return encodeEvent({
    id: randomUUID(),
    topic: 'alert.received',
    type: 'com.convene.alert.received.v1',
    source: '/convene/gateway',
    time: new Date().toISOString(),
    subject: alertId,
    traceparent: null,
    tracestate: null,
    data: alertReceived(alertId, revision),
  });
}

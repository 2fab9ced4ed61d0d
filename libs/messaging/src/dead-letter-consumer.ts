import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DEAD_LETTER_HEADERS } from '#libs/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { Delivery } from './transport';

/** A message some consumer gave up on, as its dead-letter topic carries it (headers only, never the value). */
export interface DeadLetterNotice {
  /** Stable across redeliveries of the same dead letter: derived from its dead-letter headers. */
  id: string;
  /** The topic the message was consumed from, e.g. `alert.received`. */
  originalTopic: string;
  /** `convene-<service>/<handler>` of the consumer that gave up. */
  consumer: string;
  /** `<service>` from the consumer group, or `unknown` when the header is absent. */
  service: string;
  key: string;
  /** CloudEvents id of the original, when it was decodable. */
  eventId: string | null;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: Date;
}

/**
 * Observes the dead-letter topics of every service. Called in a transaction that also records the
 * notice in the observer's inbox, so a redelivered dead letter is seen once.
 */
export interface DeadLetterHandler {
  handle(notice: DeadLetterNotice, tx: EntityManager): Promise<void>;
}

const INBOX_HANDLER = 'dead-letters';

/**
 * Delivers `<topic>.dlq` messages to a DeadLetterHandler. Reads only the headers the dead-lettering
 * consumer added, so a message that was dead-lettered for being undecodable is observed too.
 */
export class DeadLetterConsumer {
  private readonly logger = new Logger('DeadLetters');

  constructor(
    private readonly dataSource: DataSource,
    private readonly handler: DeadLetterHandler,
  ) {}

  readonly deliver = async (delivery: Delivery): Promise<void> => {
    const notice = noticeOf(delivery);
    await this.dataSource.transaction(async (tx) => {
      const inserted = await tx.query<unknown[]>(
        `INSERT INTO inbox (event_id, handler, topic, outcome) VALUES ($1, $2, $3, 'handled')
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [notice.id, INBOX_HANDLER, delivery.topic],
      );
      if (inserted.length === 0) return;
      await this.handler.handle(notice, tx);
    });
    this.logger.debug({ msg: 'dead letter observed', topic: delivery.topic, consumer: notice.consumer });
  };
}

/** Reads a dead letter's headers; a missing header becomes a visible placeholder rather than a dropped message. */
export function noticeOf(delivery: Delivery): DeadLetterNotice {
  const header = (name: string): string | undefined => delivery.headers[name];
  const consumer = header(DEAD_LETTER_HEADERS.consumer) ?? 'unknown';
  const failedAtText = header(DEAD_LETTER_HEADERS.failedAt);
  const failedAt = failedAtText && !Number.isNaN(Date.parse(failedAtText)) ? new Date(failedAtText) : new Date();
  const eventId = header('ce_id') ?? null;
  const originalTopic = header(DEAD_LETTER_HEADERS.originalTopic) ?? delivery.topic.replace(/\.dlq$/, '');
  const attempts = Number(header(DEAD_LETTER_HEADERS.attempts) ?? '0');
  const identity = [consumer, originalTopic, delivery.key, eventId ?? '', failedAtText ?? delivery.position];
  return {
    id: `dlq:${createHash('sha256').update(identity.join('\n')).digest('hex')}`,
    originalTopic,
    consumer,
    service: serviceOfConsumer(consumer),
    key: delivery.key,
    eventId,
    errorCode: header(DEAD_LETTER_HEADERS.errorCode) ?? 'MESSAGING.UNKNOWN',
    errorMessage: header(DEAD_LETTER_HEADERS.error) ?? '',
    attempts: Number.isFinite(attempts) ? attempts : 0,
    failedAt,
  };
}

function serviceOfConsumer(consumer: string): string {
  const match = /^convene-([a-z]+)\//.exec(consumer);
  return match?.[1] ?? 'unknown';
}

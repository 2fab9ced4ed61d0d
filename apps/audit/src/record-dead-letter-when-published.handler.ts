import { Injectable, Logger } from '@nestjs/common';
import type { DeadLetterHandler, DeadLetterNotice } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { scrubErrorText } from './error-text';

/** Keeps every service's dead letters (reason only, never the message) for the pipeline status. */
@Injectable()
export class RecordDeadLetterWhenPublished implements DeadLetterHandler {
  private readonly logger = new Logger(RecordDeadLetterWhenPublished.name);

  async handle(notice: DeadLetterNotice, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO observed_dead_letters
         (id, service, consumer, topic, alert_id, event_id, error_code, error_message, attempts, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO NOTHING`,
      [
        notice.id,
        notice.service,
        notice.consumer,
        notice.originalTopic,
        notice.key,
        notice.eventId,
        notice.errorCode,
        scrubErrorText(notice.errorMessage),
        notice.attempts,
        notice.failedAt,
      ],
    );
    this.logger.log({
      msg: 'dead letter recorded',
      service: notice.service,
      topic: notice.originalTopic,
      alert_id: notice.key,
      code: notice.errorCode,
    });
  }
}

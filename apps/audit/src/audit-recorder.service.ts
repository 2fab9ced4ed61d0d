import { Injectable, Logger } from '@nestjs/common';
import type { ConveneEvent } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { AuditLogService } from './audit-log.service';
import { ReadModelService } from './read-model.service';

/** Appends each consumed event to the log and projects it into the read models, in the consumer's transaction. */
@Injectable()
export class AuditRecorderService {
  private readonly logger = new Logger(AuditRecorderService.name);

  constructor(
    private readonly log: AuditLogService,
    private readonly readModels: ReadModelService,
  ) {}

  async record(event: ConveneEvent, tx: EntityManager): Promise<void> {
    const recorded = await this.log.append(tx, event);
    if (!recorded) {
      this.logger.debug({ msg: 'event already in the audit log', event_id: event.id, topic: event.topic });
      return;
    }

    // TODO(#8): a payload the projections cannot read fails the whole transaction, log row included;
    // recording it and flagging the projection would keep the log complete.
    await this.readModels.project(tx, recorded);
    this.logger.debug({ msg: 'event audited', seq: recorded.seq, topic: event.topic, alert_id: event.subject });
  }
}

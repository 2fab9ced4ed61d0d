import { Injectable } from '@nestjs/common';
import type { Topic } from '#libs/contracts';
import type { ConveneEvent, EventHandler } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { AuditRecorderService } from './audit-recorder.service';

/** Audits every published event of one topic: the log gets a link, the read models the change. */
@Injectable()
export abstract class RecordEventWhenPublished<T extends Topic> implements EventHandler<T> {
  abstract readonly topic: T;
  // The log's unique event id makes a redelivery a no-op (AuditLogService.append returns null).
  readonly deduplicatesItself = true;

  constructor(private readonly recorder: AuditRecorderService) {}

  handle(event: ConveneEvent<T>, tx: EntityManager): Promise<void> {
    return this.recorder.record(event, tx);
  }
}

@Injectable()
export class RecordAlertWhenReceived extends RecordEventWhenPublished<'alert.received'> {
  readonly topic = 'alert.received';
}

@Injectable()
export class RecordAlertWhenAnalyzed extends RecordEventWhenPublished<'alert.analyzed'> {
  readonly topic = 'alert.analyzed';
}

@Injectable()
export class RecordMeetingWhenScheduled extends RecordEventWhenPublished<'meeting.scheduled'> {
  readonly topic = 'meeting.scheduled';
}

@Injectable()
export class RecordMeetingWhenUpdated extends RecordEventWhenPublished<'meeting.updated'> {
  readonly topic = 'meeting.updated';
}

@Injectable()
export class RecordMeetingWhenCancelled extends RecordEventWhenPublished<'meeting.cancelled'> {
  readonly topic = 'meeting.cancelled';
}

@Injectable()
export class RecordNotificationWhenDelivered extends RecordEventWhenPublished<'notification.delivered'> {
  readonly topic = 'notification.delivered';
}

@Injectable()
export class RecordNotificationWhenFailed extends RecordEventWhenPublished<'notification.failed'> {
  readonly topic = 'notification.failed';
}

/** One handler per topic: the audit service consumes all of them. */
export const AUDIT_HANDLERS = [
  RecordAlertWhenReceived,
  RecordAlertWhenAnalyzed,
  RecordMeetingWhenScheduled,
  RecordMeetingWhenUpdated,
  RecordMeetingWhenCancelled,
  RecordNotificationWhenDelivered,
  RecordNotificationWhenFailed,
];

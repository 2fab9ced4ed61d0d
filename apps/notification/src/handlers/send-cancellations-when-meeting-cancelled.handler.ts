import { Injectable } from '@nestjs/common';
import type { ConveneEvent, EventHandler } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { DeliveryPlanner } from '../deliveries/delivery-planner.service';

/** Records the cancellations a meeting.cancelled event calls for; the DeliveryWorker sends them. */
@Injectable()
export class SendCancellationsWhenMeetingCancelled implements EventHandler<'meeting.cancelled'> {
  readonly topic = 'meeting.cancelled' as const;

  constructor(private readonly planner: DeliveryPlanner) {}

  handle(event: ConveneEvent<'meeting.cancelled'>, tx: EntityManager): Promise<void> {
    return this.planner.recordDeliveries(event, tx);
  }
}

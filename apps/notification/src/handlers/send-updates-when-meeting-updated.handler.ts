import { Injectable } from '@nestjs/common';
import type { ConveneEvent, EventHandler } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { DeliveryPlanner } from '../deliveries/delivery-planner.service';

/** Records the updated invitations a meeting.updated event calls for; the DeliveryWorker sends them. */
@Injectable()
export class SendUpdatesWhenMeetingUpdated implements EventHandler<'meeting.updated'> {
  readonly topic = 'meeting.updated' as const;

  constructor(private readonly planner: DeliveryPlanner) {}

  handle(event: ConveneEvent<'meeting.updated'>, tx: EntityManager): Promise<void> {
    return this.planner.recordDeliveries(event, tx);
  }
}

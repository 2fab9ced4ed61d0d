import { Injectable } from '@nestjs/common';
import type { ConveneEvent, EventHandler } from '#libs/messaging';
import type { EntityManager } from 'typeorm';
import { DeliveryPlanner } from '../deliveries/delivery-planner.service';

/** Records the invitations a meeting.scheduled event calls for; the DeliveryWorker sends them. */
@Injectable()
export class SendInvitesWhenMeetingScheduled implements EventHandler<'meeting.scheduled'> {
  readonly topic = 'meeting.scheduled' as const;

  constructor(private readonly planner: DeliveryPlanner) {}

  handle(event: ConveneEvent<'meeting.scheduled'>, tx: EntityManager): Promise<void> {
    return this.planner.recordDeliveries(event, tx);
  }
}

import type { MeetingSnapshotV1, NotificationChannel } from '#libs/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Which meeting event a delivery announces; part of its identity beside the invite sequence. */
export const MEETING_EVENT_KINDS = ['scheduled', 'updated', 'cancelled'] as const;
export type MeetingEventKind = (typeof MEETING_EVENT_KINDS)[number];

/** The meeting event a delivery announces; updates and cancellations also say why. */
export type MeetingNotice = MeetingSnapshotV1 & { reason?: string };

/**
 * One message of one meeting version to one recipient over one channel. The unique key
 * (meeting_id, meeting_sequence, event_kind, channel, recipient) is what makes a version reach a
 * recipient once, however often the event is delivered to us.
 */
@Entity('deliveries')
export class Delivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  meeting_id!: string;

  @Column('text')
  alert_id!: string;

  @Column('integer')
  meeting_sequence!: number;

  @Column('text')
  event_kind!: MeetingEventKind;

  @Column('text')
  channel!: NotificationChannel;

  /** Email address, the alert id for ChainSync, `webhook` for Slack. */
  @Column('text')
  recipient!: string;

  @Column('text')
  status!: DeliveryStatus;

  @Column('integer')
  attempts!: number;

  @Column('timestamptz')
  next_attempt_at!: Date;

  @Column('text', { nullable: true })
  last_error!: string | null;

  @Column('text', { nullable: true })
  provider_message_id!: string | null;

  /** The meeting as the event described it, so the worker renders exactly that version. */
  @Column('jsonb')
  snapshot!: MeetingNotice;

  @Column('text')
  source_event_id!: string;

  /** W3C traceparent of the consumer that planned the delivery; the worker's send continues that trace. */
  @Column('text', { nullable: true })
  traceparent!: string | null;

  @Column('timestamptz')
  created_at!: Date;

  @Column('timestamptz')
  updated_at!: Date;

  @Column('timestamptz', { nullable: true })
  completed_at!: Date | null;
}

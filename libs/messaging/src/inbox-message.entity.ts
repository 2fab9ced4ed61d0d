import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event one handler of this service has processed; written in the handler's transaction. */
@Entity({ name: 'inbox' })
export class InboxMessageEntity {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @PrimaryColumn({ type: 'text' })
  handler!: string;

  @Column({ type: 'text' })
  topic!: string;

  /** `handled` or `dead_lettered`. */
  @Column({ type: 'text' })
  outcome!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message this service gave up on, kept with the reason; also published to `<topic>.dlq`. */
@Entity({ name: 'dead_letters' })
export class DeadLetterEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId!: string | null;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  handler!: string;

  @Column({ name: 'error_code', type: 'text' })
  errorCode!: string;

  @Column({ name: 'error_message', type: 'text' })
  errorMessage!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'text' })
  value!: string;

  @Column({ name: 'failed_at', type: 'timestamptz', default: () => 'now()' })
  failedAt!: Date;
}

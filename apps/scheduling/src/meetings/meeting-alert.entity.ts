import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What scheduling last did for an alert: the meeting it belongs to, if any, and the newest revision seen. */
@Entity({ name: 'meeting_alerts' })
export class MeetingAlertEntity {
  @PrimaryColumn({ type: 'text', name: 'alert_id' })
  alertId!: string;

  /** Null when the alert's urgency level only notifies. */
  @Column({ type: 'text', nullable: true, name: 'meeting_id' })
  meetingId!: string | null;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ type: 'boolean' })
  resolved!: boolean;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

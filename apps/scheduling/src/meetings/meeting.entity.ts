import type {
  CalendarProviderName,
  ComplianceAssessment,
  MeetingAttendee,
  MeetingStatus,
  NotificationChannel,
  UrgencyLevel,
} from '#libs/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One booked meeting, covering one alert or several correlated ones, as of its latest invite version. */
@Entity({ name: 'meetings' })
export class MeetingEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** The alert that opened the meeting. */
  @Column({ type: 'text', name: 'alert_id' })
  alertId!: string;

  @Column({ type: 'text', array: true, name: 'alert_ids' })
  alertIds!: string[];

  @Column({ type: 'text', name: 'alert_type' })
  alertType!: string;

  @Column({ type: 'text', array: true, name: 'affected_systems' })
  affectedSystems!: string[];

  /** When the opening alert was received; later alerts within the correlation window join the meeting. */
  @Column({ type: 'timestamptz', name: 'opened_at' })
  openedAt!: Date;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'timestamptz', name: 'start_at' })
  startAt!: Date;

  @Column({ type: 'timestamptz', name: 'end_at' })
  endAt!: Date;

  @Column({ type: 'integer', name: 'duration_minutes' })
  durationMinutes!: number;

  /** The latest start the response windows of its alerts allow. */
  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ type: 'text' })
  timezone!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true, name: 'conferencing_url' })
  conferencingUrl!: string | null;

  @Column({ type: 'text' })
  provider!: CalendarProviderName;

  @Column({ type: 'text', nullable: true, name: 'provider_ref' })
  providerRef!: string | null;

  @Column({ type: 'jsonb' })
  attendees!: MeetingAttendee[];

  @Column({ type: 'text', name: 'urgency_level' })
  urgencyLevel!: UrgencyLevel;

  @Column({ type: 'double precision', name: 'urgency_score' })
  urgencyScore!: number;

  @Column({ type: 'text', name: 'why_scheduled' })
  whyScheduled!: string;

  @Column({ type: 'jsonb' })
  agenda!: string[];

  @Column({ type: 'text', name: 'pre_meeting_summary' })
  preMeetingSummary!: string;

  @Column({ type: 'text', name: 'root_cause' })
  rootCause!: string;

  @Column({ type: 'jsonb' })
  compliance!: ComplianceAssessment;

  @Column({ type: 'boolean', name: 'outside_business_hours' })
  outsideBusinessHours!: boolean;

  /** The response window had already closed when the meeting was placed. */
  @Column({ type: 'boolean', name: 'past_deadline' })
  pastDeadline!: boolean;

  // TODO(#6): nothing marks a meeting `completed` once it has ended; only `scheduled` and `cancelled` occur.
  @Column({ type: 'text' })
  status!: MeetingStatus;

  @Column({ type: 'text', name: 'invite_uid' })
  inviteUid!: string;

  /** RFC 5545 SEQUENCE of the latest invite; raised on every change. */
  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'text', name: 'invite_ics' })
  inviteIcs!: string;

  @Column({ type: 'jsonb', name: 'notification_channels' })
  notificationChannels!: NotificationChannel[];

  @Column({ type: 'text', nullable: true, name: 'trace_id' })
  traceId!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

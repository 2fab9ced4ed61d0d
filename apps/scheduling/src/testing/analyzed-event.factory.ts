import { randomUUID } from 'node:crypto';
import { type AlertChange, type Attendee, EXAMPLE_PAYLOADS, EVENT_CATALOGUE, type UrgencyLevel } from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';

const URGENCY: Record<UrgencyLevel, { score: number; window: number; duration: number; wording: string }> = {
  CRITICAL: { score: 1, window: 60, duration: 60, wording: '< 1 hour' },
  HIGH: { score: 0.8, window: 240, duration: 45, wording: '< 4 hours' },
  MEDIUM: { score: 0.5, window: 1440, duration: 30, wording: '< 24 hours' },
  LOW: { score: 0.3, window: 2880, duration: 15, wording: '< 48 hours' },
};

export interface AnalyzedEventSpec {
  alertId: string;
  alertType?: string;
  systems?: string[];
  level?: UrgencyLevel;
  change?: AlertChange;
  revision?: number;
  receivedAt: Date;
  attendees?: Attendee[];
  booksMeeting?: boolean;
  discussionPoints?: string[];
  traceId?: string;
}

export function attendee(email: string, role = 'Engineer'): Attendee {
  return { role, name: email.split('@')[0], email, invited_by: 'alert_type' };
}

/** An `alert.analyzed` event as analysis would publish it, built from the catalogue's example. */
export function analyzedEvent(spec: AnalyzedEventSpec): ConveneEvent<'alert.analyzed'> {
  const example = EXAMPLE_PAYLOADS['alert.analyzed'];
  const level = spec.level ?? 'HIGH';
  const urgency = URGENCY[level];
  const traceId = spec.traceId ?? randomUUID().replaceAll('-', '');
  return {
    id: randomUUID(),
    topic: 'alert.analyzed',
    type: EVENT_CATALOGUE['alert.analyzed'].type,
    source: '/convene/analysis',
    time: spec.receivedAt.toISOString(),
    subject: spec.alertId,
    traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    tracestate: null,
    data: {
      ...example,
      alert: {
        ...example.alert,
        alert_id: spec.alertId,
        alert_type: spec.alertType ?? example.alert.alert_type,
        affected_systems: spec.systems ?? example.alert.affected_systems,
        status: spec.change === 'resolved' ? 'resolved' : 'firing',
      },
      change: spec.change ?? 'new',
      revision: spec.revision ?? 1,
      received_at: spec.receivedAt.toISOString(),
      analyzed_at: spec.receivedAt.toISOString(),
      urgency: {
        level,
        score: urgency.score,
        response_window_minutes: urgency.window,
        recommended_response_time: urgency.wording,
        duration_minutes: urgency.duration,
      },
      books_meeting: spec.booksMeeting ?? true,
      attendees: spec.attendees ?? example.attendees,
      meeting_context: {
        ...example.meeting_context,
        title: `${level}: ${spec.alertId}`,
        discussion_points: spec.discussionPoints ?? example.meeting_context.discussion_points,
      },
    },
  };
}

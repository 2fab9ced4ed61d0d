import type { InvitationRule, MeetingSnapshotV1 } from '#libs/contracts';
import { DateTime } from 'luxon';
import type { MeetingEventKind } from '../deliveries/delivery.entity';

/** When the meeting takes place, in its own time zone and, if that differs, in UTC too. */
export function describeWhen(snapshot: Pick<MeetingSnapshotV1, 'start' | 'end' | 'timezone'>): string {
  const zone = DateTime.local().setZone(snapshot.timezone).isValid ? snapshot.timezone : 'UTC';
  const start = DateTime.fromISO(snapshot.start, { zone });
  const end = DateTime.fromISO(snapshot.end, { zone });
  if (!start.isValid || !end.isValid) return `${snapshot.start} – ${snapshot.end}`;

  const local = `${start.toFormat('ccc d LLL yyyy, HH:mm')}–${end.toFormat('HH:mm')} ${zone}`;
  if (start.offset === 0) return local;
  return `${local} (${start.toUTC().toFormat('HH:mm')}–${end.toUTC().toFormat('HH:mm')} UTC)`;
}

/** An instant such as a regulatory deadline, in the meeting's time zone. */
export function describeInstant(iso: string, timezone: string): string {
  const zone = DateTime.local().setZone(timezone).isValid ? timezone : 'UTC';
  const instant = DateTime.fromISO(iso, { zone });
  return instant.isValid ? `${instant.toFormat('ccc d LLL yyyy, HH:mm')} ${zone}` : iso;
}

export function invitationReason(rule: InvitationRule): string {
  switch (rule) {
    case 'alert_type':
      return 'you own this kind of alert';
    case 'default_route':
      return 'you are the default contact for alerts without a route';
    case 'high_severity':
      return 'the alert is high severity';
    case 'executive':
      return 'an executive sponsor is required';
    case 'customer_impact':
      return 'customers are affected';
  }
}

export function subjectPrefix(kind: MeetingEventKind): string {
  switch (kind) {
    case 'scheduled':
      return 'Invitation';
    case 'updated':
      return 'Updated invitation';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** Only web links become clickable; anything else (javascript:, data:) is shown, not linked. */
export function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

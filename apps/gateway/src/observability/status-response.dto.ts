import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ReceivedAlertCountsDto {
  @ApiProperty({ description: 'Webhook deliveries the gateway stored, one per alert id.' })
  total!: number;

  @ApiProperty()
  firing!: number;

  @ApiProperty()
  resolved!: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { critical: 2, low: 1 } })
  by_severity!: Record<string, number>;
}

class StageCountDto {
  @ApiProperty({ description: 'Within the last `window_hours`.' })
  window!: number;

  @ApiProperty({ description: 'Since the audit log began.' })
  total!: number;
}

class PipelineStagesDto {
  @ApiProperty({ type: StageCountDto, description: 'Alerts the audit service holds the facts of.' })
  received!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Alerts with an analysis (window on analyzed_at).' })
  analyzed!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Meetings booked (window on when first seen).' })
  scheduled!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Meetings with at least one message delivered.' })
  notified!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Meetings now cancelled (window on their last change).' })
  cancelled!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Messages (channel and recipient) whose latest outcome is failed.' })
  notification_failed!: StageCountDto;

  @ApiProperty({ type: StageCountDto, description: 'Messages a consumer gave up on, any service.' })
  dead_lettered!: StageCountDto;
}

class PipelineDto {
  @ApiProperty({ description: 'False when the audit service did not answer; then only `error` is set.' })
  available!: boolean;

  @ApiPropertyOptional({ description: 'When the audit service counted.' })
  as_of?: string;

  @ApiPropertyOptional({ type: PipelineStagesDto })
  stages?: PipelineStagesDto;

  @ApiPropertyOptional({ example: 'AUDIT.UNAVAILABLE' })
  error?: string;
}

class ConsumerLagDto {
  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'null' }],
    description: 'Messages not yet processed by `convene-<service>`; null when the bus did not answer.',
  })
  total!: number | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { 'alert.received': 0 } })
  by_topic!: Record<string, number>;

  @ApiPropertyOptional({ enum: ['no_bus', 'bus_unavailable'] })
  unknown_reason?: 'no_bus' | 'bus_unavailable';
}

class LastErrorDto {
  @ApiProperty({ example: '2026-12-03T09:12:10.000Z' })
  at!: string;

  @ApiProperty({ example: 'HTTP.403' })
  code!: string;

  @ApiProperty({
    description: 'URLs cut to their host, tokens and secret-named values replaced, at most 240 characters.',
  })
  message!: string;

  @ApiProperty({ enum: ['dead_letter', 'notification.failed'] })
  source!: 'dead_letter' | 'notification.failed';

  @ApiProperty({ example: 'meeting.scheduled' })
  topic!: string;

  @ApiProperty()
  alert_id!: string;
}

class ServiceStatusDto {
  @ApiPropertyOptional({ type: ConsumerLagDto, description: 'Absent for the gateway, which consumes nothing.' })
  consumer_lag?: ConsumerLagDto;

  @ApiProperty({
    oneOf: [{ $ref: '#/components/schemas/StageCountDto' }, { type: 'null' }],
    description: "Dead letters of this service's consumers, as audit saw them; null when audit did not answer.",
  })
  dead_letters!: StageCountDto | null;

  @ApiProperty({
    oneOf: [{ $ref: '#/components/schemas/LastErrorDto' }, { type: 'null' }],
    description: 'The newest dead letter or final notification failure; null when none, or audit did not answer.',
  })
  last_error!: LastErrorDto | null;
}

/** The answer of GET /status. */
export class StatusResponseDto {
  @ApiProperty({ example: 'gateway' })
  service!: string;

  @ApiProperty()
  version!: string;

  @ApiProperty()
  uptime_seconds!: number;

  @ApiProperty({ description: 'Hours the `window` counts cover.', example: 24 })
  window_hours!: number;

  @ApiProperty({ type: ReceivedAlertCountsDto, description: "The gateway's own store of received alerts." })
  alerts!: ReceivedAlertCountsDto;

  @ApiProperty({ description: 'Replay nonces still inside the signature window.' })
  replay_nonces!: number;

  @ApiProperty({ type: PipelineDto })
  pipeline!: PipelineDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ServiceStatusDto' },
    description: 'gateway, analysis, scheduling, notification and audit.',
  })
  services!: Record<string, ServiceStatusDto>;
}

export const STATUS_EXTRA_MODELS = [StageCountDto, LastErrorDto, ServiceStatusDto];

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class AlertLinksDto {
  @ApiProperty({ example: '/alerts/SEC-2025-001' })
  alert!: string;
}

/** The 202 answer: the alert is stored and its event will be published. */
export class AcceptedAlertDto {
  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';

  @ApiProperty({ example: 'SEC-2025-001' })
  alert_id!: string;

  @ApiProperty({
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
    description: 'W3C trace id to find the alert in Jaeger.',
  })
  trace_id!: string;

  @ApiProperty({ type: AlertLinksDto })
  links!: AlertLinksDto;
}

class UrgencyDto {
  @ApiProperty({ enum: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] })
  level!: string;

  @ApiProperty({ example: 1 })
  score!: number;

  @ApiProperty({ example: '< 1 hour' })
  recommended_response_time!: string;
}

class WorkflowResultDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'null' }] })
  root_cause!: string | null;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'null' }], example: 'violation_detected' })
  compliance_status!: string | null;
}

class ProcessedAlertDataDto {
  @ApiProperty()
  alert_id!: string;

  @ApiProperty()
  meeting_id!: string;

  @ApiProperty()
  meeting_url!: string;

  @ApiProperty({ type: UrgencyDto })
  urgency!: UrgencyDto;

  @ApiProperty({ type: WorkflowResultDto })
  workflow_result!: WorkflowResultDto;
}

/** The 200 answer to `Prefer: wait=<s>` once the meeting exists (the seed's success shape). */
export class ProcessedAlertDto {
  @ApiProperty({ enum: ['success'] })
  status!: 'success';

  @ApiProperty({ example: 'Alert SEC-2025-001 processed and meeting MTG-001 created' })
  message!: string;

  @ApiProperty({ type: ProcessedAlertDataDto })
  data!: ProcessedAlertDataDto;
}

class FieldErrorDto {
  @ApiProperty({ example: 'severity' })
  field!: string;

  @ApiProperty({ example: 'severity must be one of the following values: critical, high, medium, low' })
  message!: string;
}

/** RFC 9457 problem details, served as application/problem+json. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:convene:problem:alert.signature_invalid' })
  type!: string;

  @ApiProperty({ example: 'Webhook signature invalid' })
  title!: string;

  @ApiProperty({ example: 401 })
  status!: number;

  @ApiProperty()
  detail!: string;

  @ApiProperty({ example: '/webhooks/chainsync/alert' })
  instance!: string;

  @ApiProperty({ example: 'ALERT.SIGNATURE_INVALID', description: 'Stable machine-readable code.' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { ALERT_STATUSES, type AlertStatus, SEVERITIES, type Severity } from '#libs/contracts';

/** Bounds of the webhook body; anything larger is a client error, not something to store. */
export const ALERT_LIMITS = {
  alertId: 128,
  alertType: 100,
  description: 10_000,
  affectedSystems: 100,
  systemName: 200,
  frameworks: 20,
  frameworkName: 50,
  contextDepth: 6,
  contextBytes: 32_768,
  futureSkewMinutes: 60,
} as const;

/** The webhook body ChainSync posts. Fields follow the seed's snake_case names. */
export class AlertPayloadDto {
  @ApiProperty({ example: 'SEC-2025-001', maxLength: ALERT_LIMITS.alertId, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' })
  @IsString()
  @MaxLength(ALERT_LIMITS.alertId)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'alert_id must be letters, digits, ".", "_", ":" or "-"' })
  alert_id!: string;

  @ApiProperty({ example: 'security_incident', maxLength: ALERT_LIMITS.alertType })
  @IsString()
  @MaxLength(ALERT_LIMITS.alertType)
  @Matches(/\S/, { message: 'alert_type must not be empty' })
  alert_type!: string;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES)
  severity!: Severity;

  @ApiProperty({ example: 'Unauthorized access attempt detected', maxLength: ALERT_LIMITS.description })
  @IsString()
  @MinLength(1)
  @MaxLength(ALERT_LIMITS.description)
  description!: string;

  @ApiProperty({ type: [String], example: ['prod-db-01', 'auth-service'], maxItems: ALERT_LIMITS.affectedSystems })
  @IsArray()
  @ArrayMaxSize(ALERT_LIMITS.affectedSystems)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(ALERT_LIMITS.systemName, { each: true })
  affected_systems!: string[];

  @ApiProperty({
    example: '2025-11-28T10:00:00Z',
    format: 'date-time',
    description: 'ISO 8601 date and time with seconds and an offset (RFC 3339); at most an hour ahead of the gateway.',
  })
  @IsString()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i, {
    message: 'detected_at must be a date and time with an offset, like 2025-11-28T10:00:00Z',
  })
  @NotFarInFuture(ALERT_LIMITS.futureSkewMinutes)
  detected_at!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Free-form; at most ${ALERT_LIMITS.contextDepth} levels deep and ${ALERT_LIMITS.contextBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @BoundedJson(ALERT_LIMITS.contextDepth, ALERT_LIMITS.contextBytes)
  context?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['SOC2', 'ISO27001'], maxItems: ALERT_LIMITS.frameworks })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALERT_LIMITS.frameworks)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(ALERT_LIMITS.frameworkName, { each: true })
  compliance_frameworks?: string[];

  @ApiPropertyOptional({ enum: ALERT_STATUSES, default: 'firing' })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;
}

export const ALERT_PAYLOAD_FIELDS = [
  'alert_id',
  'alert_type',
  'severity',
  'description',
  'affected_systems',
  'detected_at',
  'context',
  'compliance_frameworks',
  'status',
] as const satisfies readonly (keyof AlertPayloadDto)[];

function NotFarInFuture(minutes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notFarInFuture',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property must not be more than ${minutes} minutes in the future`, ...options },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !(Date.parse(value) > Date.now() + minutes * 60_000),
      },
    });
}

function BoundedJson(maxDepth: number, maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'boundedJson',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property must be at most ${maxDepth} levels deep and ${maxBytes} bytes`, ...options },
      validator: {
        validate: (value: unknown) =>
          depthOf(value) <= maxDepth && Buffer.byteLength(JSON.stringify(value) ?? '') <= maxBytes,
      },
    });
}

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Object.values(value as Record<string, unknown>);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
}

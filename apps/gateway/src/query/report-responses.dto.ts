import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

export class MeetingRateReportDto {
  @ApiProperty({ example: 30 })
  window_days!: number;

  @ApiProperty({ example: 12, description: 'Alerts received in the window.' })
  total_alerts!: number;

  @ApiProperty({ example: 4, description: 'Of those, alerts that got a meeting.' })
  with_meetings!: number;

  @ApiProperty({ example: 33.33, description: 'Percentage, 0 to 100 with two decimals.' })
  meeting_rate!: number;
}

class FrameworkViolationsDto {
  @ApiProperty({ example: 'PCI-DSS' })
  framework!: string;

  @ApiProperty({ example: 3, description: 'Violations of this framework found by the compliance analysis.' })
  violations!: number;

  @ApiProperty({ example: 2, description: 'Alerts with at least one of them.' })
  alerts!: number;
}

export class ViolationsByFrameworkReportDto {
  @ApiProperty({ example: 30 })
  window_days!: number;

  @ApiProperty({ type: [FrameworkViolationsDto], description: 'Most violations first.' })
  items!: FrameworkViolationsDto[];
}

class BrokenLinkDto {
  @ApiProperty()
  seq!: number;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'null' }] })
  event_id!: string | null;

  @ApiProperty({ enum: ['prev_hash_mismatch', 'hash_mismatch', 'head_mismatch'] })
  problem!: string;

  @ApiProperty()
  expected!: string;

  @ApiProperty()
  actual!: string;
}

export class ChainVerificationDto {
  @ApiProperty({ description: 'True when every entry hashes to what the next one and the head record.' })
  ok!: boolean;

  @ApiProperty({ description: 'Entries checked.' })
  checked!: number;

  @ApiProperty({ description: 'Sequence number of the last entry checked.' })
  last_seq!: number;

  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(BrokenLinkDto) }, { type: 'null' }] })
  first_broken!: BrokenLinkDto | null;

  @ApiProperty({ type: [BrokenLinkDto], description: 'Every broken link found, oldest first, at most 100.' })
  broken!: BrokenLinkDto[];
}

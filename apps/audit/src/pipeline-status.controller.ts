import { Controller, Get, Query, UseFilters } from '@nestjs/common';
import { AuditQueryExceptionFilter } from './audit-query-exception.filter';
import { type PipelineStatusJson, parseWindowHours } from './pipeline-status.dto';
import { PipelineStatusService } from './pipeline-status.service';

/** The pipeline's stage counts and per-service errors for the gateway's /status; not exposed to the public. */
@Controller('internal')
@UseFilters(AuditQueryExceptionFilter)
export class PipelineStatusController {
  constructor(private readonly pipeline: PipelineStatusService) {}

  @Get('status')
  status(@Query('window_hours') windowHours?: string | string[]): Promise<PipelineStatusJson> {
    return this.pipeline.status(parseWindowHours(windowHours));
  }
}

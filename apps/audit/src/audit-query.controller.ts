import { Controller, Get, Header, Param, Query, UseFilters } from '@nestjs/common';
import type { ChainVerification } from './audit-log.service';
import {
  type Page,
  parseAlertListQuery,
  parseMeetingListQuery,
  parseReportQuery,
  type RawQuery,
} from './audit-query.dto';
import { AuditQueryException } from './audit-query.exception';
import { AuditQueryService } from './audit-query.service';
import type {
  AlertDetailJson,
  AlertJson,
  MeetingDetailJson,
  MeetingJson,
  MeetingRateReport,
  ViolationsByFrameworkReport,
} from './audit-response.dto';
import { AuditQueryExceptionFilter } from './audit-query-exception.filter';

/** The audit service's query API for the gateway; not exposed to the public. */
@Controller('internal')
@UseFilters(AuditQueryExceptionFilter)
export class AuditQueryController {
  constructor(private readonly queries: AuditQueryService) {}

  @Get('alerts/recent')
  recentAlerts(@Query() query: RawQuery): Promise<Page<AlertJson>> {
    return this.queries.recentAlerts(parseAlertListQuery(query));
  }

  @Get('alerts/:alert_id')
  async alert(@Param('alert_id') alertId: string): Promise<AlertDetailJson> {
    return found(await this.queries.alert(alertId), `alert ${alertId}`);
  }

  @Get('meetings/recent')
  recentMeetings(@Query() query: RawQuery): Promise<Page<MeetingJson>> {
    return this.queries.recentMeetings(parseMeetingListQuery(query));
  }

  @Get('meetings/:meeting_id/invite.ics')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  async invite(@Param('meeting_id') meetingId: string): Promise<string> {
    return found(await this.queries.invite(meetingId), `meeting ${meetingId}`);
  }

  @Get('meetings/:meeting_id')
  async meeting(@Param('meeting_id') meetingId: string): Promise<MeetingDetailJson> {
    return found(await this.queries.meeting(meetingId), `meeting ${meetingId}`);
  }

  @Get('reports/high-priority-without-meeting')
  highPriorityWithoutMeeting(@Query() query: RawQuery): Promise<{ items: AlertJson[] }> {
    return this.queries.highPriorityWithoutMeeting(parseReportQuery(query).limit);
  }

  @Get('reports/upcoming-meetings')
  upcomingMeetings(@Query() query: RawQuery): Promise<{ items: MeetingJson[] }> {
    return this.queries.upcomingMeetings(parseReportQuery(query).limit);
  }

  @Get('reports/meeting-rate')
  meetingRate(@Query() query: RawQuery): Promise<MeetingRateReport> {
    return this.queries.meetingRate(parseReportQuery(query).days);
  }

  @Get('reports/violations-by-framework')
  violationsByFramework(@Query() query: RawQuery): Promise<ViolationsByFrameworkReport> {
    return this.queries.violationsByFramework(parseReportQuery(query).days);
  }

  @Get('audit/verify')
  verify(): Promise<ChainVerification> {
    return this.queries.verifyChain();
  }
}

function found<T>(value: T | null, what: string): T {
  if (value === null) throw new AuditQueryException('AUDIT.NOT_FOUND', `${what} is unknown to the audit service`);
  return value;
}

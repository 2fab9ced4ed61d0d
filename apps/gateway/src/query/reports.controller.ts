import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ReadKeyGuard } from '../security/access.guards';
import {
  type AlertView,
  AuditQueryPort,
  type ChainVerification,
  type MeetingRateReport,
  type MeetingView,
  type QueryParameters,
  type ViolationsByFrameworkReport,
} from './audit-query.port';
import {
  ApiQueryParameters,
  ApiReadProblems,
  LIST_REPORT_PARAMETERS,
  WINDOW_REPORT_PARAMETERS,
} from './query-parameters.dto';
import { ChainVerificationDto, MeetingRateReportDto, ViolationsByFrameworkReportDto } from './report-responses.dto';

/** The seed's reports and the audit chain check, answered by the audit service; read access as for queries. */
@ApiTags('reports')
@ApiSecurity('api-key')
@Controller()
@UseGuards(ReadKeyGuard)
@ApiReadProblems()
export class ReportsController {
  constructor(private readonly audit: AuditQueryPort) {}

  @Get('reports/high-priority-without-meeting')
  @ApiOperation({
    summary: 'Firing critical and high alerts that have no meeting',
    description: 'Most recently detected first; resolved alerts are left out.',
  })
  @ApiQueryParameters(LIST_REPORT_PARAMETERS)
  async highPriorityWithoutMeeting(@Query() query: QueryParameters): Promise<{ alerts: AlertView[]; count: number }> {
    const { items } = await this.audit.highPriorityWithoutMeeting(query);
    return { alerts: items, count: items.length };
  }

  @Get('reports/upcoming-meetings')
  @ApiOperation({
    summary: 'Scheduled meetings still ahead, most urgent first',
    description: 'By urgency score, then by start time.',
  })
  @ApiQueryParameters(LIST_REPORT_PARAMETERS)
  async upcomingMeetings(@Query() query: QueryParameters): Promise<{ meetings: MeetingView[]; count: number }> {
    const { items } = await this.audit.upcomingMeetings(query);
    return { meetings: items, count: items.length };
  }

  @Get('reports/meeting-rate')
  @ApiOperation({ summary: 'Of the alerts received in the last `days` days, how many got a meeting' })
  @ApiQueryParameters(WINDOW_REPORT_PARAMETERS)
  @ApiOkResponse({ type: MeetingRateReportDto })
  meetingRate(@Query() query: QueryParameters): Promise<MeetingRateReport> {
    return this.audit.meetingRate(query);
  }

  @Get('reports/violations-by-framework')
  @ApiOperation({ summary: 'Compliance violations per framework among alerts received in the last `days` days' })
  @ApiQueryParameters(WINDOW_REPORT_PARAMETERS)
  @ApiOkResponse({ type: ViolationsByFrameworkReportDto })
  violationsByFramework(@Query() query: QueryParameters): Promise<ViolationsByFrameworkReport> {
    return this.audit.violationsByFramework(query);
  }

  @Get('audit/verify')
  @ApiTags('audit')
  @ApiOperation({
    summary: "Recompute the audit log's hash chain",
    description:
      'Rehashes every entry from the first and compares each link and the chain head. A broken chain is still a ' +
      '200, with `ok: false` and the links that do not hold; the scan grows with the log.',
  })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(): Promise<ChainVerification> {
    return this.audit.verifyChain();
  }
}

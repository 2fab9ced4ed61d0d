import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../errors/gateway.exception';
import { ReadKeyGuard } from '../security/access.guards';
import {
  type AlertDetail,
  type AlertView,
  AuditQueryPort,
  type MeetingView,
  type QueryParameters,
} from './audit-query.port';
import {
  ALERT_LIST_PARAMETERS,
  ApiQueryParameters,
  ApiReadProblems,
  MEETING_LIST_PARAMETERS,
} from './query-parameters.dto';

/** Read routes, answered from the audit service's read models. */
@ApiTags('queries')
@ApiSecurity('api-key')
@Controller()
@UseGuards(ReadKeyGuard)
@ApiReadProblems()
export class QueryController {
  constructor(private readonly audit: AuditQueryPort) {}

  @Get('alerts/recent')
  @ApiOperation({
    summary: 'Most recent alerts first',
    description: 'Filters combine; `from` and `to` bound when Convene received the alert. Page on with `next_cursor`.',
  })
  @ApiQueryParameters(ALERT_LIST_PARAMETERS)
  async recentAlerts(
    @Query() query: QueryParameters,
  ): Promise<{ alerts: AlertView[]; count: number; next_cursor: string | null }> {
    const page = await this.audit.recentAlerts(query);
    return { alerts: page.items, count: page.items.length, next_cursor: page.next_cursor };
  }

  @Get('meetings/recent')
  @ApiOperation({
    summary: 'Most recent meetings first',
    description: 'Filters combine; `from` and `to` bound when the meeting was booked. Page on with `next_cursor`.',
  })
  @ApiQueryParameters(MEETING_LIST_PARAMETERS)
  async recentMeetings(
    @Query() query: QueryParameters,
  ): Promise<{ meetings: MeetingView[]; count: number; next_cursor: string | null }> {
    const page = await this.audit.recentMeetings(query);
    return { meetings: page.items, count: page.items.length, next_cursor: page.next_cursor };
  }

  @Get('alerts/:alert_id')
  @ApiOperation({ summary: 'One alert with its event timeline and trace id' })
  async alert(@Param('alert_id') alertId: string): Promise<AlertDetail> {
    const alert = await this.audit.alert(alertId);
    if (!alert) throw new GatewayError('ALERT.NOT_FOUND', `No alert ${alertId}.`);
    return alert;
  }

  @Get('meetings/:meeting_id')
  @ApiOperation({ summary: 'One meeting' })
  async meeting(@Param('meeting_id') meetingId: string): Promise<MeetingView> {
    const meeting = await this.audit.meeting(meetingId);
    if (!meeting) throw new GatewayError('MEETING.NOT_FOUND', `No meeting ${meetingId}.`);
    return meeting;
  }

  @Get('meetings/:meeting_id/invite.ics')
  @ApiOperation({ summary: "The meeting's current calendar invite (RFC 5545)" })
  async invite(
    @Param('meeting_id') meetingId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const ics = await this.audit.invite(meetingId);
    if (ics === null) throw new GatewayError('MEETING.NOT_FOUND', `No meeting ${meetingId}.`);
    void reply.header('content-type', 'text/calendar; charset=utf-8');
    return ics;
  }
}

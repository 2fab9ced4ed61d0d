import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../errors/gateway.exception';
import { ReadKeyGuard } from '../security/access.guards';
import { type AlertDetail, type AlertView, AuditQueryPort, type MeetingView } from './audit-query.port';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** Read routes, answered from the audit service's read models. */
@ApiTags('queries')
@ApiSecurity('api-key')
@Controller()
@UseGuards(ReadKeyGuard)
export class QueryController {
  constructor(private readonly audit: AuditQueryPort) {}

  @Get('alerts/recent')
  @ApiOperation({ summary: 'Most recent alerts first' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20 },
  })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  async recentAlerts(
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ alerts: AlertView[]; count: number; next_cursor: string | null }> {
    const page = await this.audit.recentAlerts(parseLimit(limit), cursor);
    return { alerts: page.items, count: page.items.length, next_cursor: page.next_cursor };
  }

  @Get('meetings/recent')
  @ApiOperation({ summary: 'Most recent meetings first' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20 },
  })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  async recentMeetings(
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ meetings: MeetingView[]; count: number; next_cursor: string | null }> {
    const page = await this.audit.recentMeetings(parseLimit(limit), cursor);
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

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new GatewayError('QUERY.INVALID', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  }
  return limit;
}

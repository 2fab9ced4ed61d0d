import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config';
import { AuditQueryPort } from '../query/audit-query.port';
import { apiKeyHeader, matchesAnyKey } from '../security/api-keys';
import { renderAlertPage, renderDashboard, renderKeyForm, renderNotFound } from './dashboard.renderer';
import { DASHBOARD_CSS } from './dashboard.styles';

const KEY_COOKIE = 'convene_read_key';
const COOKIE_MAX_AGE_SECONDS = 12 * 60 * 60;
const RECENT = 20;

/** Nothing may load or run but the page's own stylesheet; forms post only back to Convene. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

type Access = 'granted' | 'missing' | 'invalid';

/**
 * The page at `/`: recent alerts and meetings, and one page per alert with its timeline. Same read
 * rules as the JSON routes: open in embedded mode on loopback, otherwise a read or webhook key,
 * sent as X-API-Key or traded once through the form for an HttpOnly, SameSite=Strict cookie (a
 * form post, so the key never appears in a URL, a trace or the browser history).
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  constructor(
    private readonly audit: AuditQueryPort,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  @Get()
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.allowed(request, reply)) return;

    const [alerts, meetings] = await Promise.all([
      this.audit.recentAlerts({ limit: String(RECENT) }),
      this.audit.recentMeetings({ limit: String(RECENT) }),
    ]);
    sendHtml(reply, 200, renderDashboard(alerts.items, meetings.items));
  }

  @Get('ui/alerts/:alert_id')
  async alert(
    @Param('alert_id') alertId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!this.allowed(request, reply)) return;

    const alert = await this.audit.alert(alertId);
    if (!alert) return sendHtml(reply, 404, renderNotFound(alertId));
    const meeting = alert.meeting_id ? await this.audit.meeting(alert.meeting_id) : null;
    sendHtml(reply, 200, renderAlertPage(alert, meeting, this.settings.jaegerUiUrl));
  }

  /** The invite for the browser, which cannot send X-API-Key on a plain link. */
  @Get('ui/meetings/:meeting_id/invite.ics')
  async invite(
    @Param('meeting_id') meetingId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!this.allowed(request, reply)) return;

    const ics = await this.audit.invite(meetingId);
    if (ics === null) return sendHtml(reply, 404, renderNotFound(meetingId));
    const filename = `${meetingId.replace(/[^A-Za-z0-9._-]/g, '_')}.ics`;
    void reply
      .code(200)
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('x-content-type-options', 'nosniff')
      .send(ics);
  }

  @Get('ui/convene.css')
  stylesheet(@Res() reply: FastifyReply): void {
    void reply
      .code(200)
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(DASHBOARD_CSS);
  }

  @Post('ui/session')
  session(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!sameOrigin(request)) return sendHtml(reply, 403, renderKeyForm('The form must be sent from this page.'));
    const key = Buffer.isBuffer(body) ? new URLSearchParams(body.toString('utf8')).get('key') : null;
    if (!this.settings.readsOpen && (!key || !matchesAnyKey(key, this.readKeys()))) {
      return sendHtml(reply, 401, renderKeyForm('That key is not accepted.'));
    }

    if (key && !this.settings.readsOpen) void reply.header('set-cookie', this.keyCookie(key));
    void reply.code(303).header('location', '/').header('cache-control', 'no-store').send();
  }

  /** Lets the request through, or answers with the key form and returns false. */
  private allowed(request: FastifyRequest, reply: FastifyReply): boolean {
    const access = this.access(request);
    if (access === 'granted') return true;
    sendHtml(reply, 401, renderKeyForm(access === 'invalid' ? 'The key you used is no longer accepted.' : null));
    return false;
  }

  private access(request: FastifyRequest): Access {
    if (this.settings.readsOpen) return 'granted';
    const presented = apiKeyHeader(request.headers) ?? cookieValue(request.headers.cookie, KEY_COOKIE);
    if (presented === undefined) return 'missing';
    return matchesAnyKey(presented, this.readKeys()) ? 'granted' : 'invalid';
  }

  private readKeys(): string[] {
    return [...this.settings.readApiKeys, ...this.settings.webhookApiKeys];
  }

  private keyCookie(key: string): string {
    const secure = this.settings.secureCookies ? '; Secure' : '';
    const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${COOKIE_MAX_AGE_SECONDS}${secure}`;
    return `${KEY_COOKIE}=${encodeURIComponent(key)}; ${attributes}`;
  }
}

function sendHtml(reply: FastifyReply, status: number, body: string): void {
  void reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(body);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [rawName, ...rest] = part.trim().split('=');
    if (rawName !== name) continue;
    try {
      const value = decodeURIComponent(rest.join('='));
      return value.length > 0 ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A browser always sends Origin on a form post; when it does, it must name this host. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Alert } from '#libs/contracts';
import { withLogContext } from '#libs/telemetry';
import { WebhookKeyGuard } from '../security/access.guards';
import { AlertIntakeService } from './alert-intake.service';
import { AlertPayloadDto } from './alert-payload.dto';
import { assertJsonMediaType, parseAlertPayload } from './alert-payload.parser';
import { MeetingWaitService, preferredWaitSeconds, type ProcessedAlert } from './meeting-wait.service';
import { AcceptedAlertDto, ProblemDto, ProcessedAlertDto } from './webhook-responses.dto';
import { type SignedDelivery, WebhookSignatureService } from './webhook-signature.service';

export interface AcceptedAlert {
  status: 'accepted';
  alert_id: string;
  trace_id: string;
  links: { alert: string };
}

const DESCRIPTION = `Receives a signed ChainSync alert. The alert and its \`alert.received\` event are stored in one
transaction before the answer. Checks, in order: rate limit per client IP (429 with Retry-After), X-API-Key
(401 missing, 403 wrong), body at most 1 MB (413), application/json (415), X-Webhook-Timestamp within ±300 s and
X-Webhook-Signature = hex HMAC-SHA256 over \`<timestamp>.<raw body>\` (401), the same signed request only once
(409 ALERT.REPLAYED; signatures are remembered for the whole window, across restarts), JSON (400), fields (422).

Re-deliveries of a known alert_id: identical content gets the same answer and publishes nothing; a higher
severity publishes \`change: escalated\` with the next revision; \`status: resolved\` publishes \`change: resolved\`;
a lower severity is recorded but never downgrades the alert and publishes nothing; a resolved alert stays resolved.

With \`Prefer: wait=<seconds>\` (at most 30) the answer waits for the meeting and is the 200 success shape; if the
meeting does not exist in time it is the 202 with a link to poll.`;

@ApiTags('webhooks')
@ApiExtraModels(ProblemDto)
@Controller('webhooks/chainsync')
@UseGuards(WebhookKeyGuard)
export class AlertWebhookController {
  constructor(
    private readonly signatures: WebhookSignatureService,
    private readonly intake: AlertIntakeService,
    private readonly meetings: MeetingWaitService,
  ) {}

  @Post('alert')
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a ChainSync alert', description: DESCRIPTION })
  @ApiSecurity('api-key')
  @ApiHeader({ name: 'X-Webhook-Timestamp', required: true, description: 'Unix seconds.' })
  @ApiHeader({ name: 'X-Webhook-Signature', required: true, description: 'Hex HMAC-SHA256; `sha256=` prefix allowed.' })
  @ApiHeader({ name: 'Prefer', required: false, description: '`wait=<seconds>`, at most 30.' })
  @ApiBody({ type: AlertPayloadDto })
  @ApiResponse({ status: 202, type: AcceptedAlertDto, description: 'Stored; processing continues.' })
  @ApiResponse({ status: 200, type: ProcessedAlertDto, description: 'With Prefer: wait, once the meeting exists.' })
  @ApiResponse({ status: 400, description: 'Malformed JSON.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({
    status: 401,
    description: 'Key, signature or timestamp.',
    schema: { $ref: getSchemaPath(ProblemDto) },
  })
  @ApiResponse({ status: 403, description: 'Key not accepted.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({ status: 409, description: 'ALERT.REPLAYED.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({ status: 413, description: 'Body over 1 MB.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({ status: 415, description: 'Not application/json.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({ status: 422, description: 'Invalid fields.', schema: { $ref: getSchemaPath(ProblemDto) } })
  @ApiResponse({ status: 429, description: 'Rate limited.', schema: { $ref: getSchemaPath(ProblemDto) } })
  async receive(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedAlert | ProcessedAlert> {
    const now = new Date();
    const rawBody = rawBodyOf(request);
    assertJsonMediaType(request.headers['content-type']);
    const delivery = this.signatures.verify(
      {
        timestamp: single(request.headers['x-webhook-timestamp']),
        signature: single(request.headers['x-webhook-signature']),
      },
      rawBody,
      now.getTime(),
    );
    const alert = parseAlertPayload(rawBody);

    return withLogContext({ alert_id: alert.alert_id }, () =>
      this.acceptAndAnswer(alert, delivery, now, request, reply),
    );
  }

  private async acceptAndAnswer(
    alert: Alert,
    delivery: SignedDelivery,
    now: Date,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<AcceptedAlert | ProcessedAlert> {
    const result = await this.intake.accept(alert, delivery, now);

    const waitSeconds = preferredWaitSeconds(request.headers.prefer);
    if (waitSeconds !== undefined) {
      const processed = await this.meetings.waitForMeeting(result.alert_id, waitSeconds);
      if (processed) {
        void reply.status(200).header('preference-applied', `wait=${waitSeconds}`);
        return processed;
      }
    }
    const link = `/alerts/${encodeURIComponent(result.alert_id)}`;
    void reply.header('location', link);
    return { status: 'accepted', alert_id: result.alert_id, trace_id: result.trace_id, links: { alert: link } };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The body as received; anything but a Buffer means the server was started without configureGatewayHttp. */
function rawBodyOf(request: FastifyRequest): Buffer {
  if (request.body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(request.body)) return request.body;
  throw new Error('gateway HTTP server started without configureGatewayHttp: webhook bodies are not kept raw');
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config';
import { type PipelineStatus, PipelineStatusPort } from './pipeline-status.port';

const TIMEOUT_MS = 3_000;

/** The audit service's `/internal/status` over HTTP, at AUDIT_URL. */
@Injectable()
export class HttpPipelineStatusAdapter extends PipelineStatusPort {
  private readonly logger = new Logger(HttpPipelineStatusAdapter.name);

  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {
    super();
  }

  async pipelineStatus(windowHours: number): Promise<PipelineStatus> {
    const path = `/internal/status?window_hours=${windowHours}`;
    let response: Response;
    try {
      response = await fetch(`${this.settings.auditUrl}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      this.logger.warn({ msg: 'audit status failed', path, error: error instanceof Error ? error.message : 'unknown' });
      throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service did not answer.');
    }
    if (!response.ok) {
      this.logger.warn({ msg: 'audit status rejected', path, status: response.status });
      throw new GatewayError('AUDIT.UNAVAILABLE', `The audit service answered ${response.status}.`);
    }
    return (await response.json()) as PipelineStatus;
  }
}

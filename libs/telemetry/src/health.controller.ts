import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadinessService, type ReadinessReport } from './readiness.service';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** Liveness: the process answers. Dependencies are /ready's business. */
  @Get('health')
  @HttpCode(200)
  health(): { status: 'ok'; service: string; version: string } {
    return { status: 'ok', service: this.identity.name, version: this.identity.version };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    void reply.status(report.ready ? 200 : 503);
    return report;
  }
}

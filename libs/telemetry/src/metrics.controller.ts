import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { metricsExposition } from './metrics';

/**
 * Prometheus exposition of the process's registry. The gateway leaves it out of its OpenAPI
 * document; marking it here with @nestjs/swagger would load that package into every service.
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await metricsExposition();
    void reply.header('content-type', contentType);
    return body;
  }
}

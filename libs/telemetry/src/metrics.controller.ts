import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { metricsExposition } from './metrics';

/** Prometheus exposition of the process's registry. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await metricsExposition();
    void reply.header('content-type', contentType);
    return body;
  }
}

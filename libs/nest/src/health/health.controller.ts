import { Controller, Get, HttpException, Inject, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConfigError } from '../config/config';
import type { LambdaFlexSettings, ReadinessCheck } from '../lambdaflex.options';
import { ApiErrors } from '../openapi/errors';
import { LAMBDAFLEX_SETTINGS } from '../tokens';
import { LivenessDto, ReadinessDto } from './health.dto';

/** Operation id of `GET /readyz`, by which the document is given the service's own words for it. */
export const READINESS_OPERATION = 'getReadiness';

/**
 * Liveness for the ALB target group (`/healthz`) and readiness (`/readyz`) that proves what the service
 * needs answers, by the service's own {@link ReadinessCheck}.
 */
@ApiTags('health')
@Controller()
export class HealthController implements OnModuleInit {
  private readiness?: ReadinessCheck;

  constructor(
    @Inject(LAMBDAFLEX_SETTINGS) private readonly settings: LambdaFlexSettings,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The check is found once, at start: a class nobody registered is a start failure, not a 500 on the first probe. */
  onModuleInit() {
    const check = this.settings.readiness?.check;
    if (!check) return;
    try {
      this.readiness = this.moduleRef.get(check, { strict: false });
    } catch {
      throw new ConfigError(`invalid configuration: readiness.check: ${check.name} is not a provider: list it in one of the app's modules`);
    }
  }

  /** Cheap on purpose: the target group asks every few seconds, and a slow store must not fail the task. */
  @Get('healthz')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process serves requests', security: [] })
  @ApiOkResponse({ type: LivenessDto, description: 'The process serves requests.' })
  healthz() {
    return { status: 'ok', tier: this.settings.config.tier };
  }

  @Get('readyz')
  @ApiOperation({ operationId: READINESS_OPERATION, summary: "Readiness: the service's readiness check passes", security: [] })
  @ApiOkResponse({ type: ReadinessDto, description: "The service's readiness check passes." })
  @ApiErrors({ 503: 'The readiness check fails (or the server is at its in-flight limit: see `Retry-After`).' })
  async readyz() {
    try {
      await this.readiness?.check();
    } catch (err) {
      if (err instanceof HttpException) throw err;
      throw new ServiceUnavailableException(`not ready: ${(err as Error)?.name ?? 'Error'}`);
    }
    return { status: 'ready', tier: this.settings.config.tier };
  }
}

import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DYNAMODB } from '../dynamodb/dynamodb.module';
import { ApiErrors } from '../openapi/errors';
import { LivenessDto, ReadinessDto } from './health.dto';

/** Liveness for the ALB target group and readiness that proves the data store answers. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DYNAMODB) private readonly dynamodb: DynamoDBDocumentClient,
  ) {}

  /** Cheap on purpose: the target group asks every few seconds, and a slow store must not fail the task. */
  @Get('healthz')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process serves requests', security: [] })
  @ApiOkResponse({ type: LivenessDto, description: 'The process serves requests.' })
  healthz() {
    return { status: 'ok', tier: this.config.tier };
  }

  @Get('readyz')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the pets table answers', security: [] })
  @ApiOkResponse({ type: ReadinessDto, description: 'The pets table answers.' })
  @ApiErrors({ 503: 'The pets table does not answer (or the server is at its in-flight limit: see `Retry-After`).' })
  async readyz() {
    try {
      await this.dynamodb.send(new DescribeTableCommand({ TableName: this.config.petsTable }));
    } catch (err) {
      throw new ServiceUnavailableException(`table ${this.config.petsTable} is not reachable: ${(err as Error).name}`);
    }
    return { status: 'ready', tier: this.config.tier };
  }
}

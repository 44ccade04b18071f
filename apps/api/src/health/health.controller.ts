import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DYNAMODB } from '../dynamodb/dynamodb.module';

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
  @ApiOkResponse({ description: 'The process serves requests.' })
  healthz() {
    return { status: 'ok', tier: this.config.tier };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'The pets table answers.' })
  @ApiServiceUnavailableResponse({ description: 'The pets table does not answer.' })
  async readyz() {
    try {
      await this.dynamodb.send(new DescribeTableCommand({ TableName: this.config.petsTable }));
    } catch (err) {
      throw new ServiceUnavailableException(`table ${this.config.petsTable} is not reachable: ${(err as Error).name}`);
    }
    return { status: 'ready', tier: this.config.tier };
  }
}

import { Module } from '@nestjs/common';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ThrottlerModule } from '@nestjs/throttler';
import { StateStore } from '@lambdaflex/state';
import type { LambdaFlexConfig } from '../config/config';
import { DYNAMODB, LAMBDAFLEX_CONFIG } from '../tokens';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { READ_LIMIT, WRITE_LIMIT } from './auth/admin-route.decorator';
import { ApiKeyScheme } from './auth/api-key.scheme';
import { ADMIN_CREDENTIAL_SCHEMES, type AdminCredentialScheme } from './auth/credentials';
import { StackStatusController } from './stack-status.controller';
import { AdminUiController } from './ui/admin-ui.controller';

const MINUTE_MS = 60_000;

/**
 * The admin API (/admin/*, /stack-status) and its page (/admin/ui): authenticated by the schemes in
 * {@link ADMIN_CREDENTIAL_SCHEMES}, rate-limited per client, backed by the state table.
 *
 * Rate limits count per client address (the ALB's client on Fargate, see app/create-app.ts), one budget
 * for all reads and one for all writes, in this process's memory: a Lambda container or a task
 * enforces its own, so they cap a client's pace rather than the fleet's total.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [LAMBDAFLEX_CONFIG],
      useFactory: (config: LambdaFlexConfig) => ({
        throttlers: [
          { name: READ_LIMIT, ttl: MINUTE_MS, limit: config.admin.readLimitPerMinute },
          { name: WRITE_LIMIT, ttl: MINUTE_MS, limit: config.admin.writeLimitPerMinute },
        ],
        // One budget per client and limit across the admin routes, not one per route (the default).
        generateKey: (_context, tracker, name) => `admin:${name}:${tracker}`,
      }),
    }),
  ],
  controllers: [AdminController, StackStatusController, AdminUiController],
  providers: [
    AdminService,
    {
      provide: StateStore,
      inject: [DYNAMODB, LAMBDAFLEX_CONFIG],
      useFactory: (db: DynamoDBDocumentClient, config: LambdaFlexConfig) => new StateStore(db, config.stateTable),
    },
    {
      // Tried in order, the first to accept a credential wins: a JWT scheme would go here too.
      provide: ADMIN_CREDENTIAL_SCHEMES,
      inject: [LAMBDAFLEX_CONFIG],
      useFactory: (config: LambdaFlexConfig): AdminCredentialScheme[] => [new ApiKeyScheme(config.admin.keys)],
    },
  ],
})
export class AdminModule {}

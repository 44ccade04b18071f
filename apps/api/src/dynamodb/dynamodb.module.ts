import { Global, Module } from '@nestjs/common';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** Nest injection token of the shared DynamoDB document client. */
export const DYNAMODB = Symbol('DYNAMODB');

/**
 * One DynamoDB client per app, and so per container: the app is created once, outside the
 * Lambda handler, and reuses the client's keep-alive connections across invocations.
 */
@Global()
@Module({
  providers: [
    {
      provide: DYNAMODB,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        DynamoDBDocumentClient.from(
          new DynamoDBClient({
            region: config.region,
            endpoint: config.dynamodbEndpoint,
            maxAttempts: 3,
          }),
          { marshallOptions: { removeUndefinedValues: true } },
        ),
    },
  ],
  exports: [DYNAMODB],
})
export class DynamoDbModule {}

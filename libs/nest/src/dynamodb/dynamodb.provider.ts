import type { Provider } from '@nestjs/common';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LambdaFlexConfig } from '../config/config';
import { DYNAMODB, LAMBDAFLEX_CONFIG } from '../tokens';

/**
 * One DynamoDB client per app, and so per container: the app is created once, outside the Lambda
 * handler, and reuses the client's keep-alive connections across invocations. The admin's state store
 * uses it, and so may the app's own repositories (inject {@link DYNAMODB}).
 */
export const dynamoDbProvider: Provider = {
  provide: DYNAMODB,
  inject: [LAMBDAFLEX_CONFIG],
  useFactory: (config: LambdaFlexConfig) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: config.region,
        endpoint: config.dynamodbEndpoint,
        maxAttempts: 3,
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    ),
};

import { Inject, Injectable } from '@nestjs/common';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DYNAMODB } from '../dynamodb/dynamodb.module';
import type { PetDto } from './dto/pet.dto';

/** A pet as stored: the public fields and the fingerprint of the create request that made it. */
export interface PetRecord extends PetDto {
  requestFingerprint?: string;
}

/** The DynamoDB table of pets, keyed by `id`. Only conditional writes: dynalite has no transactions. */
@Injectable()
export class PetsRepository {
  constructor(
    @Inject(DYNAMODB) private readonly db: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes a new pet; false when one with this id exists already (the write is then not done). */
  async createIfAbsent(pet: PetRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.config.petsTable,
          Item: pet,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async get(id: string): Promise<PetRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.config.petsTable, Key: { id } }));
    return out.Item as PetRecord | undefined;
  }

  /** A page of pets in the table's order; `startKey` is the last key of the previous page. */
  async page(limit: number, startKey?: Record<string, unknown>) {
    const out = await this.db.send(
      new ScanCommand({ TableName: this.config.petsTable, Limit: limit, ExclusiveStartKey: startKey }),
    );
    return { items: (out.Items ?? []) as PetRecord[], lastKey: out.LastEvaluatedKey };
  }

  /** Sets the given fields of an existing pet; undefined when there is no such pet. */
  async update(id: string, fields: Partial<PetDto>): Promise<PetRecord | undefined> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.config.petsTable,
          Key: { id },
          ConditionExpression: 'attribute_exists(id)',
          UpdateExpression: 'SET ' + entries.map((_, i) => `#f${i} = :v${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as PetRecord;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  /** Deletes a pet; false when there was none. */
  async delete(id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.config.petsTable, Key: { id }, ConditionExpression: 'attribute_exists(id)' }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

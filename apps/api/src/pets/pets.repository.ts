import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DYNAMODB, type ReadinessCheck } from '@lambdaflex/nest';
import { conditionally } from '@lambdaflex/state';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { PetDto } from './dto/pet.dto';

/**
 * A pet as stored: the public fields and, for a pet created under an Idempotency-Key, the fingerprint of
 * that request and its answer. Such a pet is not removed when deleted but marked (`deletedAt`): the
 * tombstone keeps the key spent, so a late retry of the create is answered, not obeyed again.
 */
export interface PetRecord extends PetDto {
  requestFingerprint?: string;
  /** The 201 body the create answered, which a retry of it gets again. */
  replay?: PetDto;
  /** When the pet was deleted: the item is a tombstone, which no read, list, update or delete sees. */
  deletedAt?: string;
}

/** Whether a stored item is a pet rather than the tombstone of a deleted one. */
export function isLive(record: PetRecord | undefined): record is PetRecord {
  return record !== undefined && record.deletedAt === undefined;
}

const LIVE = 'attribute_exists(id) AND attribute_not_exists(deletedAt)';

/**
 * The DynamoDB table of pets, keyed by `id`. Only conditional writes: dynalite has no transactions.
 * It is the app's readiness check too (`GET /readyz`): the table answers.
 */
@Injectable()
export class PetsRepository implements ReadinessCheck {
  constructor(
    @Inject(DYNAMODB) private readonly db: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Readiness: the pets table answers. Not the table's secrets: its name and the error's class only. */
  async check(): Promise<void> {
    try {
      await this.db.send(new DescribeTableCommand({ TableName: this.config.petsTable }));
    } catch (err) {
      throw new ServiceUnavailableException(`table ${this.config.petsTable} is not reachable: ${(err as Error).name}`);
    }
  }

  /** Writes a new pet; false when one with this id exists already (the write is then not done). */
  async createIfAbsent(pet: PetRecord): Promise<boolean> {
    // A tombstone holds its id too: a create under a spent key does not bring the pet back.
    return conditionally(
      this.db.send(new PutCommand({ TableName: this.config.petsTable, Item: pet, ConditionExpression: 'attribute_not_exists(id)' })),
    );
  }

  /** The item with this id: a pet, or the tombstone of a deleted one (see {@link isLive}). */
  async get(id: string): Promise<PetRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.config.petsTable, Key: { id } }));
    return out.Item as PetRecord | undefined;
  }

  /**
   * A page of pets in the table's order; `startKey` is the last key of the previous page. DynamoDB
   * counts the limit before it drops tombstones, so a page may hold fewer pets and still have a next.
   */
  async page(limit: number, startKey?: Record<string, unknown>) {
    const out = await this.db.send(
      new ScanCommand({
        TableName: this.config.petsTable,
        Limit: limit,
        ExclusiveStartKey: startKey,
        FilterExpression: 'attribute_not_exists(deletedAt)',
      }),
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
          ConditionExpression: LIVE,
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

  /**
   * Deletes a pet; false when there was none. A pet created under an Idempotency-Key becomes a tombstone
   * instead; either way one conditional write decides, so two deletes racing get one 204 and one 404.
   */
  async delete(id: string, now: string): Promise<boolean> {
    const table = this.config.petsTable;
    const removed = await conditionally(
      this.db.send(
        new DeleteCommand({ TableName: table, Key: { id }, ConditionExpression: `${LIVE} AND attribute_not_exists(requestFingerprint)` }),
      ),
    );
    if (removed) return true;
    return conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: table,
          Key: { id },
          ConditionExpression: `${LIVE} AND attribute_exists(requestFingerprint)`,
          UpdateExpression: 'SET deletedAt = :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      ),
    );
  }
}

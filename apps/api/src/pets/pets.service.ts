import { BadRequestException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { CursorSeal, cursorKey, invalidCursor } from '@lambdaflex/nest';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { CreatePetDto, PetDto, PetPageDto, UpdatePetDto } from './dto/pet.dto';
import { isLive, PetsRepository, type PetRecord } from './pets.repository';

// Pets created under an Idempotency-Key get the UUIDv5 of the key in this namespace, so a retried
// create lands on the same item and one conditional write decides which attempt made it.
const IDEMPOTENT_PET_NAMESPACE = '4b1d3f7e-2c55-4f7a-9d0e-7a3c1f0b9e21';
// Every pet id is a UUID (random, or the UUIDv5 of a key): a cursor's key must be one.
const PET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The result of a create: the pet, and whether it was made now or by an earlier attempt with the same key. */
export interface Created {
  pet: PetDto;
  replayed: boolean;
}

/**
 * The pet store's rules: defaults, idempotent creation, sealed cursors, and not-found as an error.
 *
 * Idempotency: a create under an Idempotency-Key is answered once and replayed after. A retry with the
 * same key and body gets the first answer again (the pet as it was created, `201`, `Idempotent-Replayed:
 * true`), even after the pet was changed or deleted, and never stores a second pet; the same key with
 * another body is a 422. Deleting such a pet leaves a tombstone, so the key stays spent.
 */
@Injectable()
export class PetsService {
  private readonly cursors: CursorSeal;

  constructor(
    private readonly pets: PetsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cursors = new CursorSeal(cursorKey(config.cursorSecret, [config.petsTable, config.stateTable, config.serviceName]), 'pets');
  }

  async create(body: CreatePetDto, idempotencyKey: string | undefined, now = new Date()): Promise<Created> {
    const fields = { name: body.name, species: body.species, status: body.status ?? 'available', tags: body.tags ?? [] };
    const at = now.toISOString();
    if (idempotencyKey === undefined) {
      // A random UUID meets no other id: the condition never fails, and the pet leaves no tombstone.
      const record: PetRecord = { id: randomUUID(), ...fields, createdAt: at, updatedAt: at };
      await this.pets.createIfAbsent(record);
      return { pet: toPet(record), replayed: false };
    }
    const requestFingerprint = createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
    const pet: PetDto = { id: uuidV5(idempotencyKey, IDEMPOTENT_PET_NAMESPACE), ...fields, createdAt: at, updatedAt: at };
    if (await this.pets.createIfAbsent({ ...pet, requestFingerprint, replay: pet })) return { pet, replayed: false };

    const first = await this.pets.get(pet.id);
    if (first === undefined) {
      // Only an item stored before tombstones (deleted outright) can vanish between the two calls.
      throw new UnprocessableEntityException('Idempotency-Key was used by a pet that has been deleted');
    }
    if (first.requestFingerprint !== requestFingerprint) {
      throw new UnprocessableEntityException('Idempotency-Key was used before with a different body');
    }
    // Items stored before the first answer was kept replay the pet as it is.
    return { pet: first.replay ?? toPet(first), replayed: true };
  }

  async get(id: string): Promise<PetDto> {
    const pet = await this.pets.get(id);
    if (!isLive(pet)) throw notFound(id);
    return toPet(pet);
  }

  async list(limit = 20, cursor?: string): Promise<PetPageDto> {
    const page = await this.pets.page(limit, cursor === undefined ? undefined : this.startKey(cursor));
    return {
      items: page.items.map(toPet),
      nextCursor: page.lastKey && this.cursors.seal(page.lastKey),
    };
  }

  async update(id: string, body: UpdatePetDto, now = new Date()): Promise<PetDto> {
    const fields = { name: body.name, species: body.species, status: body.status, tags: body.tags };
    if (Object.values(fields).every((v) => v === undefined)) {
      throw new BadRequestException({
        message: 'Validation failed',
        errors: [{ field: '(body)', rule: 'minProperties', message: 'set at least one of name, species, status, tags' }],
      });
    }
    const pet = await this.pets.update(id, { ...fields, updatedAt: now.toISOString() });
    if (!pet) throw notFound(id);
    return toPet(pet);
  }

  async delete(id: string, now = new Date()): Promise<void> {
    if (!(await this.pets.delete(id, now.toISOString()))) throw notFound(id);
  }

  /** The scan's start key from a cursor this service sealed: `{ id: <UUID> }`, or a 400. */
  private startKey(cursor: string): Record<string, unknown> {
    const key = this.cursors.open(cursor);
    if (
      typeof key === 'object' &&
      key !== null &&
      Object.keys(key).length === 1 &&
      typeof (key as { id?: unknown }).id === 'string' &&
      PET_ID.test((key as { id: string }).id)
    ) {
      return key as Record<string, unknown>;
    }
    throw invalidCursor();
  }
}

function toPet({ id, name, species, status, tags, createdAt, updatedAt }: PetRecord): PetDto {
  return { id, name, species, status, tags, createdAt, updatedAt };
}

function notFound(id: string) {
  return new NotFoundException(`pet ${id} does not exist`);
}

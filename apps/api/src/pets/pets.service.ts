import { BadRequestException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import type { CreatePetDto, PetDto, PetPageDto, UpdatePetDto } from './dto/pet.dto';
import { PetsRepository, type PetRecord } from './pets.repository';

// Pets created under an Idempotency-Key get the UUIDv5 of the key in this namespace, so a retried
// create lands on the same item and one conditional write decides which attempt made it.
const IDEMPOTENT_PET_NAMESPACE = '4b1d3f7e-2c55-4f7a-9d0e-7a3c1f0b9e21';

/** The result of a create: the pet, and whether it was made now or by an earlier attempt with the same key. */
export interface Created {
  pet: PetDto;
  replayed: boolean;
}

/** The pet store's rules: defaults, idempotent creation, and not-found as an error. */
@Injectable()
export class PetsService {
  constructor(private readonly pets: PetsRepository) {}

  async create(body: CreatePetDto, idempotencyKey: string | undefined, now = new Date()): Promise<Created> {
    const fields = { name: body.name, species: body.species, status: body.status ?? 'available', tags: body.tags ?? [] };
    const requestFingerprint = createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
    const id = idempotencyKey === undefined ? randomUUID() : uuidV5(idempotencyKey, IDEMPOTENT_PET_NAMESPACE);
    const at = now.toISOString();
    const record: PetRecord = { id, ...fields, createdAt: at, updatedAt: at, requestFingerprint };
    if (await this.pets.createIfAbsent(record)) return { pet: toPet(record), replayed: false };

    const first = await this.pets.get(id);
    if (first === undefined) {
      // The first attempt's pet was deleted since: the key is spent.
      throw new UnprocessableEntityException('Idempotency-Key was used by a pet that has been deleted');
    }
    if (first.requestFingerprint !== requestFingerprint) {
      throw new UnprocessableEntityException('Idempotency-Key was used before with a different body');
    }
    return { pet: toPet(first), replayed: true };
  }

  async get(id: string): Promise<PetDto> {
    const pet = await this.pets.get(id);
    if (!pet) throw notFound(id);
    return toPet(pet);
  }

  async list(limit = 20, cursor?: string): Promise<PetPageDto> {
    const page = await this.pets.page(limit, cursor === undefined ? undefined : decodeCursor(cursor));
    return {
      items: page.items.map(toPet),
      nextCursor: page.lastKey && Buffer.from(JSON.stringify(page.lastKey)).toString('base64url'),
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

  async delete(id: string): Promise<void> {
    if (!(await this.pets.delete(id))) throw notFound(id);
  }
}

function toPet({ id, name, species, status, tags, createdAt, updatedAt }: PetRecord): PetDto {
  return { id, name, species, status, tags, createdAt, updatedAt };
}

function notFound(id: string) {
  return new NotFoundException(`pet ${id} does not exist`);
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && typeof key.id === 'string' && Object.keys(key).length === 1) return key;
  } catch {
    // fall through to the 400 below
  }
  throw new BadRequestException({
    message: 'Validation failed',
    errors: [{ field: 'cursor', rule: 'isCursor', message: 'cursor must be the nextCursor of an earlier page' }],
  });
}

import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '@lambdaflex/nest';
import { CreatePetDto, ListPetsQueryDto, PetDto, PetPageDto, UpdatePetDto } from './dto/pet.dto';
import { PetsService } from './pets.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const petId = new ParseUUIDPipe({ exceptionFactory: () => badId() });

const PetIdParam = ApiParam({
  name: 'id',
  description: "The pet's id, as `POST /pets` gave it.",
  schema: { type: 'string', format: 'uuid', example: '6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f' },
});
const NO_PET = 'No pet has this id.';
const BAD_ID = 'The id is not a UUID; `errors` names it.';

@ApiTags('pets')
@Controller('pets')
export class PetsController {
  constructor(private readonly pets: PetsService) {}

  @Post()
  @ApiOperation({ operationId: 'createPet', summary: 'Create a pet (idempotent with Idempotency-Key)', security: [] })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A retried create with the same key and body returns the first result, `201` with `Idempotent-Replayed: true`, ' +
      'and stores one pet, even when the attempts race. 1 to 255 visible ASCII characters.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    example: '7d1e6c2a-3f4b-4e5d-8a9b-0c1d2e3f4a5b',
  })
  @ApiBody({
    type: CreatePetDto,
    required: true,
    examples: { rex: { summary: 'A friendly dog', value: { name: 'Rex', species: 'dog', tags: ['friendly'] } } },
  })
  @ApiCreatedResponse({
    type: PetDto,
    description: 'The pet, made now or by an earlier attempt with the same Idempotency-Key.',
    headers: {
      Location: { description: 'The new pet: `/pets/{id}`.', schema: { type: 'string' } },
      'Idempotent-Replayed': { description: '`true` when an earlier attempt made the pet.', schema: { type: 'string', enum: ['true'] } },
    },
  })
  @ApiErrors({
    400: 'A field breaks a rule, or the Idempotency-Key is malformed; `errors` names each field and rule.',
    422: 'The Idempotency-Key was used before with a different body.',
  })
  async create(
    @Body() body: CreatePetDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PetDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({
        message: 'Validation failed',
        errors: [
          { field: 'Idempotency-Key', rule: 'matches', message: 'Idempotency-Key is 1 to 255 visible ASCII characters' },
        ],
      });
    }
    const { pet, replayed } = await this.pets.create(body, idempotencyKey);
    res.location(`/pets/${pet.id}`);
    if (replayed) res.setHeader('idempotent-replayed', 'true');
    return pet;
  }

  @Get()
  @ApiOperation({ operationId: 'listPets', summary: 'List pets, a page at a time', security: [] })
  @ApiOkResponse({ type: PetPageDto, description: 'One page of pets.' })
  @ApiErrors({ 400: 'A bad `limit` or `cursor`, or an unknown query parameter; `errors` names each.' })
  list(@Query() query: ListPetsQueryDto): Promise<PetPageDto> {
    return this.pets.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getPet', summary: 'Read a pet', security: [] })
  @PetIdParam
  @ApiOkResponse({ type: PetDto, description: 'The pet.' })
  @ApiErrors({ 400: BAD_ID, 404: NO_PET })
  get(@Param('id', petId) id: string): Promise<PetDto> {
    return this.pets.get(id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updatePet', summary: 'Change some fields of a pet', security: [] })
  @PetIdParam
  @ApiBody({ type: UpdatePetDto, required: true, examples: { sold: { summary: 'Mark the pet sold', value: { status: 'sold' } } } })
  @ApiOkResponse({ type: PetDto, description: 'The pet, changed.' })
  @ApiErrors({
    400: 'The id is not a UUID, or the body sets no field, sets one to `null` or breaks a rule; `errors` names each.',
    404: NO_PET,
  })
  update(@Param('id', petId) id: string, @Body() body: UpdatePetDto): Promise<PetDto> {
    return this.pets.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deletePet', summary: 'Delete a pet', security: [] })
  @PetIdParam
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 400: BAD_ID, 404: NO_PET })
  delete(@Param('id', petId) id: string): Promise<void> {
    return this.pets.delete(id);
  }
}

function badId() {
  return new BadRequestException({
    message: 'Validation failed',
    errors: [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }],
  });
}

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
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CreatePetDto, ListPetsQueryDto, PetDto, PetPageDto, UpdatePetDto } from './dto/pet.dto';
import { PetsService } from './pets.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const petId = new ParseUUIDPipe({ exceptionFactory: () => badId() });

@ApiTags('pets')
@Controller('pets')
export class PetsController {
  constructor(private readonly pets: PetsService) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retried create with the same key and body returns the first result (header Idempotent-Replayed).',
  })
  @ApiCreatedResponse({ type: PetDto })
  @ApiBadRequestResponse({ description: 'A field breaks a rule; `errors` names each field and rule.' })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used with a different body.' })
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
  @ApiOkResponse({ type: PetPageDto })
  list(@Query() query: ListPetsQueryDto): Promise<PetPageDto> {
    return this.pets.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOkResponse({ type: PetDto })
  @ApiNotFoundResponse({ description: 'No pet has this id.' })
  get(@Param('id', petId) id: string): Promise<PetDto> {
    return this.pets.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: PetDto })
  @ApiNotFoundResponse({ description: 'No pet has this id.' })
  update(@Param('id', petId) id: string, @Body() body: UpdatePetDto): Promise<PetDto> {
    return this.pets.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No pet has this id.' })
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

import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';

export const SPECIES = ['dog', 'cat', 'bird', 'fish', 'reptile', 'other'] as const;
export const PET_STATUSES = ['available', 'pending', 'sold'] as const;
export type Species = (typeof SPECIES)[number];
export type PetStatus = (typeof PET_STATUSES)[number];

/** The body of `POST /pets`. */
export class CreatePetDto {
  @ApiProperty({ example: 'Rex', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: SPECIES, example: 'dog' })
  @IsIn(SPECIES)
  species!: Species;

  @ApiPropertyOptional({ enum: PET_STATUSES, default: 'available' })
  @IsOptional()
  @IsIn(PET_STATUSES)
  status?: PetStatus;

  @ApiPropertyOptional({ type: [String], maxItems: 10, example: ['friendly'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 30, { each: true })
  @Matches(/^[\p{L}\p{N} _-]+$/u, { each: true, message: 'each tag holds letters, digits, spaces, _ or -' })
  tags?: string[];
}

/** The body of `PATCH /pets/:id`: any field of a pet, at least one. */
export class UpdatePetDto extends PartialType(CreatePetDto) {}

/** A stored pet. */
export class PetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: SPECIES }) species!: Species;
  @ApiProperty({ enum: PET_STATUSES }) status!: PetStatus;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** One page of pets; `nextCursor` is absent on the last page. */
export class PetPageDto {
  @ApiProperty({ type: [PetDto] }) items!: PetDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` to read the next page.' }) nextCursor?: string;
}

/** The query of `GET /pets`. */
export class ListPetsQueryDto extends PageQueryDto {}

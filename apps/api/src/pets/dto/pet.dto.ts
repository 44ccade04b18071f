import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { IsNotNull, IsOmittable, IsPlainText, PageQueryDto } from '@lambdaflex/nest';

export const SPECIES = ['dog', 'cat', 'bird', 'fish', 'reptile', 'other'] as const;
export const PET_STATUSES = ['available', 'pending', 'sold'] as const;
export type Species = (typeof SPECIES)[number];
export type PetStatus = (typeof PET_STATUSES)[number];

/** The body of `POST /pets`. */
export class CreatePetDto {
  @ApiProperty({
    example: 'Rex',
    minLength: 1,
    maxLength: 100,
    // What @IsPlainText() refuses (@lambdaflex/nest), spelled as ranges so that any regex engine reads
    // it: controls (Cc), bidirectional controls, U+2028/U+2029 and lone surrogates.
    pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028-\\u202E\\u2066-\\u2069\\uD800-\\uDFFF]+$',
    description: '1 to 100 characters, none of them a control character, a bidirectional control or a line separator.',
  })
  @IsNotNull()
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  name!: string;

  @ApiProperty({ enum: SPECIES, example: 'dog' })
  @IsNotNull()
  @IsIn(SPECIES)
  species!: Species;

  @ApiPropertyOptional({ enum: PET_STATUSES, default: 'available' })
  @IsOmittable()
  @IsNotNull()
  @IsIn(PET_STATUSES)
  status?: PetStatus;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 30, pattern: '^[\\p{L}\\p{N} _-]+$' },
    maxItems: 10,
    example: ['friendly'],
    description: 'Up to 10 tags of 1 to 30 letters, digits, spaces, `_` or `-`.',
  })
  @IsOmittable()
  @IsNotNull()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 30, { each: true })
  @Matches(/^[\p{L}\p{N} _-]+$/u, { each: true, message: 'each tag holds letters, digits, spaces, _ or -' })
  tags?: string[];
}

// skipNullProperties: false makes the fields omittable but not nullable (`@IsOptional()` would let a
// null through every rule, and the update would store it).
/** The body of `PATCH /pets/:id`: any field of a pet, at least one; `null` is not a value (a 400). */
export class UpdatePetDto extends PartialType(CreatePetDto, { skipNullProperties: false }) {}

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

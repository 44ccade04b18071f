import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** The query of a paged list: how many items, and where the previous page ended. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, example: 20, description: 'Items per page.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 2048,
    description: 'The `nextCursor` of the previous page, as it was given; anything else is a 400.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  cursor?: string;
}

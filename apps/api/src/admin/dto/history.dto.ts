import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PHASES, type Phase } from '@lambdaflex/state';

/** The query of `GET /admin/history`. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  cursor?: string;
}

/** One tier change of the service, as the reconciler recorded it. */
export class TransitionDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: PHASES }) from!: Phase;
  @ApiProperty({ enum: PHASES }) to!: Phase;
  @ApiProperty({ example: 'LoadAboveThreshold' }) reason!: string;
  @ApiProperty() message!: string;
}

/** One page of the service's history, newest first; `nextCursor` is absent on the last page. */
export class HistoryPageDto {
  @ApiProperty({ type: [TransitionDto] }) items!: TransitionDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` to read the next (older) page.' }) nextCursor?: string;
}

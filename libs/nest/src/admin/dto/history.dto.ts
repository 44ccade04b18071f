import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PHASES, type Phase } from '@lambdaflex/state';
import { PageQueryDto } from '../../common/page-query.dto';

/** The query of `GET /admin/history`. */
export class HistoryQueryDto extends PageQueryDto {}

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

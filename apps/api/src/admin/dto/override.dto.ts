import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { TIERS, type TierName } from '@lambdaflex/state';

/** The body of `PUT /admin/override`: pin the service to a tier, until a time if given. */
export class SetOverrideDto {
  @ApiProperty({ enum: TIERS, example: 'fargate' })
  @IsIn(TIERS)
  tier!: TierName;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-01T18:00:00Z',
    description: 'When the pin lapses and the mode is auto again; in the future, with a time zone.',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  until?: string;
}

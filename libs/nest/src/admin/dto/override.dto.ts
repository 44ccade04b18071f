import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601 } from 'class-validator';
import { TIERS, type TierName } from '@lambdaflex/state';
import { IsNotNull, IsOmittable } from '../../common/validators';

/** The body of `PUT /admin/override`: pin the service to a tier, until a time if given. */
export class SetOverrideDto {
  @ApiProperty({ enum: TIERS, example: 'fargate', description: 'The tier that takes all the traffic while pinned.' })
  @IsIn(TIERS)
  tier!: TierName;

  // The example is set when the document is built (admin/openapi.ts): a day ahead, never a fixed date.
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the pin lapses and the mode is auto again: an ISO 8601 date-time with a time zone, in the future ' +
      '(a past one is a 400). Left out, the pin holds until cleared.',
  })
  // Left out, not null: `"until": null` is a client's mistake, not a pin without end.
  @IsOmittable()
  @IsNotNull()
  @IsISO8601({ strict: true, strictSeparator: true })
  until?: string;
}

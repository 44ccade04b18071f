import { ApiProperty } from '@nestjs/swagger';
import { TIERS as TIER_NAMES } from '../config/config';

/** What `GET /healthz` answers. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ enum: TIER_NAMES, description: 'The tier that answered.' }) tier!: (typeof TIER_NAMES)[number];
}

/** What `GET /readyz` answers when the readiness check passes. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] }) status!: 'ready';
  @ApiProperty({ enum: TIER_NAMES, description: 'The tier that answered.' }) tier!: (typeof TIER_NAMES)[number];
}

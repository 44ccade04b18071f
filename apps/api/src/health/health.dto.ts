import { ApiProperty } from '@nestjs/swagger';

const TIER_NAMES = ['lambda', 'fargate', 'local'] as const;

/** What `GET /healthz` answers. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ enum: TIER_NAMES, description: 'The tier that answered.' }) tier!: (typeof TIER_NAMES)[number];
}

/** What `GET /readyz` answers when the pets table answers. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] }) status!: 'ready';
  @ApiProperty({ enum: TIER_NAMES, description: 'The tier that answered.' }) tier!: (typeof TIER_NAMES)[number];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PHASES, type ConditionType, type Intent, type Phase, type Policy } from '@lambdaflex/state';
import { TransitionDto } from './history.dto';

/** A Kubernetes-style condition of the service. */
export class ConditionDto {
  @ApiProperty({ enum: ['Ready', 'Progressing', 'Degraded', 'AtCapacity', 'Spilling'] }) type!: ConditionType;
  @ApiProperty({ enum: ['True', 'False'] }) status!: 'True' | 'False';
  @ApiProperty({ example: 'Serving' }) reason!: string;
  @ApiProperty() message!: string;
}

/** Route53 weights in percent: API Gateway (Lambda) and the ALB (Fargate); they add up to 100. */
export class WeightsDto {
  @ApiProperty({ minimum: 0, maximum: 100 }) api!: number;
  @ApiProperty({ minimum: 0, maximum: 100 }) alb!: number;
}

/** The Lambda tier: it always exists; it serves while it has weight. */
export class LambdaTierDto {
  @ApiProperty({ minimum: 0, maximum: 100 }) weight!: number;
  @ApiProperty({ enum: ['serving', 'standby'] }) health!: 'serving' | 'standby';
}

/** Health of the Fargate tier, as the conditions tell it (the status item keeps no target counts). */
export const FARGATE_HEALTH = ['absent', 'starting', 'healthy', 'unhealthy', 'unknown', 'draining'] as const;
export type FargateHealth = (typeof FARGATE_HEALTH)[number];

/** The Fargate tier: whether its stack is wanted, its size, and its health. */
export class FargateTierDto {
  @ApiProperty({ minimum: 0, maximum: 100 }) weight!: number;
  @ApiProperty({ description: 'Whether the last intent wants the tier stack to exist.' }) stack!: boolean;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Tasks the last intent asked of the stack.' }) desiredTasks?: number;
  @ApiProperty({ enum: FARGATE_HEALTH }) health!: FargateHealth;
}

export class TiersDto {
  @ApiProperty({ type: LambdaTierDto }) lambda!: LambdaTierDto;
  @ApiProperty({ type: FargateTierDto }) fargate!: FargateTierDto;
}

/** A request-rate sample, when the reconciler records them in the status item. */
export class RateSampleDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ description: 'Requests per second of both tiers together.' }) totalRps?: number;
  @ApiPropertyOptional({ description: 'Requests per second the ALB (Fargate) served.' }) albRps?: number;
}

/** The policy behind the status: its generation, whether it is valid, and its mode. */
export class PolicySummaryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Absent when no policy is stored (the defaults apply).' }) generation?: number;
  @ApiProperty({ description: 'False when the stored item breaks the schema; the reconciler then keeps its last good one.' })
  valid!: boolean;
  @ApiPropertyOptional({ type: Object, description: 'The stored mode: auto, pinned (tier, until) or paused.' })
  mode?: Policy['mode'];
  @ApiPropertyOptional({ type: Object, description: 'The mode in force now: a lapsed pin is auto.' })
  effectiveMode?: Policy['mode'];
}

/** What `GET /admin/status` and `GET /stack-status` answer. */
export class StatusDto {
  @ApiProperty() service!: string;
  @ApiProperty({ enum: PHASES }) phase!: Phase;
  @ApiProperty({ type: [ConditionDto] }) conditions!: ConditionDto[];
  @ApiProperty({ type: WeightsDto }) weights!: WeightsDto;
  @ApiProperty({ type: TiersDto }) tiers!: TiersDto;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The policy generation the reconciler last finished a tick with.' })
  observedGeneration!: number;
  @ApiProperty({ type: PolicySummaryDto }) policy!: PolicySummaryDto;
  @ApiProperty({ description: 'Whether the reconciler has acted on the current policy (observed = policy generation).' })
  upToDate!: boolean;
  @ApiPropertyOptional({ type: TransitionDto }) lastTransition?: TransitionDto;
  @ApiProperty({ type: Object, description: 'The last intent: tier stack, weights, ALB record, probes, next look.' })
  intent!: Intent;
  @ApiPropertyOptional({ type: [RateSampleDto], description: 'Recent request rates, oldest first, when recorded.' })
  requestRates?: RateSampleDto[];
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

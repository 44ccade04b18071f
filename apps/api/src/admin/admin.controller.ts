import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import type { Policy } from '@lambdaflex/state';
import { AdminService, type VersionedPolicy } from './admin.service';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminRoute } from './auth/admin-route.decorator';
import { HistoryPageDto, HistoryQueryDto } from './dto/history.dto';
import { SetOverrideDto } from './dto/override.dto';
import { StatusDto } from './dto/status.dto';
import { POLICY_INPUT_SCHEMA, POLICY_SCHEMA } from './openapi';
import { parsePrecondition, policyEtag } from './policy-etag';

const policyResponse = {
  schema: { $ref: getSchemaPath(POLICY_SCHEMA) },
  headers: { ETag: { description: 'The policy generation, `"g<n>"`: send it back as If-Match.', schema: { type: 'string' } } },
};
const IfMatchHeader = (required: boolean) =>
  ApiHeader({
    name: 'If-Match',
    required,
    description: required
      ? 'The ETag of the policy you edited (or If-None-Match: * to create the first one). Missing: 428; stale: 412.'
      : 'Optional: the ETag the change must apply to (412 if stale); without it the change applies to the latest policy.',
  });

/**
 * The admin API of this service: status, policy, overrides, pause and history. Thin: every route
 * hands over to {@link AdminService}; the guards authenticate and rate-limit (see auth/).
 */
@ApiTags('admin')
@UseGuards(ThrottlerGuard, AdminAuthGuard)
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('status')
  @AdminRoute('read')
  @ApiOperation({ summary: 'Phase, conditions, weights, tiers, observed vs. policy generation, last intent' })
  @ApiOkResponse({ type: StatusDto })
  @ApiNotFoundResponse({ description: 'The reconciler has not finished a tick for this service yet.' })
  status(): Promise<StatusDto> {
    return this.admin.status();
  }

  @Get('policy')
  @AdminRoute('read')
  @ApiOperation({ summary: 'The stored policy, every default filled in, with its ETag' })
  @ApiOkResponse(policyResponse)
  @ApiNotFoundResponse({ description: 'No policy is stored: the defaults apply.' })
  @ApiConflictResponse({ description: 'The stored item breaks the schema; `errors` lists every field and rule.' })
  async policy(@Res({ passthrough: true }) res: Response): Promise<Policy> {
    return withEtag(res, await this.admin.policy());
  }

  @Put('policy')
  @AdminRoute('operate')
  @ApiOperation({ summary: 'Replace the policy (validated by the shared schema; left-out fields take their defaults)' })
  @IfMatchHeader(true)
  @ApiHeader({ name: 'If-None-Match', required: false, description: '`*` creates the first policy; 412 if one exists.' })
  @ApiBody({ schema: { $ref: getSchemaPath(POLICY_INPUT_SCHEMA) } })
  @ApiOkResponse(policyResponse)
  @ApiBadRequestResponse({ description: 'The body breaks the schema; `errors` lists every field and rule.' })
  @ApiPreconditionFailedResponse({ description: 'The ETag is stale: the policy changed since it was read.' })
  @ApiResponse({ status: 428, description: 'Neither If-Match nor If-None-Match was sent.' })
  async putPolicy(
    @Body() body: unknown,
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.putPolicy(body, parsePrecondition(ifMatchHeader, ifNoneMatch)));
  }

  @Put('override')
  @AdminRoute('operate')
  @ApiOperation({ summary: 'Pin the service to a tier, until a time if given' })
  @IfMatchHeader(false)
  @ApiOkResponse(policyResponse)
  @ApiBadRequestResponse({ description: 'A field breaks a rule; `errors` names each field and rule.' })
  async setOverride(
    @Body() body: SetOverrideDto,
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.pin(body.tier, body.until, parsePrecondition(ifMatchHeader, undefined)));
  }

  @Delete('override')
  @AdminRoute('operate')
  @ApiOperation({ summary: 'Clear a pin: the mode is auto again (a pause stays)' })
  @IfMatchHeader(false)
  @ApiOkResponse(policyResponse)
  async clearOverride(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.clearPin(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Post('pause')
  @HttpCode(200)
  @AdminRoute('operate')
  @ApiOperation({ summary: 'Pause: the reconciler changes nothing until resumed' })
  @IfMatchHeader(false)
  @ApiOkResponse(policyResponse)
  async pause(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.pause(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Post('resume')
  @HttpCode(200)
  @AdminRoute('operate')
  @ApiOperation({ summary: 'Resume after a pause: the mode is auto again (a pin stays)' })
  @IfMatchHeader(false)
  @ApiOkResponse(policyResponse)
  async resume(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.resume(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Get('history')
  @AdminRoute('read')
  @ApiOperation({ summary: 'Tier changes, newest first, paged' })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiBadRequestResponse({ description: 'A bad limit or cursor.' })
  history(@Query() query: HistoryQueryDto): Promise<HistoryPageDto> {
    return this.admin.history(query.limit, query.cursor);
  }
}

function withEtag(res: Response, { policy, generation }: VersionedPolicy): Policy {
  res.setHeader('ETag', policyEtag(generation));
  return policy;
}

import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import type { Policy } from '@lambdaflex/state';
import { AdminService, type VersionedPolicy } from './admin.service';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminRoute } from './auth/admin-route.decorator';
import { HistoryPageDto, HistoryQueryDto } from './dto/history.dto';
import { SetOverrideDto } from './dto/override.dto';
import { StatusDto } from './dto/status.dto';
import { ApiErrors } from '../openapi/errors';
import { POLICY_INPUT_SCHEMA, POLICY_SCHEMA } from './openapi';
import { parsePrecondition, policyEtag } from './policy-etag';

const policyResponse = {
  description: 'The policy now stored, every default filled in.',
  schema: { $ref: getSchemaPath(POLICY_SCHEMA) },
  headers: { ETag: { description: 'The policy generation, `"g<n>"`: send it back as If-Match.', schema: { type: 'string' } } },
};
/** `If-Match` of a policy write: one of the two preconditions, with `If-None-Match: *`. */
const IfMatchForPut = ApiHeader({
  name: 'If-Match',
  required: false,
  description:
    'The ETag of the policy you edited (`"g<n>"`), or `*` for whatever is stored: the write applies only to that ' +
    'generation, else 412. Send this to replace a policy, or `If-None-Match: *` to create the first one; with ' +
    'neither the write is a 428. When both are sent, If-Match decides.',
  example: '"g1"',
});
const IfNoneMatchForPut = ApiHeader({
  name: 'If-None-Match',
  required: false,
  description: '`*`: create the first policy, only if none is stored (else 412). Needed, instead of If-Match, to create one.',
  schema: { type: 'string', enum: ['*'] },
});
/** `If-Match` of a mode change: optional. */
const IfMatchForMode = ApiHeader({
  name: 'If-Match',
  required: false,
  description:
    'The ETag the change must apply to (`"g<n>"`, or `*`): 412 if the policy has moved on. Without it the change ' +
    'applies to the latest policy (it changes only the mode, so it loses nobody\'s edit).',
});
const MODE_CONFLICT = 'The stored policy breaks the schema (`errors` lists every issue; PUT a valid one first), or it kept changing while this was written.';
const MODE_STALE = 'If-Match names a generation that is not the stored one (or nothing is stored).';

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
  @ApiOperation({ operationId: 'getAdminStatus', summary: 'Phase, conditions, weights, tiers, observed vs. policy generation, last intent' })
  @ApiOkResponse({ type: StatusDto, description: 'The status of this service.' })
  @ApiErrors({ 404: 'The reconciler has not finished a tick for this service yet.' })
  status(): Promise<StatusDto> {
    return this.admin.status();
  }

  @Get('policy')
  @AdminRoute('read')
  @ApiOperation({ operationId: 'getAdminPolicy', summary: 'The stored policy, every default filled in, with its ETag' })
  @ApiOkResponse(policyResponse)
  @ApiErrors({
    404: 'No policy is stored: the defaults apply.',
    409: 'The stored item breaks the schema; `errors` lists every field and rule.',
  })
  async policy(@Res({ passthrough: true }) res: Response): Promise<Policy> {
    return withEtag(res, await this.admin.policy());
  }

  @Put('policy')
  @AdminRoute('operate')
  @ApiOperation({
    operationId: 'putAdminPolicy',
    summary: 'Replace the policy (validated by the shared schema; left-out fields take their defaults)',
    description:
      'Needs a precondition: `If-Match` with the ETag of the policy you edited, or `If-None-Match: *` to create the ' +
      'first one. The body names this API\'s service; every other field left out takes its default.',
  })
  @IfMatchForPut
  @IfNoneMatchForPut
  // The example names this API's service, so it is set when the document is built (admin/openapi.ts).
  @ApiBody({ required: true, schema: { $ref: getSchemaPath(POLICY_INPUT_SCHEMA) } })
  @ApiOkResponse(policyResponse)
  @ApiErrors({
    400: 'The body is missing, names another service, or breaks the schema or a cross-field rule; `errors` lists every field and rule.',
    412: 'The precondition failed: the ETag is stale (the policy changed since it was read), or `If-None-Match: *` while a policy exists.',
    428: 'Neither If-Match nor If-None-Match was sent.',
  })
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
  @ApiOperation({ operationId: 'setAdminOverride', summary: 'Pin the service to a tier, until a time if given' })
  @IfMatchForMode
  @ApiBody({ type: SetOverrideDto, required: true })
  @ApiOkResponse(policyResponse)
  @ApiErrors({
    400: 'A field breaks a rule (an unknown tier, an `until` that is not a date-time with a zone or not in the future); `errors` names each.',
    409: MODE_CONFLICT,
    412: MODE_STALE,
  })
  async setOverride(
    @Body() body: SetOverrideDto,
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.pin(body.tier, body.until, parsePrecondition(ifMatchHeader, undefined)));
  }

  @Delete('override')
  @AdminRoute('operate')
  @ApiOperation({ operationId: 'clearAdminOverride', summary: 'Clear a pin: the mode is auto again (a pause stays)' })
  @IfMatchForMode
  @ApiOkResponse(policyResponse)
  @ApiErrors({ 404: 'No policy is stored: there is no pin to clear.', 409: MODE_CONFLICT, 412: MODE_STALE })
  async clearOverride(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.clearPin(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Post('pause')
  @HttpCode(200)
  @AdminRoute('operate')
  @ApiOperation({
    operationId: 'pauseAdmin',
    summary: 'Pause: the reconciler changes nothing until resumed',
    description: 'Replaces a pin. With no policy stored, stores the default policy, paused (which enrols the service with the reconciler).',
  })
  @IfMatchForMode
  @ApiOkResponse(policyResponse)
  @ApiErrors({ 409: MODE_CONFLICT, 412: MODE_STALE })
  async pause(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.pause(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Post('resume')
  @HttpCode(200)
  @AdminRoute('operate')
  @ApiOperation({ operationId: 'resumeAdmin', summary: 'Resume after a pause: the mode is auto again (a pin stays)' })
  @IfMatchForMode
  @ApiOkResponse(policyResponse)
  @ApiErrors({ 404: 'No policy is stored: there is no pause to end.', 409: MODE_CONFLICT, 412: MODE_STALE })
  async resume(
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Policy> {
    return withEtag(res, await this.admin.resume(parsePrecondition(ifMatchHeader, undefined)));
  }

  @Get('history')
  @AdminRoute('read')
  @ApiOperation({ operationId: 'listAdminHistory', summary: 'Tier changes, newest first, paged' })
  @ApiOkResponse({ type: HistoryPageDto, description: 'One page of tier changes.' })
  @ApiErrors({ 400: 'A bad `limit` or `cursor`, or an unknown query parameter; `errors` names each.' })
  history(@Query() query: HistoryQueryDto): Promise<HistoryPageDto> {
    return this.admin.history(query.limit, query.cursor);
  }
}

function withEtag(res: Response, { policy, generation }: VersionedPolicy): Policy {
  res.setHeader('ETag', policyEtag(generation));
  return policy;
}

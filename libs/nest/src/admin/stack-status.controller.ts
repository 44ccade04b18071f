import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AdminService } from './admin.service';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { ApiErrors } from '../openapi/errors';
import { AdminRoute } from './auth/admin-route.decorator';
import { StatusDto } from './dto/status.dto';

/** `GET /stack-status`, where the original LambdaFlex answered it: the same status as `/admin/status`. */
@ApiTags('admin')
@UseGuards(ThrottlerGuard, AdminAuthGuard)
@Controller('stack-status')
export class StackStatusController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @AdminRoute('read')
  @ApiOperation({ operationId: 'getStackStatus', summary: 'The status, as /admin/status answers it' })
  @ApiOkResponse({ type: StatusDto, description: 'The status of this service.' })
  @ApiErrors({ 404: 'The reconciler has not finished a tick for this service yet.' })
  status(): Promise<StatusDto> {
    return this.admin.status();
  }
}

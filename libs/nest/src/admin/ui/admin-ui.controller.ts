import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminPublic } from '../auth/admin-route.decorator';
import { chartJsSource } from './chart-asset';
import { ADMIN_PAGE_CSS, ADMIN_PAGE_HTML } from './page';
import { ADMIN_PAGE_SCRIPT } from './page-script';

/**
 * The page allows only its own files and same-origin calls: no inline script or style, no frames, no
 * form posts. Chart.js draws on a canvas and sizes it through the CSSOM, which this allows.
 */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The status page at /admin/ui and its files. They hold no data, so they need no credential (the
 * page asks for one and sends it with every data call); they are rate-limited like the reads.
 */
@ApiTags('admin')
@UseGuards(ThrottlerGuard, AdminAuthGuard)
@Controller('admin/ui')
export class AdminUiController {
  @Get()
  @AdminPublic()
  @ApiOperation({ operationId: 'getAdminPage', summary: 'The status page (asks for an admin key; holds no data)', security: [] })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page.', schema: { type: 'string' } })
  page(@Res() res: Response): void {
    send(res, 'html', ADMIN_PAGE_HTML, 'no-cache');
  }

  @Get('admin.js')
  @AdminPublic()
  @ApiOperation({ operationId: 'getAdminPageScript', summary: "The status page's script", security: [] })
  @ApiProduces('text/javascript')
  @ApiOkResponse({ description: 'The script.', schema: { type: 'string' } })
  script(@Res() res: Response): void {
    send(res, 'js', ADMIN_PAGE_SCRIPT, 'no-cache');
  }

  @Get('admin.css')
  @AdminPublic()
  @ApiOperation({ operationId: 'getAdminPageStyles', summary: "The status page's styles", security: [] })
  @ApiProduces('text/css')
  @ApiOkResponse({ description: 'The styles.', schema: { type: 'string' } })
  styles(@Res() res: Response): void {
    send(res, 'css', ADMIN_PAGE_CSS, 'no-cache');
  }

  @Get('chart.umd.js')
  @AdminPublic()
  @ApiOperation({ operationId: 'getAdminPageChartJs', summary: 'Chart.js 4, as the page loads it', security: [] })
  @ApiProduces('text/javascript')
  @ApiOkResponse({ description: 'The library.', schema: { type: 'string' } })
  async chart(@Res() res: Response): Promise<void> {
    send(res, 'js', await chartJsSource(), 'public, max-age=3600');
  }
}

function send(res: Response, type: 'html' | 'js' | 'css', body: string, cacheControl: string): void {
  res.setHeader('Content-Security-Policy', ADMIN_PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', cacheControl);
  // express answers a matching If-None-Match with a 304 from the ETag it computes for a string body.
  res.type(type).send(body);
}

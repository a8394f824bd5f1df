import { Body, Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { McpGateway } from './mcp-gateway';

/** The MCP gateway: Streamable HTTP at `/mcp/<server>`, for the servers policy declares (apps/gateway/README.md, *MCP gateway*). */
@Controller()
export class McpController {
  constructor(private readonly mcp: McpGateway) {}

  @Post('/mcp/:server')
  post(@Req() req: Request, @Res() res: Response, @Param('server') server: string, @Body() body: unknown): Promise<void> {
    return this.mcp.post(req, res, server, body);
  }

  @Get('/mcp/:server')
  stream(@Req() req: Request, @Res() res: Response, @Param('server') server: string): Promise<void> {
    return this.mcp.session(req, res, server, 'GET');
  }

  @Delete('/mcp/:server')
  end(@Req() req: Request, @Res() res: Response, @Param('server') server: string): Promise<void> {
    return this.mcp.session(req, res, server, 'DELETE');
  }
}

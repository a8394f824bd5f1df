import { Module } from '@nestjs/common';
import { IdentityController } from './grpc/identity.controller';
import { AuthController } from './http/auth.controller';
import { SigningKeysModule } from './keys/signing-key';
import { GetJwks } from './tokens/get-jwks.usecase';
import { IssueToken } from './tokens/issue-token.usecase';
import { RevokeToken } from './tokens/revoke-token.usecase';
import { TokenStore } from './tokens/token-store';
import { VerifyToken } from './tokens/verify-token.usecase';

@Module({
  imports: [SigningKeysModule],
  controllers: [IdentityController, AuthController],
  providers: [TokenStore, IssueToken, VerifyToken, RevokeToken, GetJwks],
})
export class AppModule {}

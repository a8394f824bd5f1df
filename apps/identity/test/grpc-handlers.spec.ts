import { airlock } from '@airlock/contracts';
import { servedRpcs } from '@airlock/testing';
import { AppModule } from '../src/app.module';

// The controller binds its handlers with @GrpcMethod('IdentityService', '<Rpc>') strings; this holds them to the
// proto, so an RPC added to identity.proto without a handler, or a misspelt name, fails here rather than in a caller.
describe('identity gRPC handlers', () => {
  it('serve exactly the RPCs of airlock.identity.v1.IdentityService', () => {
    const proto = Object.values(airlock.identity.v1.IdentityServiceService).map((rpc) => rpc.path.replace(/^\/airlock\.identity\.v1\./, ''));
    expect(proto).toContain('IdentityService/RevokeToken');
    expect(servedRpcs(AppModule)).toEqual([...proto].sort());
  });
});

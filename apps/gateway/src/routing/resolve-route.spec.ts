import { ModelNotAllowedError, NoRouteError } from '../gateway.errors';
import { parseAliases } from '../identity/trusted-identity';
import { resolveRoute } from './resolve-route';

const routedToM1 = { backend: 'chat', model: 'm1' };

describe('resolveRoute', () => {
  it('maps the client model through the aliases policy sent', () => {
    const caller = { policyRoute: routedToM1, aliases: parseAliases('airlock-chat=dr/m2') };
    expect(resolveRoute(caller, '/v1/chat/completions', 'airlock-chat')).toEqual({ backend: 'dr', model: 'm2' });
    expect(resolveRoute(caller, '/v1/chat/completions', 'm1')).toEqual({ backend: 'chat', model: 'm1' });
    expect(resolveRoute(caller, '/v1/chat/completions')).toEqual({ backend: 'chat', model: 'm1' });
  });

  it('refuses a model policy did not name, listing what is allowed', () => {
    const caller = { policyRoute: routedToM1, aliases: [{ alias: 'm1', ...routedToM1 }] };
    expect(() => resolveRoute(caller, '/v1/chat/completions', 'gpt-4o')).toThrow(ModelNotAllowedError);
    expect(() => resolveRoute(caller, '/v1/chat/completions', 'gpt-4o')).toThrow('allowed: m1');
  });

  it('needs a route when the client names no model', () => {
    expect(() => resolveRoute({ aliases: [] }, '/v1/chat')).toThrow(NoRouteError);
  });

  it('takes the first alias when policy sent aliases but no route, and leaves the caller as it was', () => {
    const caller = { aliases: parseAliases('fast=chat/m1,big=vllm/m9') };
    expect(resolveRoute(caller, '/v1/chat')).toEqual({ backend: 'chat', model: 'm1' });
    expect(caller).toEqual({ aliases: parseAliases('fast=chat/m1,big=vllm/m9') });
  });
});

// Checks a service's checked-in OpenAPI document against the routes its NestJS controllers serve: each app's
// test/openapi.spec.ts compares the two lists, so a route added or removed on one side only fails the suite.
// servedRpcs does the same for gRPC handlers against the proto's service definition.

/** Nest's metadata keys (@nestjs/common/constants), read here so this package does not depend on Nest. */
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const CONTROLLERS_METADATA = 'controllers';
/** @nestjs/microservices' key: @GrpcMethod stores `[{ service, rpc, streaming }]` on the handler. */
const PATTERN_METADATA = 'microservices:pattern';
const IMPORTS_METADATA = 'imports';

// reflect-metadata's API, installed on Reflect by @nestjs/common, which every caller has loaded.
const getMetadata = (key: string, target: object): unknown => (Reflect as unknown as { getMetadata(k: string, t: object): unknown }).getMetadata(key, target);

type Constructor = abstract new (...args: never[]) => unknown;

/** Every controller of the module tree, imports included (dynamic modules are not followed). */
function controllersOf(module: Constructor, seen = new Set<Constructor>()): Constructor[] {
  if (seen.has(module)) return [];
  seen.add(module);
  const own = (getMetadata(CONTROLLERS_METADATA, module) ?? []) as Constructor[];
  const imports = ((getMetadata(IMPORTS_METADATA, module) ?? []) as unknown[]).filter((m): m is Constructor => typeof m === 'function');
  return [...own, ...imports.flatMap((m) => controllersOf(m, seen))];
}

const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/**
 * "GET /api/policy/v1/drafts/{id}" for every HTTP handler of the module tree (gRPC handlers have no request
 * method), sorted. `requestMethod` is Nest's RequestMethod enum, passed in by the caller for its names.
 */
export function servedRoutes(module: Constructor, requestMethod: Record<number, string>): string[] {
  const routes: string[] = [];
  for (const controller of controllersOf(module)) {
    const base = (getMetadata(PATH_METADATA, controller) ?? '') as string;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const method = getMetadata(METHOD_METADATA, handler) as number | undefined;
      const path = getMetadata(PATH_METADATA, handler) as string | undefined;
      if (method === undefined || path === undefined) continue;
      routes.push(`${requestMethod[method]} ${join(base, path).replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

/**
 * "IdentityService/IssueToken" for every gRPC handler of the module tree (Nest names the service without its
 * proto package), sorted: a handler whose @GrpcMethod strings name no RPC of the proto is never called, and an
 * RPC without a handler answers UNIMPLEMENTED, so a service's spec compares this list with its proto's.
 */
export function servedRpcs(module: Constructor): string[] {
  const rpcs: string[] = [];
  for (const controller of controllersOf(module)) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const patterns = (getMetadata(PATTERN_METADATA, handler) ?? []) as { service?: string; rpc?: string }[];
      for (const { service, rpc } of patterns) if (service && rpc) rpcs.push(`${service}/${rpc}`);
    }
  }
  return rpcs.sort();
}

/** The operations of an OpenAPI document in the repository's layout (two-space path keys, four-space methods), sorted. */
export function documentedRoutes(text: string): string[] {
  const routes: string[] = [];
  let path: string | undefined;
  let inPaths = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inPaths = line.startsWith('paths:');
    if (!inPaths) continue;
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) path = p[1];
    const m = /^ {4}(get|put|post|delete|patch|head|options):\s*$/.exec(line);
    if (m && path) routes.push(`${m[1].toUpperCase()} ${path}`);
  }
  return routes.sort();
}

/** Path parameters (`{id}`) the document's paths use without declaring them (`name: id` + `in: path`). */
export function undeclaredPathParameters(text: string): string[] {
  const used = new Set([...text.matchAll(/^ {2}\/\S*:\s*$/gm)].flatMap((m) => [...m[0].matchAll(/\{(\w+)\}/g)].map((p) => p[1])));
  return [...used].filter((name) => !new RegExp(`name: ${name}\\s*(?:\\n\\s+|, )in: path`).test(text)).sort();
}

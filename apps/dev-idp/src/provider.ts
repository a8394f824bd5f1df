import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { DevIdpConfig } from './config';
import { messagePage, page } from './pages';
import { ACR_MFA, ACR_PWD, type UserDirectory } from './users';

export const SCOPES = ['openid', 'profile', 'email', 'groups'] as const;

/** A fresh ES256 signing key per boot: the relying party re-fetches the JWKS when it sees an unknown `kid`. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `dev-idp-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' };
}

export function createProvider(config: DevIdpConfig, users: UserDirectory): Provider {
  const configuration: Configuration = {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        client_name: 'Airlock (dev)',
        redirect_uris: config.redirectUris,
        post_logout_redirect_uris: config.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey()] },
    // Every authorization request must carry an S256 code_challenge (confidential client or not).
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic'],
    responseTypes: ['code'],
    scopes: [...SCOPES],
    claims: {
      // acr/amr are MFA evidence the relying party's tenant policy checks, so every ID token carries them.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    acrValues: [ACR_MFA, ACR_PWD],
    // Relying parties read the user's claims (groups in particular) from the ID token itself.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<p>Sign out of the dev IdP?</p>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout" id="logout">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out of the dev IdP.');
        },
      },
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const user = users.find(sub);
      if (!user) return undefined;
      return {
        accountId: user.username,
        claims: async () => ({
          sub: user.username,
          name: user.name,
          preferred_username: user.username,
          email: user.email,
          email_verified: true,
          groups: user.groups,
        }),
      };
    },
    // Consent-less: the one configured client is first-party, so it is granted the scopes and claims it asks for.
    loadExistingGrant: async (ctx) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = existing ? await ctx.oidc.provider.Grant.find(existing) : undefined;
      const target = grant ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const requested = String(params?.scope ?? 'openid')
        .split(' ')
        .filter((s) => (SCOPES as readonly string[]).includes(s));
      target.addOIDCScope(requested.join(' '));
      target.addOIDCClaims(['sub', 'name', 'preferred_username', 'email', 'email_verified', 'groups']);
      await target.save();
      return target;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in error', 'The dev IdP could not complete this request.', out as unknown as Record<string, unknown>);
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };
  return new Provider(config.issuer, configuration);
}

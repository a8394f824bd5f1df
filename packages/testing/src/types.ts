export interface InfraEndpoints {
  /** The admin role (creates databases and roles; never a service's): `url` has no password, `password` has it. */
  postgres: { host: string; port: number; user: string; password: string; database: string; url: string };
  /** `url` has no credentials; `username`/`password` are the admin user's (creates service users; never a service's). */
  redis: RedisEndpoint;
  kafka: { brokers: string[] };
}

export interface RedisEndpoint {
  host: string;
  port: number;
  url: string;
  username: string;
  password: string;
}

export type InfraComponent = 'postgres' | 'redis' | 'kafka';

export const INFRA_COMPONENTS: readonly InfraComponent[] = ['postgres', 'redis', 'kafka'];

/** `test` trades durability for speed (postgres without fsync); `dev` keeps the defaults. */
export type InfraProfile = 'dev' | 'test';

export interface StartInfraOptions {
  components?: InfraComponent[];
  profile?: InfraProfile;
}

export type InfraStatus = Record<InfraComponent, { running: boolean; pid?: number; port?: number }>;

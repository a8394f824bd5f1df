// The built-in pack's secrets: private keys, cloud and SaaS credentials, tokens, passwords in URLs and configs.
import type { RuleDefinition } from './types';

const r = String.raw;

// Synthetic values only: random strings shaped like the real thing.
const AZURE_KEY = 'MxmqjauSsS23eILaTyo0RmqFOz3gMvW9Z+MUj5Cv8dclGPIMjVmieL5Tv3fqSLJ2o+k9dY2taEuPnQUUwwa4Df==';
const SB_KEY = 'oG/JR4GrinwvaaewRQ6PLEnP2zNmVVoe40XLgV8urJf=';
const JWT_HS =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTEwNDIiLCJuYW1lIjoiVGVzdCBVc2VyIiwiaWF0IjoxNzAwMDAwMDAwfQ.Qm9ndXNTaWduYXR1cmVGb3JUZXN0czEyMw';
const JWT_RS =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkLmFjbWUudGVzdCIsInN1YiI6InN2Yy03In0.c2lnbmF0dXJlLWJ5dGVzLWZha2U';
const PEM_BODY = 'MIIEowIBAAKCAQEAyAxMf3Rh95mm2+8E/FCF7HF+TGH1Gc6w6RAsyCNpCB+2kuAb\nhlWOc9yDehNzQ1ld9VIP5XAoja7ipu0nSHOUMUOYnowpgoUzyrfy7S1S5n27nu0p';

export const SECRET_RULES: RuleDefinition[] = [
  {
    id: 'secret.private_key',
    category: 'secret',
    description: 'PEM / PKCS#8 / OpenSSH / PGP private key block (an unterminated block counts too)',
    pattern: r`-----BEGIN[A-Z ]{0,24} PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|\s)+(?:[A-Za-z-]+:[^\n\\]*(?:\\[rn]|\s)+)*[A-Za-z0-9+/=]{16}(?:[A-Za-z0-9+/=\s\\]*?-----END[A-Z ]{0,24} PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\]*)`,
    keywords: ['private key'],
    action: 'block',
    severity: 'critical',
    examples: {
      positive: [
        `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`,
        `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----`,
        `"-----BEGIN PRIVATE KEY-----\\n${PEM_BODY.replace('\n', '\\n')}\\n-----END PRIVATE KEY-----\\n"`,
      ],
      negative: [
        '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyAxMf3Rh95mm2\n-----END PUBLIC KEY-----',
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7yAxMf3Rh95mm2 dev@laptop',
        'Paste the -----BEGIN PRIVATE KEY----- block into the form.',
      ],
    },
  },
  {
    id: 'secret.gcp_service_account_key',
    category: 'secret',
    description: 'Google service-account JSON private_key field',
    pattern: r`"private_key"\s*:\s*"(-----BEGIN[A-Z ]{0,24} PRIVATE KEY-----[^"]{16,})"?`,
    keywords: ['private_key'],
    action: 'block',
    severity: 'critical',
    examples: {
      positive: [
        `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n${PEM_BODY.replace('\n', '\\n')}\\n-----END PRIVATE KEY-----\\n"}`,
        `"private_key":"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAyAxMf3Rh95mm2+8E\\n"`,
      ],
      negative: ['"private_key": "${GCP_PRIVATE_KEY}"', '"private_key_id": "3f2a9c0d1e7b4a6f8e5d2c1b0a9f8e7d6c5b4a39"'],
    },
  },
  {
    id: 'secret.aws_access_key_id',
    category: 'secret',
    description: 'AWS access key id (AKIA/ASIA/ABIA/ACCA + 16 base32 characters)',
    pattern: r`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`,
    keywords: ['akia', 'asia', 'abia', 'acca'],
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['aws_access_key_id = AKIAQ3EGXTZ7V5LN2MWB', 'export AWS_ACCESS_KEY_ID="ASIAX5PZ7KQ2MN4LV6TR"'],
      negative: ['AKIA1234 is too short', 'AKIAQ3EGXTZ7V5LN2MWBXYZ is too long', 'ASIAN markets opened higher'],
    },
  },
  {
    id: 'secret.aws_secret_access_key',
    category: 'secret',
    description: 'AWS secret access key: 40 base64 characters assigned to an AWS secret key name',
    pattern: r`(?i)(?:(?:aws|amazon)[a-z0-9_ .-]{0,30}(?:secret|sk)|secret_?access_?key)[a-z0-9_ .-]{0,20}["']?\s*(?:=|:|=>)\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
    keywords: ['aws', 'amazon', 'secret_access_key', 'secretaccesskey'],
    entropy: 4.3,
    validator: 'credential',
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        'aws_secret_access_key = h7Fq2LpX9vRt4Kz8MwN3bYc6Jd1Ge5Sa0Uo/Vi+T',
        'AWS_SECRET_ACCESS_KEY: "Zp4+Qm8Rt2Vx6Ny0Lb3Hc7Jf1Kd5Gs9Wa/Ue2Io4"',
      ],
      negative: [
        'aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}',
        'aws_secret_access_key: 3f786850e387550fdab836ed7e6dc881de23001b',
        'h7Fq2LpX9vRt4Kz8MwN3bYc6Jd1Ge5Sa0Uo/Vi+T appears here without any context',
      ],
    },
  },
  {
    id: 'secret.gcp_api_key',
    category: 'secret',
    description: 'Google API key (AIza + 35 characters)',
    pattern: r`\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)`,
    keywords: ['aiza'],
    entropy: 3.5,
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['key=AIzaSyB3x9Kq7LmN2pR5tV8wY1zA4cD6eF0gH2j', '"apiKey": "AIzaSyD-7hT2mQ9xW4vL1nB8kR3pZ6cF0sJ5gE_"'],
      negative: ['AIzaShort', 'keys start with AIza followed by 35 characters', 'AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  },
  {
    id: 'secret.azure_storage_key',
    category: 'secret',
    description: 'Azure storage AccountKey / Service Bus SharedAccessKey in a connection string',
    pattern: r`(?i)(?:AccountKey|SharedAccessKey)\s*=\s*([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)`,
    keywords: ['accountkey', 'sharedaccesskey'],
    entropy: 4.0,
    validator: 'credential',
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        `DefaultEndpointsProtocol=https;AccountName=acmedata;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`,
        `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${SB_KEY}`,
      ],
      negative: ['AccountKey=<your-account-key>', 'AccountKey=${AZURE_STORAGE_KEY};AccountName=acmedata'],
    },
  },
  {
    id: 'secret.github_token',
    category: 'secret',
    description: 'GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ classic and github_pat_ fine-grained',
    pattern: r`\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b`,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    entropy: 3.5,
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        'GITHUB_TOKEN=ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e',
        'git clone https://x-access-token:ghs_Q4w8E2r6T0y3U7i1O5p9A2s6D0f4G8h2J6k0@github.com/acme/app',
        'token: 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',
      ],
      negative: ['classic tokens look like ghp_XXXXXXXX', 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7eEXTRA'],
    },
  },
  {
    id: 'secret.gitlab_token',
    category: 'secret',
    description: 'GitLab personal access token (glpat-)',
    pattern: r`\bglpat-[A-Za-z0-9_-]{20,64}`,
    keywords: ['glpat-'],
    entropy: 3.5,
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: ['GITLAB_TOKEN=glpat-Xk8v2Rq9Lm4Tz7Nw3Bc6', 'curl --header "PRIVATE-TOKEN: glpat-a1B2c3D4e5F6g7H8i9J0"'],
      negative: ['glpat-xxxx', 'GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'secret.slack_token',
    category: 'secret',
    description: 'Slack bot/user/app tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-)',
    pattern: r`\bxox[abposr]-[0-9]{6,15}-[0-9A-Za-z-]{8,128}`,
    keywords: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxr-', 'xoxs-'],
    entropy: 3.0,
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        'SLACK_BOT_TOKEN=xoxb-284619375012-1630948275561-Qm8Rt2Vx6Ny0Lb3Hc7Jf1Kd5',
        'token: xoxp-2718281828-3141592653-5772156649-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ],
      negative: ['xoxb-your-bot-token', 'SLACK_TOKEN=xoxb-XXXXXXXXXXXX'],
    },
  },
  {
    id: 'secret.slack_webhook',
    category: 'secret',
    description: 'Slack incoming-webhook URL',
    pattern: r`https://hooks\.slack\.com/services/(T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})`,
    keywords: ['hooks.slack.com'],
    entropy: 3.5,
    action: 'mask',
    severity: 'high',
    examples: {
      positive: [
        'webhook: https://hooks.slack.com/services/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',
        'curl -X POST https://hooks.slack.com/services/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',
      ],
      negative: ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'see https://api.slack.com/messaging/webhooks'],
    },
  },
  {
    id: 'secret.jwt',
    category: 'secret',
    description: 'JSON Web Token: base64url header (JSON with "alg") and payload, optional signature',
    pattern: r`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]+)?`,
    keywords: ['eyj'],
    validator: 'jwt',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: [`Authorization: Bearer ${JWT_HS}`, `id_token=${JWT_RS}`],
      negative: ['eyJ0eXAiOiJub25lIn0.eyJzdWIiOiJ4MTIzNDU2Nzg5MCJ9.sig', 'header eyJhbGciOiJIUzI1NiJ9 alone'],
    },
  },
  {
    id: 'secret.url_password',
    category: 'secret',
    description: 'Password in a connection URL (postgres://, mysql://, mongodb(+srv)://, redis://, amqp://, jdbc:…://)',
    pattern: r`(?i)\b(?:jdbc:[a-z0-9]+|postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|ftps?|sftp|smtps?|ldaps?|https?)://[^\s:/@'"]*:([^\s@/'"]+)@`,
    keywords: ['://'],
    validator: 'credential',
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        'DATABASE_URL=postgres://app:Xr7kq2Lm9Tz4@db.internal:5432/app',
        'mongodb+srv://admin:Str0ngP4ss!@cluster0.ab1cd.mongodb.net/test',
        'jdbc:mysql://svc:Pw0rd-2024@mysql.internal:3306/orders',
      ],
      negative: [
        'postgres://app:${DB_PASSWORD}@db.internal:5432/app',
        'postgres://user:password@localhost/db',
        'mongodb://admin:****@cluster0/test',
        'postgres://<user>:<password>@host/db',
        'f"postgres://{user}:{password}@{host}/db"',
      ],
    },
  },
  {
    id: 'secret.jdbc_password',
    category: 'secret',
    description: 'password= in a JDBC URL or an ADO.NET/ODBC connection string',
    pattern: r`(?i)(?:\bjdbc:[a-z0-9]+:[^\s'"]*?[;?&:]|\b(?:server|data source|host|dsn)=[^;'"\n]+;[^'"\n]*?)(?:password|pwd)=([^;&\s'"]+)`,
    keywords: ['password=', 'pwd='],
    validator: 'credential',
    action: 'mask',
    severity: 'critical',
    examples: {
      positive: [
        'jdbc:postgresql://db.internal:5432/app?user=app&password=Xr7!kq2Lm9',
        'Server=tcp:sql.acme.local,1433;Database=app;User Id=svc;Password=Zt5#vB8nQ1w;',
      ],
      negative: ['jdbc:mysql://localhost:3306/app?user=root&password=${DB_PASSWORD}', 'Server=sql.acme.local;Database=app;Password=<password>;'],
    },
  },
  {
    id: 'secret.basic_auth',
    category: 'secret',
    description: 'HTTP Basic credentials (Authorization: Basic base64(user:password))',
    pattern: r`(?i)\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})`,
    keywords: ['basic'],
    validator: 'basic_auth',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['Authorization: Basic dXNlcjpQNHNzdzByZCEyMDI0', 'curl -H "Authorization: basic c3ZjOlhyN2txMkxtOVR6NA=="'],
      negative: ['Authorization: Basic <credentials>', 'Basic authentication is disabled', 'Basic YWRtaW5pc3RyYXRvcg=='],
    },
  },
  {
    id: 'secret.cli_password',
    category: 'secret',
    description: 'Password given on a database client command line (mysql -pSECRET, --password=SECRET)',
    pattern: r`\b(?:mysql|mysqldump|mysqladmin|mariadb|psql|mongo|mongosh|redis-cli|sqlcmd)\b[^\n|;]*?\s(?:-p|--password[= ]|-P|-a )([^\s'"-][^\s'"]{3,})`,
    keywords: ['-p', '--password', '-a '],
    validator: 'credential',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['mysql -u root -pS3cr3tPass! orders', 'mongosh --password=Xr7kq2Lm9 --host db'],
      negative: ['mysql -u root -p orders', 'mysql -u root -p"$MYSQL_PWD" orders', 'psql --password=${PGPASSWORD}'],
    },
  },
  {
    id: 'secret.password_literal',
    category: 'secret',
    description: 'Quoted literal (8+ chars) assigned to a password key',
    pattern: r`(?i)(?:password|passwd|pwd)["']?\s*(?:=|:|:=|=>)\s*["']([^"'\s]{8,128})["']`,
    keywords: ['password', 'passwd', 'pwd'],
    validator: 'credential',
    action: 'mask',
    severity: 'high',
    examples: {
      positive: ['{"password":"Xr7kq2Lm9T!"}', "db_password = 'correct-horse-battery'"],
      negative: ['password: "${DB_PASSWORD}"', "password = '********'", 'password: "<password>"', 'password = "changeme"'],
    },
  },
];

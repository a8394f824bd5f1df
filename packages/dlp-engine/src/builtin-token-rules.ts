// The built-in pack's vendor token formats added in pack 2: tokens whose prefix or shape names the vendor.
// Every value below is synthetic (random characters in the vendor's shape).
import { secretRules } from './secret-rule';
import type { RuleDefinition } from './types';

const r = String.raw;

// Every vendor token has the entropy of random characters.
const token = secretRules({ entropy: 3.0, action: 'mask', severity: 'critical' });

export const TOKEN_RULES: RuleDefinition[] = [
  token(
    'secret.gitlab_token_v2',
    'GitLab runner (glrt-), deploy (gldt-), pipeline-trigger (glptt-), feed, OAuth, SCIM, CI-job, agent tokens and legacy runner registration tokens (GR1348941)',
    r`\b(?:gl(?:rt|dt|ptt|ft|soat|oas|cbt|imt|agent)-[A-Za-z0-9_-]{20,64}|GR1348941[A-Za-z0-9_-]{20,24})`,
    ['glrt-', 'gldt-', 'glptt-', 'glft-', 'glsoat-', 'gloas-', 'glcbt-', 'glimt-', 'glagent-', 'gr1348941'],
    ['runner token glrt-Tq9vX2mLp8Rk4Nz7Wb3Y', 'CI_DEPLOY_PASSWORD=gldt-8hKq2Zr7Vx4Mn1Lp9Tb6', 'registration-token: GR1348941zR4kX9vLmQ2pT7nW8bY3'],
    ['glrt-xxxxxxxx', 'the gldt- prefix marks deploy tokens'],
  ),
  token(
    'secret.stripe_key',
    'Stripe secret (sk_live_/sk_test_) and restricted (rk_live_/rk_test_) keys',
    r`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,99}\b`,
    ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    ['STRIPE_SECRET_KEY=sk_live_51Hq8ZxKp2VmT7rL9wN3bY6cD4fG', 'stripe.api_key = "rk_live_4Tq9vX2mLp8Rk7Nz1Wb3YcA5"'],
    ['sk_live_xxxxxxxx', 'publishable key pk_live_51Hq8ZxKp2VmT7rL9wN3bY6cD4fG'],
  ),
  token(
    'secret.sendgrid_key',
    'SendGrid API key SG.<22>.<43>',
    r`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b`,
    ['sg.'],
    ['SENDGRID_API_KEY=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', 'sg.setApiKey("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")'],
    ['SG.xxxxx.yyyyy', 'version SG.2'],
  ),
  token(
    'secret.twilio_key',
    'Twilio API key SID (SK + 32 hex)',
    r`\bSK[0-9a-f]{32}\b`,
    // No keyword: "sk" occurs in every other word; the pattern itself joins the one-pass set.
    [],
    ['TWILIO_API_KEY=SK3f9a1c7e5b2d8046a9e1f3c5b7d9a2e4', 'client = Client("SK7d2e9a4c1f8b3e6a0d5c2f9b4e7a1d3c", secret)'],
    ['SK00000000000000000000000000000000', 'SKU 12345'],
  ),
  token(
    'secret.twilio_auth_token',
    'Twilio auth token: 32 hex assigned to a Twilio token name',
    r`(?i)twilio[a-z0-9_.-]{0,20}(?:token|secret)["']?\s*(?:=|:|=>)\s*["']?([0-9a-f]{32})\b`,
    ['twilio'],
    ['TWILIO_AUTH_TOKEN=9f3a1c7e5b2d8046a9e1f3c5b7d9a2e4', 'twilio.authToken: "3e6a0d5c2f9b4e7a1d3c7d2e9a4c1f8b"'],
    ['TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN}', 'twilio_token_ttl: 3600'],
  ),
  token(
    'secret.npm_token',
    'npm access token (npm_ + 36)',
    r`\bnpm_[A-Za-z0-9]{36}\b`,
    ['npm_'],
    ['//npm.acme.local/:_authToken=npm_Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3m', 'NPM_TOKEN=npm_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A'],
    ['npm_config_cache=/tmp/npm', 'npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
  ),
  token(
    'secret.npmrc_auth',
    'An .npmrc _authToken / _auth / _password value',
    r`(?:_authToken|_auth|_password)\s*=\s*["']?([A-Za-z0-9_+/=-]{16,})`,
    ['_authtoken', '_auth', '_password'],
    ['//npm.acme.local/:_authToken=Tq9vX2mLp8Rk4Nz7Wb3YcA5d', '//nexus.acme.local/repository/npm/:_auth=ZGV2OlRxOXZYMm1McDhSazQ='],
    ['//npm.acme.local/:_authToken=${NPM_TOKEN}', '_authToken=<token>'],
    { validator: 'credential' },
  ),
  token(
    'secret.pypi_token',
    'PyPI upload token (pypi-AgEIcHlwaS5vcmc…)',
    r`\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}`,
    ['pypi-ageicHlwas5vcmc'.toLowerCase()],
    ['password = pypi-AgEIcHlwaS5vcmcCJDk3ZTQ4ZmEyLTk1NDYtNGM3Zi1iMmQ0LWQ5ODBhZjQ5OTA1NQACKlsz', 'TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmcCJGE4ZjE5YzQyLTk5NDYtNGM3Zi1iMmQ0LWQ5ODBhZjQ5OTA1NQACKlsz'],
    ['username = __token__', 'pypi-AgEIcHlwaS5vcmc'],
  ),
  token(
    'secret.docker_hub_token',
    'Docker Hub personal access token (dckr_pat_)',
    r`\bdckr_pat_[A-Za-z0-9_-]{27,40}`,
    ['dckr_pat_'],
    ['echo dckr_pat_Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6f | docker login -u acme --password-stdin', 'DOCKERHUB_TOKEN=dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9'],
    ['dckr_pat_xxx', 'create a dckr_pat_ token in Docker Hub'],
  ),
  token(
    'secret.jfrog_token',
    'JFrog API key (AKCp…) and reference token (cmVmdGtuOjAxOj…)',
    r`\bAKCp[0-9][A-Za-z0-9]{60,80}\b|\bcmVmdGtuOjAxOj[A-Za-z0-9]{40,80}`,
    ['akcp', 'cmvmdgtuojaxoj'],
    ['X-JFrog-Art-Api: AKCp8kQ2Zr7Vx4Mn1Lp9Tb6Yc3Dd5Fe8Gh0Jk2Lm4Np6Qr8St1Uv3Wx5Yz7Ab9Cd2Ef4Gh6Jk8Lm', 'artifactory_token: cmVmdGtuOjAxOjE3MzQ1Njc4OTA6Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3m'],
    ['AKCp is the prefix of JFrog API keys', 'cmVmdGtuOjAxOj'],
  ),
  token(
    'secret.vault_token',
    'HashiCorp Vault service (hvs.), batch (hvb.) and recovery (hvr.) tokens',
    r`\bhv[sbr]\.[A-Za-z0-9_-]{24,200}`,
    ['hvs.', 'hvb.', 'hvr.'],
    ['export VAULT_TOKEN=hvs.CAESIJq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4', 'X-Vault-Token: hvb.AAAAAQJq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4'],
    ['hvs.xxxxxxxx', 'hvs.example'],
  ),
  token(
    'secret.azure_sas',
    'Azure shared access signature: sig= in a SAS URL or token (sv=/se=/sp= or an Azure host nearby)',
    r`[?&;]sig=([A-Za-z0-9%+/]{30,100}(?:%3D|=){0,2})`,
    ['sig='],
    ['https://acme.blob.core.windows.net/data?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01&sig=Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4pQ5r%3D', 'SharedAccessSignature=sv=2021-06-08&se=2026-01-01&sr=c&sp=rl&sig=aB3dE5fG7hJ9kL1mN3pQ5r%2BTq9vX2mLp8Rk4Nz7Wb3Y%3D'],
    ['https://acme.blob.core.windows.net/data?sv=2022-11-02&sig=<signature>', 'https://cdn.acme.io/x?sig=Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4pQ5r'],
    { context: { words: ['sv=', 'se=', 'sp=', 'windows.net', 'sharedaccesssignature'], window: 40, required: true } },
  ),
  token(
    'secret.azure_devops_pat',
    'Azure DevOps personal access token: 52 base32 characters next to Azure DevOps words',
    r`(?i)(?:azure|devops|ado|azdo|dev\.azure\.com|visualstudio\.com|pat)[^\n]{0,40}?\b([a-z2-7]{52})\b`,
    ['azure', 'devops', 'ado', 'azdo', 'visualstudio', 'pat'],
    ['AZURE_DEVOPS_PAT=qwb5pdkhx6pygpan2rlykei4iiaannkksumnlmytbx2kjqevtave', 'git clone https://pat:twt6ul66ldqbwzb2xya4clmhp5wwq5gxsc3fnvxjvrftutlfjt6k@dev.azure.com/acme/app/_git/app'],
    ['AZURE_DEVOPS_PAT=${AZURE_DEVOPS_PAT}', 'azure: qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq'],
  ),
  token(
    'secret.azure_devops_pat_v2',
    'Azure DevOps personal access token, 84-character form (AZDO at position 77)',
    r`\b[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}\b`,
    ['azdo'],
    ['ADO_TOKEN=uDFmi7ZCPvmW0QdpaJD6oCzfV1NIuk8Io5yaGKbXJD2aSJd7n2Khd9fsuUeRSeZ5JHY0i9Lo7f3VAZDOLFfR', 'pat: gyj3gXEyyxWslqCwTXjtqR1fQxstS98VpLl2AejxQUqRdS0gprzWWRpWv81aW71L33scX9VhJhKMAZDO1X72'],
    ['AZDO is the marker of new Azure DevOps tokens', 'xAZDOx'],
  ),
  token(
    'secret.openai_key',
    'OpenAI (sk-proj-, sk-…T3BlbkFJ…) and Anthropic (sk-ant-) API keys',
    r`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}|\bsk-(?:proj|svcacct)-[A-Za-z0-9_-]{40,200}|\bsk-ant-(?:api|admin|oat)[0-9]{2}-[A-Za-z0-9_-]{40,120}`,
    ['sk-'],
    ['OPENAI_API_KEY=sk-proj-Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4pQ5rS7tU9vW', 'ANTHROPIC_API_KEY=sk-ant-api03-Tq9vX2mLp8Rk4Nz7Wb3YcA5dE6fG1hJ2kL3mN4pQ5rS7tU9vW1xY3z'],
    ['sk-proj-xxxx', 'use the sk-ant- prefix'],
  ),
];

// The built-in pack's credentials in configuration, connection strings and command lines (pack 2): the value
// is the capture group, and the `password` validator judges its shape (placeholders, code references, words
// and booleans are not secrets). Every value below is synthetic.
import { secretRules } from './secret-rule';
import type { RuleDefinition } from './types';

const r = String.raw;

// Key names that hold a password: English, abbreviations (ADMIN_PW, db.pwd) and Korean (비밀번호, 암호).
const PASSWORD_KEY = r`(?:[A-Za-z0-9_.-]*(?i:password|passwd|passphrase|passcode)[A-Za-z0-9_.-]*|[A-Za-z0-9_.-]*[_.-](?i:pw|pwd|pass)|(?i:pw|pwd|pass)(?:[_.-][A-Za-z0-9_.-]*)?|비밀번호|패스워드|암호)`;

// A credential's value is judged by its shape (the `password` validator).
const credential = secretRules({ validator: 'password', action: 'mask', severity: 'high' });

export const CREDENTIAL_RULES: RuleDefinition[] = [
  credential(
    'secret.password_assignment',
    'A password-like key assigned a value in YAML, .properties, .env, INI, JSON or code, quoted or not',
    r`(?:^|[^A-Za-z0-9_.-])` + PASSWORD_KEY + r`["']?\s*(?:=|:|:=|=>|\s는|\s은)\s*["'\x60]?([^\s"'\x60<>;,$\x7b*%][^\s"'\x60<>;,]{3,127})`,
    ['pass', 'pw', 'pwd', '비밀번호', '패스워드', '암호'],
    [
      'spring.datasource.password=Tiger#2024',
      '  password: Qw3rty!9z',
      'DB_PASS=Kx7pLm2q',
      'ADMIN_PW = "Sm1th&Co"',
      '비밀번호: hana1234!',
    ],
    ['password: ${DB_PASSWORD}', 'password: changeme', 'password_min_length: 12', 'password: "<YOUR_PASSWORD>"', 'passwordEncoder: bcrypt', 'password: ****'],
  ),
  credential(
    'secret.password_xml',
    'A password element in XML (Maven settings.xml, server.xml, web.config)',
    r`(?i)<(?:password|passwd|passphrase|secret|privateKeyPassphrase|storePassword|keyPassword)>\s*([^<\s]{4,128})\s*</`,
    ['<password>', '<passwd>', '<passphrase>', '<secret>', 'passphrase>', 'password>'],
    ['<server><id>nexus</id><username>deploy</username><password>Dpl0y!2024</password></server>', '<Resource name="jdbc/app" passwd="x"/><passwd>Orcl#Pw9</passwd>'],
    ['<password>${env.NEXUS_PASSWORD}</password>', '<password>{maven-encrypted}</password>'],
  ),
  credential(
    'secret.password_default',
    'A default value of a password property in Spring @Value("${db.password:…}") or a shell ${VAR:-…}',
    r`\$\{` + PASSWORD_KEY + r`(?::-?|:=)([^}\s]{4,128})\}`,
    ['pass', 'pw', 'pwd'],
    ['@Value("${db.password:Tiger#2024}") private String pw;', 'psql "password=${PGPASSWORD:-Kx7pLm2q}"'],
    ['@Value("${db.password}")', '@Value("${db.password:}")'],
  ),
  credential(
    'secret.password_call',
    'A password passed as the value of a key in code: put("password", "…"), setPassword("…"), withPassword("…")',
    r`(?i)(?:\(\s*["'][A-Za-z0-9_.-]*(?:password|passwd|pwd|secret)["']\s*,\s*|\b(?:set|with)(?:Db|Admin|User)?(?:Password|Passwd|Secret)\(\s*)["']([^"'\s]{4,128})["']`,
    ['password', 'passwd', 'pwd', 'secret'],
    ['props.put("password", "Tiger#2024");', 'ds.setPassword("Kx7pLm2q9");'],
    ['props.put("password", System.getenv("DB_PASSWORD"));', 'ds.setPassword(password);'],
  ),
  credential(
    'secret.oracle_connect',
    'Oracle user/password@… connect strings: thin JDBC, EZConnect, sqlplus/rman/exp/imp command lines',
    r`(?:jdbc:oracle:(?:thin|oci8?):|\b(?:sqlplus|rman|exp|imp|expdp|impdp|sqlldr|dgmgrl)\s+(?:-[A-Za-z]+\s+)*(?:[a-z]+=)?|(?:^|[\s"'=])(?i:connect)\s+)[A-Za-z0-9_$#]+/["']?([^\s/"']{3,64})["']?@[A-Za-z0-9_.(/-]|\b[A-Za-z][A-Za-z0-9_$#]*/([^\s/"':]{3,64})@//[A-Za-z0-9.-]+`,
    ['oracle', 'sqlplus', 'rman', 'exp', 'imp', 'sqlldr', 'dgmgrl', 'connect', '@//'],
    [
      'url: jdbc:oracle:thin:scott/Tiger2024@db01.acme.local:1521:ORCL',
      'sqlplus system/Orcl#Pw9@PRODDB',
      'conn = cx_Oracle.connect("app/Kx7pLm2q@//db01.acme.local:1521/ORCLPDB1")',
    ],
    ['jdbc:oracle:thin:@db01.acme.local:1521:ORCL', 'sqlplus /nolog', 'sqlplus scott/${ORA_PW}@PRODDB'],
  ),
  credential(
    'secret.connection_string_password',
    'Password=/Pwd= in an ADO.NET, ODBC or Oracle (DESCRIPTION=…) connection string',
    r`(?i)(?:^|[;"'\s(])(?:password|pwd)\s*=\s*["']?([^;"'\s)]{3,128})`,
    ['password', 'pwd'],
    [
      'Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db01)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=ORCL)));User Id=app;Password=Kx7pLm2q;',
      'DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql01;UID=sa;PWD=Sa#Pw2024;',
    ],
    ['Server=sql01;Database=app;Password=${SQL_PASSWORD};', 'Password=<password>;'],
  ),
  credential(
    'secret.cli_credential',
    'Credentials on a command line: curl -u user:pass, sshpass -p, docker login -p, openssl pass:, --password/--token flags',
    r`(?:\bcurl\b[^\n|;]*?\s(?:-u|--user)\s*["']?[^\s:"']+:|\bsshpass\s+-p\s*|\b(?:docker|podman|helm|nerdctl)\s+(?:registry\s+)?login\b[^\n|;]*?\s(?:-p|--password)(?:=|\s+)|\s-pass(?:in|out)?\s+["']?pass:|(?:^|\s)--?(?:[a-z0-9]+[-_.])*(?:password|passwd|token|secret|api-?key|access-?key|auth-?token)(?:=|\s+))["']?([^\s"'-][^\s"']{3,256})`,
    ['curl', 'sshpass', 'login', 'pass:', '-pass', 'password', 'passwd', 'token', 'secret', 'key'],
    [
      'curl -u admin:Kx7pLm2q9 https://nexus.acme.local/service/rest/v1/status',
      'sshpass -p "Tiger#2024" ssh deploy@10.0.0.5',
      'docker login -u acme -p Dpl0y!2024 registry.acme.local',
      'openssl pkcs12 -export -in cert.pem -out cert.p12 -passout pass:P12#Exp0rt',
      'vault login --token=s9Kx7pLm2qTb6Yc3Dd5F',
    ],
    ['curl -u admin https://nexus.acme.local', 'docker login -u acme --password-stdin', 'app --password=$APP_PASSWORD', 'tool --token-file token.txt'],
  ),
  credential(
    'secret.sql_identified_by',
    'A password in SQL: CREATE/ALTER USER … IDENTIFIED BY "…", PASSWORD \'…\'',
    r`(?i)\b(?:IDENTIFIED\s+(?:WITH\s+\w+\s+)?BY|(?:WITH|USER\s+\S+)(?:\s+(?:LOGIN|NOLOGIN|SUPERUSER|CREATEDB|CREATEROLE|INHERIT|REPLICATION|ENCRYPTED))*\s+PASSWORD)\s+["'\x60]?([^\s"'\x60;]{3,128})`,
    ['identified', 'password'],
    ['ALTER USER app IDENTIFIED BY "Kx7pLm2q9";', "CREATE ROLE app WITH LOGIN PASSWORD 'Tiger#2024';"],
    ['ALTER USER app IDENTIFIED BY VALUES :hash', 'IDENTIFIED BY <password>'],
  ),
  credential(
    'secret.hex_key',
    'A hex key (32-128 hex digits) assigned to a key name: secret/signing/encryption/HMAC/master key, client secret',
    r`(?i)(?:^|[^a-z0-9_.-])[a-z0-9_.-]*(?:secret[_.-]?key|signing[_.-]?key|encryption[_.-]?key|enc[_.-]?key|hmac[_.-]?(?:key|secret)|master[_.-]?key|private[_.-]?key|client[_.-]?secret|app[_.-]?secret|jwt[_.-]?secret|aes[_.-]?key)["']?\s*(?:=|:|:=|=>)\s*["']?([0-9a-fA-F]{32,128})(?:[^0-9a-fA-F]|$)`,
    ['key', 'secret'],
    ['SECRET_KEY = "4f1c9a7e2b8d3f6a0c5e9b1d7a3f8c2e6b0d4a9f1e7c3b8a"', 'jwt.signing-key: 9b1d7a3f8c2e6b0d4a9f1e7c3b8a4f1c'],
    ['secret_sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"', 'SECRET_KEY = "00000000000000000000000000000000"'],
    { validator: 'none', entropy: 3.0 },
  ),
  credential(
    'secret.docker_auth',
    'A registry "auth" entry of a Docker config (base64 of user:password), e.g. inside a .dockerconfigjson',
    r`"auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})"`,
    ['"auth"'],
    ['{"auths":{"registry.acme.local":{"auth":"ZGVwbG95OkRwbDB5ITIwMjQ="}}}', '"auth": "Y2k6VHE5dlgybUxwOFJr"'],
    ['{"auths":{"registry.acme.local":{"auth":""}}}', '{"auth": "YWRtaW5pc3RyYXRvcg=="}'],
    { validator: 'basic_auth' },
  ),
];

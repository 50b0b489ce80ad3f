import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET_RULES, secretChecks, type SecretFamily } from './rules.js';
import { scanSecrets } from './scan.js';
import * as t from './fixtures/tokens.js';

/** Check ids found in `text` as the file `path`. */
function ids(path: string, text: string): string[] {
  return scanSecrets(path, Buffer.from(text)).results.map((r) => r.checkId);
}

function only(path: string, text: string, id: string): void {
  assert.deepEqual(ids(path, text), [id], `${path}: ${text.slice(0, 200)}`);
}

function none(path: string, text: string): void {
  assert.deepEqual(ids(path, text), [], `${path}: ${text.slice(0, 200)}`);
}

test('rule table: ids unique and sequential, every family covered, catalog entries target secrets', () => {
  const seen = SECRET_RULES.map((r) => r.id);
  assert.deepEqual(
    seen,
    seen.map((_, i) => `BW-SEC-${String(i + 1).padStart(3, '0')}`),
  );
  const families: SecretFamily[] = [
    'private-key',
    'aws',
    'gcp',
    'azure',
    'github',
    'gitlab',
    'slack',
    'stripe',
    'npm',
    'pypi',
    'docker-hub',
    'jwt',
    'config-password',
    'generic',
  ];
  for (const f of families)
    assert.ok(
      SECRET_RULES.some((r) => r.family === f),
      f,
    );
  for (const r of SECRET_RULES) {
    assert.ok(r.regex.global && r.regex.hasIndices, `${r.id} regex flags`);
    assert.ok(r.regex.source.includes('?<secret>'), `${r.id} has a secret group`);
    assert.ok(r.keywords.length > 0 && r.keywords.every((k) => k === k.toLowerCase()), `${r.id} keywords`);
  }
  const checks = secretChecks();
  assert.equal(checks.length, SECRET_RULES.length);
  for (const c of checks) {
    assert.deepEqual(c.targets, ['secret']);
    assert.match(c.attack, /^T\d{4}(?:\.\d{3})?$/);
    assert.ok(c.description.length > 20 && c.remediation.length > 20);
  }
  const generic = SECRET_RULES.find((r) => r.family === 'generic')!;
  assert.equal(generic.severity, 'MEDIUM');
});

test('private keys: PKCS#1, PKCS#8, SEC1, encrypted, OpenSSH, PGP, JSON-escaped and YAML-indented blocks', () => {
  for (const kind of ['rsa-pkcs1', 'ec-pkcs8', 'ec-sec1', 'encrypted-pkcs8', 'encrypted-pkcs1'] as const) {
    only('/root/.ssh/id_key', t.pemPrivateKey(kind), 'BW-SEC-001');
  }
  only('/home/app/.ssh/id_ed25519', t.opensshPrivateKey(), 'BW-SEC-001');
  only('/root/private.asc', t.pgpPrivateKey(), 'BW-SEC-001');
  const pem = t.pemPrivateKey('ec-pkcs8');
  only('/app/config.json', `{"tls_key": ${JSON.stringify(pem)}}`, 'BW-SEC-001');
  only(
    '/app/values.yaml',
    `tls:\n  key: |\n${pem
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`,
    'BW-SEC-001',
  );
  // The key's body lines fire nothing else, even in a config file full of keywords.
  const r = scanSecrets('/app/.env', Buffer.from(`# secret token key\n${t.pemPrivateKey('rsa-pkcs1')}`));
  assert.deepEqual(
    r.results.map((x) => x.checkId),
    ['BW-SEC-001'],
  );
  assert.equal(r.results[0]!.location.line, 2);
  assert.equal(r.results[0]!.evidence, '-----BEGIN RSA PRIVATE KEY-----');
  assert.equal(r.results[0]!.location.field, 'RSA PRIVATE KEY');
});

test('private keys: public keys, certificates, and BEGIN lines without a body are not secrets', () => {
  none('/etc/ssh/key.pub', t.pemPublicKey());
  none('/etc/ssl/server.crt', t.certificate());
  none('/app/keys.go', 'const header = "-----BEGIN RSA PRIVATE KEY-----\\n" + body + "-----END RSA PRIVATE KEY-----"');
  none('/app/README', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n');
  none('/app/README', '-----BEGIN PRIVATE KEY-----\n' + 'A'.repeat(64) + '\n-----END PRIVATE KEY-----\n');
  none('/app/README', '-----BEGIN OPENSSH PRIVATE KEY-----\n<your key here>\n-----END OPENSSH PRIVATE KEY-----\n');
  const lines = t.pemPrivateKey('rsa-pkcs1').split('\n');
  none('/app/README.md', `${lines.slice(0, 3).join('\n')}\n...\n-----END RSA PRIVATE KEY-----\n`);
  // A long block cut short (no END line) is still a key.
  only('/app/key.txt', lines.slice(0, 12).join('\n'), 'BW-SEC-001');
});

test('AWS: key IDs, labelled secret keys, and bare pairs', () => {
  const id = t.awsKeyId();
  const secret = t.awsSecretKey();
  only('/app/env.sh', `export AWS_ACCESS_KEY_ID=${id}`, 'BW-SEC-002');
  only('/app/main.py', `session = Session(region="eu-west-1")\nASIA_TEMP = "${t.awsKeyId('ASIA')}"`, 'BW-SEC-002');
  only('/root/.aws/credentials', `[default]\naws_secret_access_key = ${secret}\n`, 'BW-SEC-003');
  only('/app/sts.json', `{"Credentials": {"SecretAccessKey": "${secret}"}}`, 'BW-SEC-003');
  assert.deepEqual(ids('/app/creds.csv', `User,Access key ID,Secret access key\nci,${id},${secret}\n`), [
    'BW-SEC-002',
    'BW-SEC-004',
  ]);
  assert.deepEqual(ids('/root/.aws/credentials', `aws_access_key_id=${id}\naws_secret_access_key=${secret}\n`), [
    'BW-SEC-002',
    'BW-SEC-003',
  ]);
});

test('AWS: documented examples, a lone 40-character string, and hashes are not reported', () => {
  none(
    '/root/.aws/credentials',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  );
  none('/app/data.txt', `checksum ${t.awsSecretKey()}\n`);
  assert.deepEqual(ids('/app/data.txt', `${t.awsKeyId()} da39a3ee5e6b4b0d3255bfef95601890afd80709`), ['BW-SEC-002']);
  none('/app/tz.txt', 'Asia/Tokyo Asia/Kolkata AKIAQQQQQQQQQQQQQQQQ');
});

test('GCP: a service account key file is one finding', () => {
  const pem = t
    .pemPrivateKey('rsa-pkcs1')
    .replace('RSA PRIVATE KEY', 'PRIVATE KEY')
    .replace('RSA PRIVATE KEY', 'PRIVATE KEY');
  const doc = JSON.stringify(
    {
      type: 'service_account',
      project_id: 'demo',
      private_key_id: 'a'.repeat(40),
      private_key: pem,
      client_email: 'ci@demo.iam.gserviceaccount.com',
    },
    null,
    2,
  );
  const r = scanSecrets('/app/sa.json', Buffer.from(doc)).results;
  assert.deepEqual(
    r.map((x) => x.checkId),
    ['BW-SEC-005'],
  );
  assert.equal(r[0]!.location.field, 'private_key');
  none('/app/sa.json', JSON.stringify({ type: 'service_account', private_key: '', client_email: 'x@y' }));
  none(
    '/app/sa.json',
    JSON.stringify({
      type: 'service_account',
      private_key: '-----BEGIN PRIVATE KEY-----\n<key>\n-----END PRIVATE KEY-----\n',
    }),
  );
});

test('Azure: storage keys in connection strings and assignments; the emulator key is not', () => {
  const key = t.azureStorageKey();
  only(
    '/app/appsettings.json',
    `{"Storage": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${key};EndpointSuffix=core.windows.net"}`,
    'BW-SEC-006',
  );
  only('/app/.env', `AZURE_STORAGE_KEY=${key}`, 'BW-SEC-006');
  none(
    '/app/appsettings.json',
    '{"Storage": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"}',
  );
  none('/app/.env', 'AZURE_STORAGE_KEY=<your-storage-key>');
});

test('GitHub: checksummed tokens of every prefix and fine-grained PATs', () => {
  for (const p of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'] as const)
    only('/app/deploy.sh', `curl -H "Authorization: token ${t.githubToken(p)}" api`, 'BW-SEC-007');
  only('/app/.env', `GITHUB_TOKEN=${t.githubToken()}`, 'BW-SEC-007');
  only('/app/ci.yaml', `token: ${t.githubFineGrained()}`, 'BW-SEC-008');
});

test('GitHub: real tokens GitHub minted (published after they were revoked) are found', () => {
  for (const body of t.REAL_GITHUB_TOKEN_BODIES) only('/app/.env', `GH_TOKEN=ghp_${body}`, 'BW-SEC-007');
});

test('GitHub: a wrong checksum or a placeholder is not a token, even assigned to GITHUB_TOKEN', () => {
  const good = t.githubToken();
  const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
  none('/app/deploy.sh', `curl -H "Authorization: token ${bad}"`);
  none('/app/.env', `GITHUB_TOKEN=${bad}`);
  none('/app/main.js', `const GITHUB_TOKEN = "${bad}";`);
  none('/app/.env', `GITHUB_TOKEN=ghp_${'x'.repeat(36)}`);
  none(
    '/app/.env',
    'GITHUB_PAT=github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  );
});

test('GitLab: tokens reported; placeholders not', () => {
  only('/app/.gitlab-ci.yml', `variables:\n  GL_TOKEN: ${t.gitlabToken()}`, 'BW-SEC-009');
  none('/app/.gitlab-ci.yml', 'GL_TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx');
  none('/app/README', 'glpat-<your-token-here-please>');
});

test('Slack: bot tokens and webhook URLs; placeholders not', () => {
  only('/app/bot.py', `client = WebClient(token="${t.slackBotToken()}")`, 'BW-SEC-010');
  only('/app/alert.sh', `curl -X POST ${t.slackWebhook()} -d '{}'`, 'BW-SEC-011');
  none('/app/bot.py', 'client = WebClient(token="xoxb-your-bot-token-here")');
  none('/app/alert.sh', 'curl https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX');
});

test('Stripe: live secret and restricted keys; test-mode and publishable keys are not reported', () => {
  only('/app/pay.rb', `Stripe.api_key = "${t.stripeKey('live', 'sk')}"`, 'BW-SEC-012');
  only('/app/pay.rb', `KEY = "${t.stripeKey('live', 'rk')}"`, 'BW-SEC-012');
  none('/app/pay.rb', `Stripe.api_key = "${t.stripeKey('test', 'sk')}"`);
  none('/app/.env', `STRIPE_SECRET_KEY=${t.stripeKey('test', 'sk')}`);
  none('/app/.env', `STRIPE_PUBLISHABLE_KEY=${t.stripeKey('live', 'pk')}`);
});

test('npm: checksummed tokens (also in .npmrc); a wrong checksum is not a token', () => {
  const tok = t.npmToken();
  only('/app/publish.sh', `NPM_TOKEN=${tok} npm publish`, 'BW-SEC-013');
  only('/root/.npmrc', `//registry.npmjs.org/:_authToken=${tok}\n`, 'BW-SEC-013');
  const bad = tok.slice(0, 10) + (tok[10] === 'a' ? 'b' : 'a') + tok.slice(11);
  none('/app/publish.sh', `NPM_TOKEN=${bad} npm publish`);
});

test('PyPI: macaroon tokens naming pypi.org; other macaroons and look-alikes are not', () => {
  const tok = t.pypiToken();
  assert.ok(tok.startsWith('pypi-AgEIcHlwaS5vcmc'), 'the documented prefix: base64 of version 2, location "pypi.org"');
  only('/root/.pypirc', `[pypi]\nusername = __token__\npassword = ${tok}\n`, 'BW-SEC-014');
  only('/app/release.yml', `TWINE_PASSWORD: ${t.pypiToken('test.pypi.org')}`, 'BW-SEC-014');
  none('/app/release.sh', `export T=${t.pypiToken('evil.example.org')}`);
  none('/app/release.sh', `export T=pypi-AgEIcHlwaS5vcmc${'A'.repeat(80)}`);
});

test('Docker Hub: access tokens; placeholders not', () => {
  only('/app/push.sh', `echo ${t.dockerHubToken()} | docker login -u ci --password-stdin`, 'BW-SEC-015');
  none('/app/push.sh', 'echo dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx | docker login');
});

test('JWT: signed tokens with JSON header and payload; malformed, unsigned and documented examples are not', () => {
  only('/app/client.js', `fetch(url, { headers: { Authorization: "Bearer ${t.jwt()}" } })`, 'BW-SEC-016');
  none('/app/client.js', `const x = "eyJ${'q'.repeat(30)}.${'e'.repeat(40)}.${'s'.repeat(43)}";`);
  none(
    '/app/client.js',
    `const x = "eyJub3QganNvbg.${Buffer.from('{"sub":"a"}').toString('base64url')}.${'s'.repeat(43)}";`,
  );
  none('/app/client.js', `const x = "${t.jwt({ alg: 'none' }, { sub: 'a' }).replace(/\.[^.]*$/, '.')}";`);
  none('/app/client.js', `const x = "${t.jwt({ typ: 'JWT' }, { sub: 'a' })}";`);
  none(
    '/app/client.js',
    `const example = "${t.jwt({ alg: 'HS256', typ: 'JWT' }, { sub: '1234567890', name: 'John Doe', iat: 1516239022 })}";`,
  );
});

test('config passwords: .env, properties, YAML, JSON, INI and conf files, .pypirc, tomcat-users.xml, Maven settings, .npmrc, docker config, URLs, .git-credentials, .netrc', () => {
  const pw = `S3cr-${t.randomBase62(10)}`;
  only('/app/.env', `DB_PASSWORD=${pw}`, 'BW-SEC-017');
  only('/app/.env.production', `export DB_PASS="${pw}"`, 'BW-SEC-017');
  only('/app/application.properties', `spring.datasource.password=${pw}`, 'BW-SEC-017');
  only('/app/config.yaml', `db:\n  password: "${pw}"  # prod`, 'BW-SEC-017');
  only('/app/config.yml', `db:\n  password: ${pw}`, 'BW-SEC-017');
  only('/app/config.json', `{"db": {"user": "app", "password": "${pw}"}}`, 'BW-SEC-017');
  only('/etc/app/app.ini', `[db]\npasswd = ${pw}\n`, 'BW-SEC-017');
  only('/etc/app/app.conf', `admin_pwd=${pw}`, 'BW-SEC-017');
  only(
    '/root/.pypirc',
    `[internal]\nrepository = https://pypi.internal\nusername = ci\npassword = ${pw}\n`,
    'BW-SEC-017',
  );
  only(
    '/usr/local/tomcat/conf/tomcat-users.xml',
    `<user username="admin" password="${pw}" roles="manager-gui"/>`,
    'BW-SEC-017',
  );
  only('/root/.m2/settings.xml', `<server><id>x</id><password>${pw}</password></server>`, 'BW-SEC-022');
  only('/root/.npmrc', `//npm.internal/:_authToken=${t.randomBase62(32)}\n`, 'BW-SEC-018');
  only('/root/.npmrc', `//npm.internal/:_auth=${Buffer.from(`ci:${pw}`).toString('base64')}\n`, 'BW-SEC-018');
  only(
    '/root/.docker/config.json',
    JSON.stringify({ auths: { 'registry.internal': { auth: Buffer.from(`ci:${pw}`).toString('base64') } } }),
    'BW-SEC-019',
  );
  only('/app/config.yaml', `database_url: postgres://app:${pw}@db.internal:5432/app`, 'BW-SEC-020');
  only('/root/.git-credentials', `https://ci:${pw}@git.internal\n`, 'BW-SEC-020');
  only('/root/.netrc', `machine git.internal login ci password ${pw}\n`, 'BW-SEC-021');
  // A password whose value contains a token format is reported once, as the token.
  only('/app/.env', `DB_PASSWORD=${t.githubToken()}`, 'BW-SEC-007');
});

test('config passwords: placeholders, references, comments, prose and program code are not reported', () => {
  none(
    '/app/.env',
    'DB_PASSWORD=${DB_PASSWORD}\nPASS=$DB_PASS\nADMIN_PASSWORD=changeme\nPASSWORD=\nPASSWORD=<password>\n',
  );
  none(
    '/app/values.yaml',
    'password: "{{ .Values.db.password }}"\npassword: ""\npassword: "********"\npassword: !vault |\npassword: null\n',
  );
  none('/app/application.properties', 'spring.datasource.password=${DB_PASSWORD:}\npassword=ENC(abc123)\n');
  none('/app/config.yaml', '# password: hunter2hunter2\n   # password = s3cretvalue\n');
  none('/etc/nsswitch.conf', 'passwd:         files systemd\n');
  none('/app/i18n/de.json', '{"password": "Passwort", "hint": "A secret word, phrase or sequence"}');
  none('/app/config.yaml', 'password_file: /run/secrets/db\npassword: /run/secrets/db_password\n');
  none('/app/server.py', 'password = "hunter2hunter2"\n'); // not a config file: the generic rule needs a credential key name
  none('/root/.m2/settings.xml', '<!--\n<server><password>repopwd123</password></server>\n-->');
  none('/root/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n');
  none(
    '/root/.docker/config.json',
    JSON.stringify({
      auths: { 'r.io': { auth: Buffer.from('no-colon-here').toString('base64') } },
      credsStore: 'desktop',
    }),
  );
  none('/app/config.yaml', 'url: https://user:password@example.org/\nurl: https://${USER}:${PASS}@host/\n');
  none('/root/.netrc', 'machine example.org login me password changeme\n');
  none('/etc/ssl/openssl.cnf', 'secret = pass:s3cr3tvalue # the key is "secret", pass: is the value syntax\n');
});

test('config passwords: package names in package.json and its lockfiles are not passwords; a password field still is', () => {
  const manifest = {
    name: 'app',
    version: '1.0.0',
    dependencies: {
      'pbkdf2-password': '^1.2.1',
      'password-validator': '^5.3.0',
      'secret-handshake': '^1.0.0',
      'bcrypt-pass': '~0.1.x',
    },
    devDependencies: {
      '@acme/check-password': '>=1.2.0 <2 || 3.0.0-rc.1',
      'hash-pwd': 'npm:pbkdf2@^3.1.2',
      'my-passwd': '1.0.0 - 1.4.2',
    },
    peerDependencies: {
      'auth-password': '*',
      'local-password': 'file:../local-password',
      'ws-password': 'workspace:^',
    },
  };
  none('/app/package.json', JSON.stringify(manifest, null, 2));
  none('/app/package.json', JSON.stringify(manifest));
  const lock = {
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { 'pbkdf2-password': '^1.2.1' } },
      'node_modules/pbkdf2-password': { version: '1.2.1', requires: { 'pbkdf2-password': '1.2.1' } },
    },
  };
  none('/app/package-lock.json', JSON.stringify(lock, null, 2));
  none('/app/npm-shrinkwrap.json', JSON.stringify(lock));
  const pw = `Tr0ub4dor&${t.randomBase62(8)}`;
  only(
    '/app/package.json',
    JSON.stringify({ ...manifest, config: { db: { user: 'app', password: pw } } }, null, 2),
    'BW-SEC-017',
  );
  // elsewhere a version-like value under a password key is still a password
  only('/app/config.json', '{"db-password": "1.2.3"}', 'BW-SEC-017');
});

test('generic: high-entropy values under credential-like keys; low-entropy, word-like and code values are not', () => {
  const value = t.randomBase62(32);
  only('/app/settings.py', `API_KEY = "${value}"`, 'BW-SEC-023');
  only('/app/config.js', `module.exports = { clientSecret: '${value}' };`, 'BW-SEC-023');
  only('/app/.env', `SERVICE_TOKEN=${value}`, 'BW-SEC-023');
  const r = scanSecrets('/app/settings.py', Buffer.from(`API_KEY = "${value}"`)).results[0]!;
  assert.equal(r.severity, 'MEDIUM');
  assert.equal(r.location.field, 'API_KEY');
  none('/app/settings.py', 'API_KEY = "aaaaaaaaaaaaaaaaaaaaaaaa"');
  none('/app/settings.py', 'API_KEY = "0123456789abcdefghij"');
  none('/app/settings.py', 'SECRET_KEY = "my_secret_key_name_for_app"');
  none('/app/settings.py', 'API_KEY = "your_api_key_goes_here_123"');
  none('/app/lexer.js', 'const token = scanner.scanJsxIdentifier2();');
  none('/app/lexer.c', 'nToken = FTS5_MAX_TOKEN_SIZE_1;');
  none('/app/settings.py', `PUBLIC_KEY = "${value}"`);
  none('/app/settings.py', `# API_KEY = "${value}"`);
  none('/app/test_sso.py', `ACCESS_TOKEN = "${Buffer.from('this is not a real value').toString('base64')}"`);
  none('/app/oauth.py', 'resp = {"access_token":"2YotnFZFEjr1zCsicMWpAA","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}');
});

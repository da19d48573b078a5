/**
 * Start-up and shutdown under Node, Bun and Deno (the single-file bundle): SIGTERM and
 * SIGINT close every client with 1001 and exit 0 within 2 s; TLS (wss:// and https://)
 * with a certificate made here by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import { BUNDLE_TARGETS } from '../helpers/runtimes.ts';
import { startServeProcess } from '../helpers/subprocess-server.ts';
import { TestClient } from '../helpers/ws-client.ts';

const secret = 'lifecycle-secret';
const env = { TMUX_MONITOR_SECRET: secret };
const token = () => signToken(secret, { sub: 'life', role: 'admin', ttlSec: 600 });

let tlsDir: string;
let certFile: string;
let keyFile: string;
let cert: string;

beforeAll(() => {
  tlsDir = mkdtempSync(join(tmpdir(), 'tm-tls-'));
  certFile = join(tlsDir, 'cert.pem');
  keyFile = join(tlsDir, 'key.pem');
  // A self-signed certificate for 127.0.0.1; openssl is on every Debian (.ci/run installs it).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(certFile, 'utf8');
});
afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

function httpsJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

for (const target of BUNDLE_TARGETS) {
  describe(`lifecycle on ${target.label}`, () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal}: every client gets 1001, exit 0 within 2 s`, async () => {
        const server = await startServeProcess(target, { env });
        const subscribed = await TestClient.authed(server.url, await token());
        await subscribed.request({ action: 'subscribe', filters: {} });
        const anonymous = await TestClient.connect(server.url);
        await anonymous.next('connection.established');
        const legacy = await TestClient.authed(`ws://127.0.0.1:${server.port}`, await token());
        const { code, ms } = await server.stop(signal);
        expect(code).toBe(0);
        expect(ms).toBeLessThan(2000);
        for (const client of [subscribed, anonymous, legacy]) expect((await client.closed).code).toBe(1001);
      });
    }

    it('serves wss:// and https:// with --tls-cert and --tls-key', async () => {
      const server = await startServeProcess(target, { env, flags: ['--tls-cert', certFile, '--tls-key', keyFile] });
      try {
        expect(server.url).toBe(`wss://127.0.0.1:${server.port}/monitor`);
        const client = await TestClient.connect(server.url, { ca: cert });
        await client.next('connection.established');
        client.send({ action: 'auth', token: await token() });
        expect((await client.next('auth.response')).subject).toBe('life');
        await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
        await server.write({
          type: 'agent.status',
          session: 'tls',
          data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' },
        });
        expect((await client.next('agent.status')).session).toBe('tls');
        expect(await httpsJson(`https://127.0.0.1:${server.port}/health`, cert)).toMatchObject({ status: 'ok', clients: 1 });
        // A client that does not trust the certificate is refused.
        await expect(TestClient.connect(server.url)).rejects.toThrow(/self.signed|certificate/i);
        const { code } = await server.stop();
        expect(code).toBe(0);
        expect((await client.closed).code).toBe(1001);
      } finally {
        await server.stop('SIGKILL');
      }
    });
  });
}

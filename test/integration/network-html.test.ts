import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsSession } from '../../src/aws/session.js';
import { whyNotTheService } from '../../src/aws/response-check.js';
import { AwsError, ExitCode } from '../../src/errors.js';
import { CLI, configFor } from './bake-harness.js';

/** A captive portal: every request, whatever it asks, gets HTTP 200 and a login page. */
function portal(
  contentType = 'text/html; charset=utf-8',
  body = '<!DOCTYPE html><html><head><title>Guest Wi-Fi</title></head><body>Sign in to continue</body></html>',
): Promise<{ server: Server; endpoint: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits })),
  );
}

function winami(endpoint: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: mkdtempSync(join(tmpdir(), 'winami-portal-')), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('answers that are not AWS’s (a captive portal answering HTTP 200 with HTML)', function () {
  this.timeout(60_000);
  let p: Awaited<ReturnType<typeof portal>>;
  afterEach(() => new Promise<void>((r) => (p ? p.server.close(() => r()) : r())));

  it('every service call through the real session fails naming the endpoint and the likely cause', async () => {
    p = await portal();
    const session = createAwsSession({ region: 'us-east-1', endpoint: p.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const calls: [string, () => Promise<unknown>][] = [
      ['DescribeImages', () => session.ec2().describeImages({ Owners: ['self'] })],
      ['DescribeInstances', () => session.ec2().describeInstances({})],
      ['GetCallerIdentity', () => session.sts().getCallerIdentity({})],
      ['GetParameter', () => session.ssm().getParameter({ Name: '/x' })],
    ];
    for (const [op, call] of calls) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, op).to.be.instanceOf(AwsError);
      const e = err as AwsError;
      expect(e.awsCode, op).to.equal('NotAnAwsResponse');
      expect(e.message, op)
        .to.contain(p.endpoint)
        .and.match(/text\/html/)
        .and.match(/captive portal/);
      expect(e.hint, op).to.match(/captive portal or proxy/);
    }
    // Not retried: the page is an answer, not a transient failure.
    expect(p.hits()).to.equal(calls.length);
  });

  it('an XML page that is not the operation’s document, and a body that is not XML, are refused too', async () => {
    p = await portal('text/xml', '<?xml version="1.0"?><html><body>proxy error</body></html>');
    const session = createAwsSession({ region: 'us-east-1', endpoint: p.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const err = (await session
      .ec2()
      .describeImages({})
      .catch((e: unknown) => e)) as AwsError;
    expect(err.awsCode).to.equal('NotAnAwsResponse');
    expect(err.message).to.contain('its root element is <html>, not <DescribeImagesResponse>');
    expect(whyNotTheService('query-xml', 'DescribeImages', undefined, 'Welcome')).to.equal('it is not an XML document');
    expect(
      whyNotTheService('query-xml', 'DescribeImages', 'text/xml;charset=UTF-8', '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse xmlns="x">'),
    ).to.equal(undefined);
    expect(whyNotTheService('json', 'GetParameter', 'application/x-amz-json-1.1', '{"Parameter":{}}')).to.equal(undefined);
    expect(whyNotTheService('json', 'GetParameter', 'application/x-amz-json-1.1', '<html>')).to.equal('it is not a JSON object');
  });

  it('audit: not clean — says nothing was audited and exits 5', async () => {
    p = await portal();
    const r = await winami(p.endpoint, ['audit', '--regions', 'us-east-1', '--format', 'table']);
    expect(r.code, r.stderr).to.equal(ExitCode.AWS);
    expect(r.stdout).to.match(/^NOTHING WAS AUDITED/);
    expect(r.stdout).to.match(/Not audited \(1\):[\s\S]*captive portal/);
    expect(r.stderr).to.contain('nothing was audited');
    const json = await winami(p.endpoint, ['audit', '--regions', 'us-east-1', '--format', 'json']);
    expect(json.code).to.equal(ExitCode.AWS);
    const result = JSON.parse(json.stdout) as { partial: boolean; coverage: { audited: number } };
    expect(result.partial).to.equal(true);
    expect(result.coverage.audited).to.equal(0);
  });

  it('verify: an error naming the endpoint, not "the image does not exist"', async () => {
    p = await portal();
    const r = await winami(p.endpoint, ['verify', 'ami-0123456789abcdef0']);
    expect(r.code, r.stdout + r.stderr).to.equal(ExitCode.AWS);
    expect(r.stdout)
      .to.contain('ERROR')
      .and.contain(p.endpoint)
      .and.match(/captive portal/);
    expect(r.stdout).not.to.match(/does not exist|not found/i);
  });

  it('bake: the credentials check fails with exit 5 and creates nothing', async () => {
    p = await portal();
    const r = await winami(p.endpoint, ['bake', configFor('2022'), '--json', '--no-smoke-test']);
    expect(r.code, r.stdout.slice(-2000) + r.stderr).to.equal(ExitCode.AWS);
    expect(r.stdout + r.stderr).to.match(/GetCallerIdentity failed: NotAnAwsResponse[\s\S]*captive portal/);
    expect(r.stdout).not.to.contain('bake.resource.created');
  });
});

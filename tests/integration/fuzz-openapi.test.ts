/**
 * The served OpenAPI document under a schema fuzzer: schemathesis generates requests from
 * /openapi.json, valid and invalid, as each role, against a real server and worker with a database
 * and Temporal namespace of their own (the fuzzer rewrites the policy, the calendar and the
 * routing table, which the other files read). A run fails on any 5xx, any status, media type,
 * header or body the document does not describe, and any request the document forbids that the
 * server accepts. Bounded for CI: a fixed seed, few examples per operation, one worker.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../domain/ticket';
import { findOnPath } from '../../platform/temporal';
import { startSystem, type TestSystem } from '../setup/system';

const CLI = findOnPath('schemathesis') ?? findOnPath('st');
const INSTALL_HINT = 'schemathesis is not installed: run `pip install schemathesis` (.ci/run does) and put its `schemathesis` command on PATH';

/** What every response must satisfy; positive_data_acceptance is left out, as an unknown id is rightly a 404 or 422. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
];
/** The longest one role's run may take on a busy 2-core machine. */
const RUN_TIMEOUT_MS = 8 * 60_000;

let sys: TestSystem;
/** where schemathesis keeps its caches (.hypothesis, .schemathesis), out of the working tree */
let workDir: string;
beforeAll(async () => {
  sys = await startSystem({ isolated: true });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-fuzz-'));
});
afterAll(async () => {
  await sys?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/**
 * Ids that exist, for the path parameters of those names, so that the actions and admin writes
 * are fuzzed on a real ticket, unit and entry rather than answered 404 (schemathesis reads
 * schemathesis.toml from its working directory).
 */
async function pinExistingIds(): Promise<void> {
  const ticket = await sys.call('POST', '/v1/tickets', {
    key: await sys.key('agent'),
    body: { channel: 'phone', content: '红旗区向阳小区3号楼停水两天了', regionCode: '410702', disposition: { action: 'dispatch', unitId: 'xx-water' } },
  });
  expect(ticket.status).toBe(201);
  const parameters = { 'path.id': ticket.body.id, 'path.unitId': 'xx-water', 'path.entryId': 'kb-social-card-apply' };
  fs.writeFileSync(
    path.join(workDir, 'schemathesis.toml'),
    `[parameters]\n${Object.entries(parameters).map(([name, value]) => `"${name}" = "${value}"`).join('\n')}\n`,
  );
}

/** One schemathesis run with this API key; its report is what a failing test shows. */
function fuzz(apiKey: string): Promise<{ exitCode: number; report: string }> {
  const args = [
    'run',
    `${sys.baseUrl}/openapi.json`,
    '--header',
    `Authorization: Bearer ${apiKey}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'coverage,fuzzing',
    '--max-examples',
    '10',
    // the same cases every run
    '--generation-deterministic',
    // schemathesis's Python crashes now and then compiling patterns on several threads at once
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--no-color',
  ];
  return new Promise((resolve) => {
    execFile(CLI!, args, { cwd: workDir, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const exitCode = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ exitCode, report: `${stdout}${stderr}` });
    });
  });
}

describe('the OpenAPI document holds under a schema fuzzer', () => {
  for (const role of ROLES) {
    it(
      `as ${role}: no 5xx, no response the document does not describe, no forbidden request accepted`,
      async () => {
        if (!CLI) expect.fail(INSTALL_HINT);
        const key = role === 'admin' ? sys.adminKey : await sys.key(role, role === 'unit' ? 'xx-water' : undefined);
        await pinExistingIds();
        const { exitCode, report } = await fuzz(key);
        expect(exitCode, report).toBe(0);
      },
      RUN_TIMEOUT_MS + 30_000,
    );
  }
});

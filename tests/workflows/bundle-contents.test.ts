/**
 * What every ticket workflow carries: the SDK evaluates the bundle's modules in each workflow's
 * context unless they are preloaded (platform/worker.ts shares ours), and a library the bundle
 * pulls in costs memory and CPU in the workflow thread either way. Validation (zod) and the
 * OpenAPI registry belong to the API; the workflows import only types from them.
 */
import { describe, expect, it } from 'vitest';
import { runBundle } from '../setup/bundle';

describe('the workflow bundle', () => {
  const { code } = runBundle().workflowBundle;
  it('holds no validation or OpenAPI library, only types of them', () => {
    const packages = new Set([...code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((m) => m[1]));
    expect([...packages].filter((p) => /^(zod|@asteasolutions\/zod-to-openapi|drizzle-orm|postgres|express)$/.test(p!))).toEqual([]);
    expect(packages.has('@temporalio/workflow')).toBe(true);
  });
  it('preloads the workflows and the request-id interceptors, so a new workflow does not load them again', () => {
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    const preloaded = [...preload.matchAll(/__webpack_require__\([^)]*"([^"]+)"\)/g)].map((m) => m[1]);
    expect(preloaded).toEqual(['./workflows/index.ts', './workflows/request-id-interceptors.ts']);
  });
  it('stays small: under 2.5 MB', () => {
    expect(code.length).toBeLessThan(2_500_000);
  });
});

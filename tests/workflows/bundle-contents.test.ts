/**
 * What every ticket workflow carries: the workflow bundle is evaluated afresh in each workflow's
 * context, so a library it pulls in costs memory and CPU per open ticket. Validation (zod) and the
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
  it('stays small: under 2.5 MB', () => {
    expect(code.length).toBeLessThan(2_500_000);
  });
});

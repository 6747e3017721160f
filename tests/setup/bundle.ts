import fs from 'node:fs';
import { inject } from 'vitest';

/** The workflow bundle the run's global setup built once, for the workers of the tests. */
export function runBundle(): { workflowBundle: { code: string } } {
  return { workflowBundle: { code: fs.readFileSync(inject('workflowBundlePath'), 'utf8') } };
}

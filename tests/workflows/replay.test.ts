/**
 * Replays recorded histories of ticket lives (tests/histories/*.json) with the current workflow
 * code. A failure means a change to the workflow would break tickets already running: guard the
 * change with `patched()` instead of re-recording.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { runBundle } from '../setup/bundle';

const dir = path.resolve(__dirname, '../histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded ticket histories replay with the current workflow code', () => {
  it('has histories to replay', () => {
    expect(histories).toEqual(
      expect.arrayContaining([
        'rehandled-then-satisfied.json',
        'timers-and-extension.json',
        'returned-merged-finalized.json',
        // recorded before the proposal was adopted on answers: replays past that patched() guard
        'answered-unclassified.json',
        // steps refused for their text, recorded storable; the proposal adopted on an answer
        'refused-text-answered-unclassified.json',
        // notifications recorded in the outbox and delivered by workflows of their own
        'outbox-notifications.json',
      ]),
    );
  });

  it.each(histories)('%s', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    // under its file's name: the outbox's life was recorded with that workflow id, from which its delivery workflows' ids derive
    await expect(Worker.runReplayHistory(runBundle(), history, path.basename(file, '.json'))).resolves.toBeUndefined();
  });
});

/**
 * Replays recorded histories of ticket lives (tests/histories/*.json) with the current workflow
 * code. A failure means a change to the workflow would break tickets already running: guard the
 * change with `patched()` instead of re-recording.
 *
 * The histories recorded before payloads were sealed stand for tickets started before an
 * installation had a key: they replay with plaintext accepted (PAYLOAD_ACCEPT_PLAINTEXT, the
 * migration window). The sealed ones (`sealed-*.json`) replay with the test keys and plaintext
 * refused; `sealed-old-key-*` was sealed with the key before the rotation and still opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { dataConverter, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../platform/payload-codec';
import { runBundle } from '../setup/bundle';
import { CURRENT_TEST_KEY, OLD_TEST_KEY, TEST_SEALING } from '../setup/keys';

const dir = path.resolve(__dirname, '../histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
/** recorded in plain payloads, before the codec */
const PLAINTEXT = [
  'rehandled-then-satisfied.json',
  'timers-and-extension.json',
  'returned-merged-finalized.json',
  // recorded before the proposal was adopted on answers: replays past that patched() guard
  'answered-unclassified.json',
  // steps refused for their text, recorded storable; the proposal adopted on an answer
  'refused-text-answered-unclassified.json',
  // notifications recorded in the outbox and delivered by workflows of their own
  'outbox-notifications.json',
];

const read = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
const replay = (file: string, acceptPlaintext: boolean) =>
  // under its file's name: the outbox's lives were recorded with that workflow id, from which their delivery workflows' ids derive
  Worker.runReplayHistory({ ...runBundle(), dataConverter: dataConverter({ ...TEST_SEALING, acceptPlaintext }, 'mark') }, read(file), path.basename(file, '.json'));
/** the key ids of the workflow input of a history */
const inputKeyIds = (file: string) =>
  (read(file).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads ?? []).map((p) =>
    Buffer.from(p.metadata![Buffer.from(p.metadata!.encoding!).toString() === ENCRYPTED_ENCODING ? KEY_ID_METADATA : 'encoding']!).toString(),
  );

describe('recorded ticket histories replay with the current workflow code', () => {
  it('has histories to replay, from before the codec, sealed with the current key, and sealed with the key before the rotation', () => {
    expect(histories).toEqual(
      expect.arrayContaining([
        ...PLAINTEXT,
        'sealed-rehandled-then-satisfied.json',
        'sealed-timers-and-extension.json',
        'sealed-returned-merged-finalized.json',
        'sealed-refused-text-answered-unclassified.json',
        'sealed-outbox-notifications.json',
        // a provincial ticket handed back to its platform when signed, replied and closed
        'sealed-platform-hand-back.json',
        'sealed-old-key-rehandled-then-satisfied.json',
      ]),
    );
    expect(inputKeyIds('rehandled-then-satisfied.json')).toEqual(['json/plain']);
    expect(inputKeyIds('sealed-rehandled-then-satisfied.json')).toEqual([CURRENT_TEST_KEY.id]);
    expect(inputKeyIds('sealed-old-key-rehandled-then-satisfied.json')).toEqual([OLD_TEST_KEY.id]);
  });

  it('the platform hand-back history starts a delivery of each hand-back under the platform, beside the unit notice', () => {
    const children = read('sealed-platform-hand-back.json')
      .events!.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
      .filter((id): id is string => Boolean(id));
    expect(children.map((id) => id.split(':').slice(2).join(':'))).toEqual([
      'dispatched:xx-water',
      'signed:provincial_platform',
      'replied:provincial_platform',
      'closed:provincial_platform',
    ]);
  });

  it.each(histories.filter((f) => PLAINTEXT.includes(f)))('%s (plain, replayed with plaintext accepted)', async (file) => {
    await expect(replay(file, true)).resolves.toBeUndefined();
  });

  it.each(histories.filter((f) => !PLAINTEXT.includes(f)))('%s (sealed, replayed with plaintext refused)', async (file) => {
    await expect(replay(file, false)).resolves.toBeUndefined();
  });

  it('a history from before the codec does not replay once plaintext is refused: the migration switch is what lets it run', async () => {
    await expect(replay('rehandled-then-satisfied.json', false)).rejects.toThrow();
  });
});

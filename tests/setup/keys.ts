/**
 * The payload keys of the tests and the recorded histories: fixed TEST keys, derived from their
 * names so anyone can see they protect nothing. Never an installation's key (README → Payload
 * encryption). The older one stands for a key rotated out of sealing, still listed to open.
 */
import crypto from 'node:crypto';
import type { PayloadKey, PayloadSealing } from '../../platform/payload-codec';

const testKey = (id: string): PayloadKey => ({ id, key: crypto.createHash('sha256').update(`hotline TEST payload key ${id}`).digest() });

export const OLD_TEST_KEY = testKey('test-2026-06');
export const CURRENT_TEST_KEY = testKey('test-2026-12');

/** The installation of the tests: sealing with the current key, opening both. */
export const TEST_SEALING: PayloadSealing = { keys: [CURRENT_TEST_KEY, OLD_TEST_KEY], acceptPlaintext: false };
/** Before the rotation: only the old key. */
export const OLD_TEST_SEALING: PayloadSealing = { keys: [OLD_TEST_KEY], acceptPlaintext: false };

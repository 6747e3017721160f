/**
 * The hand-back of a platform's ticket (domain/hand-back.ts) as the ticket workflow builds it, and
 * the platforms' endpoints as the configuration reads them (platform/config.ts).
 */
import { describe, expect, it } from 'vitest';
import { platformHandBack } from '../../../domain/hand-back';
import type { TicketState } from '../../../domain/lifecycle';
import { loadConfig, platformEndpoints } from '../../../platform/config';

const state = (over: Partial<TicketState> = {}): TicketState => ({
  id: '12345-20261203-000007',
  status: 'closed',
  channel: 'provincial_platform',
  caller: { name: '王先生', phone: '13912345678' },
  content: '省平台转办：路灯不亮',
  externalRef: { platform: 'provincial_platform', id: 'HA-2026-000123' },
  businessEnvironment: false,
  receivedAt: '2026-12-01T01:00:00.000Z',
  unitId: 'xx-lighting',
  coUnitIds: [],
  deadlines: {},
  nearDue: false,
  overdue: false,
  escalated: false,
  rehandleCount: 0,
  urgeCount: 0,
  signOverdue: false,
  callbackMissed: false,
  dissatisfiedCount: 0,
  returnCount: 0,
  mergedTickets: [],
  repeatOf: [],
  lastEventSeq: 9,
  ...over,
});

describe('a hand-back to the platform', () => {
  it("is addressed to the ticket's platform under its own number, keyed by the step, with nothing about the caller", () => {
    const n = platformHandBack(
      state({ reply: { result: 'resolved', reply: '已修复', at: '2026-12-02T02:00:00.000Z', unitId: 'xx-lighting', onTime: true }, satisfaction: 'satisfied', closeReason: 'satisfied', closedAt: '2026-12-03T03:00:00.000Z' }),
      'closed',
      '2026-12-03T03:00:01.000Z',
    )!;
    expect(n).toEqual({
      id: '12345-20261203-000007:9:closed:provincial_platform',
      ticketId: '12345-20261203-000007',
      unitId: null,
      target: { kind: 'platform', id: 'provincial_platform' },
      kind: 'closed',
      payload: {
        platform: 'provincial_platform',
        platformTicketId: 'HA-2026-000123',
        seq: 9,
        at: '2026-12-03T03:00:01.000Z',
        status: 'closed',
        unitId: 'xx-lighting',
        closeReason: 'satisfied',
        satisfaction: 'satisfied',
        closedAt: '2026-12-03T03:00:00.000Z',
        reply: { result: 'resolved', reply: '已修复', repliedAt: '2026-12-02T02:00:00.000Z' },
      },
    });
    expect(JSON.stringify(n)).not.toMatch(/13912345678|王先生/);
  });

  it('carries no satisfaction when no callback closed it, and the answer of an answered ticket', () => {
    const finalized = platformHandBack(state({ satisfaction: 'dissatisfied', closeReason: 'finalized' }), 'closed', '2026-12-03T00:00:00Z')!;
    expect(finalized.payload).not.toHaveProperty('satisfaction');
    const answered = platformHandBack(state({ status: 'answered', closeReason: 'answered', answer: '请到社保大厅办理', unitId: undefined }), 'closed', '2026-12-03T00:00:00Z')!;
    expect(answered.payload).toMatchObject({ closeReason: 'answered', answer: '请到社保大厅办理' });
  });

  it('is none for a ticket no platform handed over', () => {
    expect(platformHandBack(state({ channel: 'phone', externalRef: undefined }), 'signed', '2026-12-03T00:00:00Z')).toBeUndefined();
  });
});

describe("the platforms' endpoints", () => {
  it('are read from PROVINCIAL_/NATIONAL_PLATFORM_URL and _SECRETS, newest secret first; unset means none', () => {
    expect(loadConfig({}).platforms).toEqual({});
    expect(platformEndpoints({ PROVINCIAL_PLATFORM_URL: 'https://sheng.example.cn/12345/hand-back', PROVINCIAL_PLATFORM_SECRETS: 'new-secret, old-secret' })).toEqual({
      provincial_platform: { url: 'https://sheng.example.cn/12345/hand-back', secrets: ['new-secret', 'old-secret'] },
    });
  });

  it('refuse a URL without a secret, a secret without a URL, and what is no http(s) URL, naming the variable', () => {
    expect(() => platformEndpoints({ NATIONAL_PLATFORM_URL: 'https://gov.example.cn/x' })).toThrow('NATIONAL_PLATFORM_URL needs NATIONAL_PLATFORM_SECRETS');
    expect(() => platformEndpoints({ PROVINCIAL_PLATFORM_SECRETS: 's' })).toThrow('PROVINCIAL_PLATFORM_SECRETS is set without PROVINCIAL_PLATFORM_URL');
    expect(() => platformEndpoints({ PROVINCIAL_PLATFORM_URL: 'not a url', PROVINCIAL_PLATFORM_SECRETS: 's' })).toThrow("PROVINCIAL_PLATFORM_URL: 'not a url' is not a URL");
    expect(() => platformEndpoints({ PROVINCIAL_PLATFORM_URL: 'ftp://x.example.cn/', PROVINCIAL_PLATFORM_SECRETS: 's' })).toThrow('PROVINCIAL_PLATFORM_URL must be an http(s) URL');
  });
});

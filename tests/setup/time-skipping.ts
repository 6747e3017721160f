/**
 * A time-skipping Temporal test environment with a worker whose activities are replaced by
 * in-memory fakes, for workflow tests that need no Postgres.
 */
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { TicketEvent } from '../../activities/tickets';
import type { OutboxNotification } from '../../activities/notifications';
import { admissionOf, mayAutoDispatch, summarize } from '../../activities/intake';
import { dataFailure } from '../../activities/data-errors';
import { hasUnstorableText } from '../../domain/storable';
import { DEMO_ROUTING_RULES, classify, route } from '../../domain/classifier';
import { starterClassifierData } from '../../activities/classifier-model';
import { DEMO_UNITS } from '../../db/seed/demo-city';
import { WorkingDayCalendar } from '../../domain/calendar';
import { addDuration, callbackDeadline, dispatchDeadlines, extendedDeadlines } from '../../domain/deadlines';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';
import type { createActivities } from '../../activities';
import type { TicketState } from '../../domain/lifecycle';
import type { Actor, NewTicket } from '../../domain/ticket';
import { ensureSearchAttributes, findOnPath } from '../../platform/temporal';
import { TICKET_WORKFLOW } from '../../workflows/messages';
import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../platform/worker';
import type { TicketWorkflowInput } from '../../workflows/ticket';
import { dataConverter, type PayloadSealing } from '../../platform/payload-codec';
import { TEST_SEALING } from './keys';

/** The activities the ticket workflow calls, which the fakes stand in for. */
type Activities = Pick<
  ReturnType<typeof createActivities>,
  | 'recordEvent'
  | 'recordSteps'
  | 'intake'
  | 'admit'
  | 'routeFor'
  | 'dispatchDeadlines'
  | 'extendedDeadlines'
  | 'callbackDeadline'
  | 'issueSupervisionNotice'
  | 'recordNotification'
  | 'webhookDeliveryPolicy'
  | 'deliverNotification'
  | 'markNotificationFailed'
>;

export const agent: Actor = { role: 'agent', id: 'agent-key' };
export const supervisor: Actor = { role: 'supervisor', id: 'supervisor-key' };
export const unitActor = (unitId: string): Actor => ({ role: 'unit', id: `${unitId}-key`, unitId });

/** What the fake activities recorded: the trail per ticket, keyed by sequence number. */
export class FakeStore {
  readonly events = new Map<string, Map<number, TicketEvent>>();
  readonly snapshots = new Map<string, TicketState>();
  readonly notices: { id: string; ticketId: string; kind: string; unitId?: string }[] = [];
  /** the outbox: recorded notifications, and what became of their delivery */
  readonly notifications = new Map<string, OutboxNotification>();
  readonly deliveries = new Map<string, 'delivered' | { failed: string }>();
  /** the policy versions the fake knows; the last is current */
  readonly policies: Policy[] = [DEFAULT_POLICY];
  calendar = new WorkingDayCalendar();
  /** which open tickets a new one repeats; none unless a test says so */
  repeatOf: (ticket: NewTicket) => string[] = () => [];

  policyAt(version?: number): { version: number; policy: Policy } {
    const v = version ?? this.policies.length - 1;
    return { version: v, policy: this.policies[v]! };
  }

  trail(ticketId: string): TicketEvent[] {
    return [...(this.events.get(ticketId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
  types(ticketId: string): string[] {
    return this.trail(ticketId).map((e) => e.type);
  }
}

/** As Postgres does, and the activities then fail for good (activities/data-errors.ts): NUL and lone surrogates. */
function refuseUnstorable(written: unknown): void {
  if (hasUnstorableText(written)) throw dataFailure({ code: '22P05', message: 'unsupported Unicode escape sequence' });
}

export async function createTimeSkippingEnv(
  overrides: Partial<Activities> = {},
  /** the run's prebuilt bundle (tests/setup/bundle.ts) in tests; the history recorder bundles itself */
  workflows: { workflowBundle: { code: string } } | { workflowsPath: string },
  /** the payload keys of the environment's client and worker; the recorder seals a history with an older key */
  sealing: PayloadSealing = TEST_SEALING,
) {
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
  const path = process.env.TEMPORAL_TEST_SERVER_PATH ?? findOnPath('temporal-test-server');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : { type: 'cached-download' } },
    client: { dataConverter: dataConverter(sealing, 'throw') },
  });
  await ensureSearchAttributes(env.client, 'default');
  const store = new FakeStore();
  /** What intake finds, with the starter model, the demo routing table and the store's repeats. */
  const findingsOf = ({ ticket, receivedAt }: { ticket: NewTicket; receivedAt: string }) => {
    const { policy } = store.policyAt();
    const data = starterClassifierData();
    const proposal = classify({ content: ticket.content, address: ticket.address }, data);
    const routed = route(proposal.topic.value, ticket.regionCode ?? proposal.regionCode.value, DEMO_ROUTING_RULES, DEMO_UNITS);
    const summary = summarize(proposal, routed);
    const repeatOf = store.repeatOf(ticket);
    return {
      proposal: summary,
      repeatOf,
      triageBy: addDuration(store.calendar, new Date(receivedAt), policy.triage).toISOString(),
      autoDispatch: mayAutoDispatch(policy, ticket.channel, summary, repeatOf, data.model),
    };
  };
  const activities: Activities = {
    async recordEvent({ event, snapshot }) {
      refuseUnstorable({ event, snapshot });
      const trail = store.events.get(event.ticketId) ?? new Map<number, TicketEvent>();
      trail.set(event.seq, event);
      store.events.set(event.ticketId, trail);
      const last = store.snapshots.get(event.ticketId);
      if (!last || last.lastEventSeq < snapshot.lastEventSeq) store.snapshots.set(event.ticketId, snapshot);
    },
    async dispatchDeadlines({ category, from, policyVersion }) {
      const { version, policy } = store.policyAt(policyVersion);
      return dispatchDeadlines(store.calendar, policy, version, category, new Date(from));
    },
    async extendedDeadlines({ category, policyVersion, dueBy, dispatchedAt, workingDays }) {
      const { policy } = store.policyAt(policyVersion);
      return extendedDeadlines(store.calendar, policy, category, { dueBy: new Date(dueBy), dispatchedAt: new Date(dispatchedAt) }, workingDays);
    },
    async callbackDeadline({ repliedAt, policyVersion }) {
      return callbackDeadline(store.calendar, store.policyAt(policyVersion).policy, new Date(repliedAt));
    },
    async issueSupervisionNotice(n) {
      refuseUnstorable(n);
      if (!store.notices.some((x) => x.id === n.id)) store.notices.push(n);
    },
    async intake(args) {
      return findingsOf(args);
    },
    async admit(args) {
      const { version, policy } = store.policyAt();
      const findings = findingsOf(args);
      const routeFor = (topic: string) => route(topic, args.ticket.regionCode ?? findings.proposal.regionCode, DEMO_ROUTING_RULES, DEMO_UNITS);
      return admissionOf(
        args.ticket,
        findings,
        routeFor,
        (category) => dispatchDeadlines(store.calendar, policy, version, category, new Date(args.dispatchAt)),
        args.topic,
      );
    },
    async routeFor({ topic, regionCode }) {
      return route(topic, regionCode ?? null, DEMO_ROUTING_RULES, DEMO_UNITS);
    },
    async recordSteps({ events, snapshot }) {
      // each step as recordEvent writes it (a test's override of recordEvent applies to both)
      for (const event of events) await activities.recordEvent({ event, snapshot });
    },
    async recordNotification(n) {
      refuseUnstorable(n);
      if (!store.notifications.has(n.id)) store.notifications.set(n.id, n);
      return 'deliver';
    },
    async webhookDeliveryPolicy() {
      return { maxAttempts: 3, initialIntervalSeconds: 1, maximumIntervalSeconds: 1, timeoutMs: 1_000 };
    },
    async deliverNotification({ id }) {
      store.deliveries.set(id, 'delivered');
      return 'delivered';
    },
    async markNotificationFailed({ id, error }) {
      store.deliveries.set(id, { failed: error });
    },
    ...overrides,
  };
  const taskQueue = `wf-${crypto.randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities,
    dataConverter: dataConverter(sealing, 'mark'),
    ...workflows,
  });
  const running = worker.run();

  return {
    env,
    store,
    /** `workflowId`: a fixed one, for a recorded history whose commands name it (the notifications' delivery workflows); `topic`: the channel's (Open311's service code) */
    async startTicket(ticket: Partial<NewTicket> = {}, workflowId = `T-${crypto.randomUUID()}`, opts: { topic?: string } = {}): Promise<WorkflowHandle> {
      const input: TicketWorkflowInput = {
        ticket: { channel: 'phone', caller: { phone: '13800000000' }, content: '小区停水', businessEnvironment: false, ...ticket },
        receivedAt: new Date(await env.currentTimeMs()).toISOString(),
        actor: agent,
        ...opts,
      };
      return env.client.workflow.start(TICKET_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [input],
      });
    },
    async teardown() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

export type TimeSkippingEnv = Awaited<ReturnType<typeof createTimeSkippingEnv>>;

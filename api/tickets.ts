/**
 * The ticket endpoints. Creating a ticket starts its workflow; every action is a workflow update
 * that the workflow validates and applies; every read comes from the Postgres read model, after
 * the workflow has written the step, so a GET right after an action shows it.
 */
import crypto from 'node:crypto';
import type { Response } from 'express';
import { z } from '../domain/zod';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Db } from '../db/client';
import { allocateTicketId, findByExternalRef, findTicket, hasEventOfUpdate, listTickets, rowOfState, ticketEventsOf, visibleToUnit, type TicketRow } from '../db/tickets';
import { notificationsOfTicket } from '../db/notifications';
import { instantSchema } from '../domain/calendar';
import { ACTION_ACTORS, isOpen, type TicketAction, type TicketState } from '../domain/lifecycle';
import {
  CATEGORIES,
  CHANNELS,
  EXTERNAL_PLATFORMS,
  STATUSES,
  TICKET_TYPES,
  callbackSchema,
  extensionDecisionSchema,
  extensionRequestSchema,
  finalizeSchema,
  mergeSchema,
  returnDecisionSchema,
  returnRequestSchema,
  urgeSchema,
  newTicketSchema,
  noteSchema,
  progressSchema,
  regionCodeSchema,
  replySchema,
  text,
  ticketIdSchema,
  topicSchema,
  triageSchema,
  unitIdSchema,
  type NewTicket,
  type Role,
} from '../domain/ticket';
import {
  TICKET_WORKFLOW,
  callbackUpdate,
  extensionDecisionUpdate,
  extensionRequestUpdate,
  finalizeUpdate,
  mergeUpdate,
  returnDecisionUpdate,
  returnRequestUpdate,
  urgeUpdate,
  persistedUpdate,
  progressUpdate,
  rehandleUpdate,
  replyUpdate,
  searchAttributes,
  signUpdate,
  triageUpdate,
  type Acting,
} from '../workflows/messages';
import type { TicketWorkflowInput } from '../workflows/ticket';
import { actorOf, type Principal } from './auth';
import { assertReferencesExist, ticketRefs, unitRefs } from './references';
import { cursorCodec } from './cursor';
import { idempotentResource } from './idempotency';
import type { TemporalCalls } from './temporal-calls';
import { HttpError, conflict, forbidden, fromTemporal, isUnavailable, notFound, unprocessable } from './errors';
import { actionDuration } from '../platform/metrics';
import type { Api } from './route';
import { ticketPage, ticketView, toTicketSummary, toTicketView } from './views';

const READERS: Role[] = ['agent', 'supervisor', 'admin', 'unit'];

/** A platform's ticket number already names a ticket here (unique per platform). */
const conflictingExternalRef = (ticketId: string) =>
  new HttpError(409, 'external_ref_exists', `this platform's ticket is already ticket ${ticketId}`, [
    { path: 'externalRef.id', message: `already ticket ${ticketId}` },
  ]);

/** The Temporal update id of an action sent with an Idempotency-Key: the same for every retry. */
const updateIdOf = (principal: Principal, idempotencyKey: string) =>
  crypto.createHash('sha256').update(`${principal.id}\n${idempotencyKey}`).digest('hex');

const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z.object({
  status: z.enum(STATUSES).optional(),
  unitId: unitIdSchema.optional(),
  type: z.enum(TICKET_TYPES).optional(),
  topic: topicSchema.optional(),
  category: z.enum(CATEGORIES).optional(),
  regionCode: regionCodeSchema.optional(),
  channel: z.enum(CHANNELS).optional(),
  externalPlatform: z.enum(EXTERNAL_PLATFORMS).optional().describe("with externalId: the ticket a platform handed over under its number"),
  externalId: text(100).optional(),
  nearDue: booleanParam.optional(),
  overdue: booleanParam.optional(),
  escalated: booleanParam.optional(),
  businessEnvironment: booleanParam.optional(),
  from: instantSchema.optional().describe('received at or after'),
  to: instantSchema.optional().describe('received before'),
  q: text(200).optional().describe('text in content or address'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

/** Keyset position in the newest-first list. */
const ticketCursor = cursorCodec(z.object({ receivedAt: instantSchema, id: ticketIdSchema }));

export interface TicketDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** every Temporal call goes through it: within the action deadline, shed under overload */
  temporalCalls: TemporalCalls;
}

/** A real ticket of the demo city, for /docs: a complaint about night-time construction noise (建筑施工噪声). */
export const NEW_TICKET_EXAMPLE = {
  channel: 'phone',
  caller: { name: '王女士', phone: '13837312345' },
  content: '红旗区平原路与新中大道交叉口的工地每天夜里十一点以后还在施工，噪音很大，影响休息，请尽快处理。',
  address: '新乡市红旗区平原路与新中大道交叉口',
  regionCode: '410702',
  classification: { type: 'complaint', topic: '050201', category: 'C' },
} satisfies z.input<typeof newTicketSchema>;

/** The agent's decision for a ticket in triage: dispatched to the unit the routing table gives. */
export const TRIAGE_EXAMPLE = {
  classification: { type: 'complaint', topic: '050201', category: 'C' },
  disposition: { action: 'dispatch' },
} satisfies z.input<typeof triageSchema>;

/** What other front doors (Open311) reuse of the ticket endpoints. */
export interface TicketReception {
  /** `topic`: the channel's topic for a ticket without a classification (Open311's service code), for intake to classify with */
  receiveTicket(body: NewTicket, res: Response, topic?: string): Promise<string>;
}

export function ticketRoutes(api: Api, deps: TicketDeps): TicketReception {
  const { db, temporal, temporalCalls } = deps;

  /** The ticket as this principal may see it; a unit gets 404 for a ticket not its own. */
  async function visibleTicket(id: string, principal: Principal): Promise<TicketRow> {
    const row = await findTicket(db, id);
    if (!row || (principal.role === 'unit' && !visibleToUnit(row, principal.unitId!))) throw notFound(`ticket ${id}`);
    return row;
  }

  /** The ticket's row when it exists and is closed (its workflow has ended or is ending). */
  async function closedTicket(id: string): Promise<TicketRow | undefined> {
    const row = await findTicket(db, id);
    return row && !isOpen(row.status as TicketState['status']) ? row : undefined;
  }

  /** The ticket with its trail, as this principal may see it: the row given (the workflow's state after an action) or read. */
  async function render(id: string, principal: Principal, row?: TicketRow) {
    const [ticket, events, sent] = await Promise.all([
      row ?? visibleTicket(id, principal),
      ticketEventsOf(db, id),
      notificationsOfTicket(db, id, principal.role === 'unit' ? principal.unitId : undefined),
    ]);
    return toTicketView(ticket, events, sent, principal);
  }

  /** The answer to a step: the state the workflow returned once the step was recorded, with the trail. */
  const renderState = (state: TicketState, principal: Principal) => render(state.id, principal, rowOfState(state));

  /**
   * Sends an action to the ticket's workflow and waits until it is applied and recorded, timed by
   * name and result (hotline_action_duration_seconds); answers the workflow's state after it, or
   * undefined when a retry finds the action applied and the ticket closed since. The
   * Idempotency-Key doubles as the update id, so Temporal too applies a repeat only once.
   */
  async function act<B extends object>(
    id: string,
    principal: Principal,
    idempotencyKey: string | undefined,
    update: UpdateDefinition<TicketState, [Acting & B]>,
    args: B,
  ): Promise<TicketState | undefined> {
    const updateId = idempotencyKey ? updateIdOf(principal, idempotencyKey) : undefined;
    const apply = async (): Promise<TicketState | undefined> => {
      try {
        // a worker or a Temporal that does not answer turns into a 503 the client may retry (with
        // the same Idempotency-Key, the update is applied once), rather than a request that hangs
        return await temporalCalls.run(() =>
          temporal.workflow.getHandle(id).executeUpdate(update, { args: [{ ...args, actor: actorOf(principal) }], updateId }),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // a retry of an action that was applied, after which the workflow completed (e.g. a
          // satisfied callback closed the ticket): the trail has the step this update made
          if (updateId && (await hasEventOfUpdate(db, id, updateId))) return undefined;
          const closed = await closedTicket(id);
          if (closed) throw conflict(`cannot ${update.name} a ticket in status '${closed.status}': it is closed`, closed.status);
          throw notFound(`ticket ${id}`);
        }
        throw err;
      }
    };
    const timer = actionDuration.startTimer({ action: update.name });
    try {
      const state = await apply();
      timer({ result: 'ok' });
      return state;
    } catch (err) {
      timer({ result: fromTemporal(err)?.code ?? (isUnavailable(err) ? 'unavailable' : 'error') });
      throw err;
    }
  }

  /** An action by a unit: only on its own tickets; signing and replying only by the primary unit. */
  async function unitMayAct(id: string, principal: Principal, primaryOnly: boolean): Promise<void> {
    const row = await visibleTicket(id, principal);
    if (primaryOnly && row.unitId !== principal.unitId) {
      throw forbidden(`only the primary unit (${row.unitId}) may do this; '${principal.unitId}' co-handles the ticket`);
    }
  }

  /**
   * 受理: starts the ticket's workflow and, in the same call (update-with-start), waits until
   * intake is recorded; answers the workflow's state. The classifier runs once, in the workflow's
   * intake: a dispatch it cannot route is refused there (422, nothing recorded). Shared by POST
   * /v1/tickets and Open311's POST requests. `res.locals.workflowStarted` tells a caller whose
   * wait failed that the ticket will still come to exist.
   */
  async function receive(body: NewTicket, res: Response, topic?: string): Promise<{ id: string; state?: TicketState }> {
    const disposition = body.disposition;
    await assertReferencesExist(db, [...ticketRefs(body), ...(disposition?.action === 'dispatch' && disposition.unitId ? unitRefs('disposition', disposition.unitId, disposition.coUnitIds) : [])]);
    if (body.externalRef) {
      const existing = await findByExternalRef(db, body.externalRef.platform, body.externalRef.id);
      // a retry with the same Idempotency-Key is replayed before this; a second hand-over is not a new ticket
      if (existing) throw conflictingExternalRef(existing.id);
    }
    const principal = res.locals.principal;
    const receivedAt = new Date();
    const input: TicketWorkflowInput = { ticket: body, receivedAt: receivedAt.toISOString(), actor: actorOf(principal), ...(topic ? { topic } : {}) };
    // admitted before a ticket number is taken, so a request shed under overload uses none
    return temporalCalls.run(async () => {
      // a retry with the Idempotency-Key of an attempt that failed after starting gets the same ticket
      const id = (res.locals.ticketId = await idempotentResource(db, res, () => allocateTicketId(db, receivedAt)));
      // a retry whose ticket has closed since: starting it again would run a second workflow
      if (res.locals.idempotencyKey !== undefined && (await closedTicket(id))) return { id };
      const start = new WithStartWorkflowOperation(TICKET_WORKFLOW, {
        workflowId: id,
        taskQueue: deps.taskQueue,
        args: [input],
        // a retry of a start that got through finds its workflow and waits with it
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: searchAttributes.status, value: 'triage' },
          { key: searchAttributes.channel, value: body.channel },
        ],
      });
      try {
        const state = await temporal.workflow.executeUpdateWithStart(persistedUpdate, { startWorkflowOperation: start });
        res.locals.workflowStarted = true;
        return { id, state };
      } catch (err) {
        res.locals.workflowStarted = await start.workflowHandle().then(
          () => true,
          () => false,
        );
        // a retry whose ticket, answered or rejected at receipt, finished before this update landed
        if (res.locals.workflowStarted && fromTemporal(err) === undefined && (await closedTicket(id))) return { id };
        throw err;
      }
    });
  }

  api.endpoint({
    method: 'post',
    path: '/v1/tickets',
    operationId: 'createTicket',
    tag: 'tickets',
    summary: 'Receive a ticket (受理)',
    description:
      'Starts the ticket workflow. With a disposition the agent answers, rejects or dispatches it at once (a dispatch without `unitId` goes where the routing table sends it; 422 when no rule does); without one it waits in `triage`, or is dispatched automatically when the channel policy allows and the classifier is sure enough.',
    roles: ['agent'],
    body: newTicketSchema,
    examples: { body: NEW_TICKET_EXAMPLE },
    response: ticketView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      const { id, state } = await receive(body, res);
      res.setHeader('Location', `/v1/tickets/${id}`);
      return state ? renderState(state, res.locals.principal) : render(id, res.locals.principal);
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/tickets',
    operationId: 'listTickets',
    tag: 'tickets',
    summary: 'List tickets, newest first',
    description: 'A unit key sees only the tickets of its unit (primary or co-handling).',
    roles: READERS,
    query: listQuery,
    response: ticketPage,
    handler: async ({ query, res }) => {
      const principal = res.locals.principal;
      const { limit, cursor, from, to, ...filter } = query;
      const rows = await listTickets(
        db,
        {
          ...filter,
          from: from ? new Date(from) : undefined,
          to: to ? new Date(to) : undefined,
          visibleToUnitId: principal.role === 'unit' ? principal.unitId : undefined,
        },
        limit + 1,
        cursor ? ticketCursor.decode(cursor) : undefined,
      );
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => toTicketSummary(r, principal)),
        nextCursor: rows.length > limit ? ticketCursor.encode({ receivedAt: page.at(-1)!.receivedAt.toISOString(), id: page.at(-1)!.id }) : null,
      };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/v1/tickets/:id',
    operationId: 'getTicket',
    tag: 'tickets',
    summary: 'A ticket with its full event trail',
    roles: READERS,
    response: ticketView,
    handler: async ({ params, res }) => {
      res.locals.ticketId = params.id;
      return render(params.id!, res.locals.principal);
    },
  });

  /**
   * Every action on a ticket, from one table: its path, the update it sends (whose arguments are
   * the body's schema, workflows/messages.ts), and the checks that need the database first.
   * A unit acts only on its own tickets, and a primary-only action only as the primary unit.
   */
  const perform = async (action: TicketAction, id: string, res: Response, send: (key: string | undefined) => Promise<TicketState | undefined>) => {
    const principal: Principal = res.locals.principal;
    res.locals.ticketId = id;
    if (principal.role === 'unit') await unitMayAct(id, principal, ACTION_ACTORS[action].unit === 'primary');
    const state = await send(res.locals.idempotencyKey);
    return state ? renderState(state, principal) : render(id, principal);
  };

  type Registration = () => void;
  /** The OpenAPI tag of an action, by who takes it (the lifecycle's table): the agent's triage, a unit's, the center's. */
  const tagOf = (action: TicketAction) => (action === 'triage' ? 'tickets' : ACTION_ACTORS[action].roles.includes('unit') ? 'unit actions' : 'center actions');
  /** What every action's endpoint declares alike: POST on the ticket, idempotent, answering the ticket. */
  const actionEndpoint = (spec: { action: TicketAction; path: string; operationId: string; summary: string }) => ({
    method: 'post' as const,
    path: `/v1/tickets/:id/${spec.path}`,
    operationId: spec.operationId,
    tag: tagOf(spec.action),
    summary: spec.summary,
    roles: [...ACTION_ACTORS[spec.action].roles],
    response: ticketView,
    idempotent: true,
  });

  /** An action whose body is the update's argument (with the actor added). */
  function withBody<S extends z.ZodType<object>>(spec: {
    action: TicketAction;
    path: string;
    operationId: string;
    summary: string;
    update: UpdateDefinition<TicketState, [Acting & z.output<S>]>;
    body: S;
    examples?: { body: z.input<S> };
    check?: (body: z.output<S>, id: string) => Promise<void>;
  }): Registration {
    return () =>
      api.endpoint({
        ...actionEndpoint(spec),
        body: spec.body,
        examples: spec.examples,
        handler: ({ params, body, res }) =>
          perform(spec.action, params.id!, res, async (key) => {
            await spec.check?.(body, params.id!);
            return act(params.id!, res.locals.principal, key, spec.update, body);
          }),
      });
  }

  /** An action without a body. */
  function withoutBody(spec: { action: TicketAction; path: string; operationId: string; summary: string; update: UpdateDefinition<TicketState, [Acting]> }): Registration {
    return () =>
      api.endpoint({
        ...actionEndpoint(spec),
        handler: ({ params, res }) => perform(spec.action, params.id!, res, (key) => act(params.id!, res.locals.principal, key, spec.update, {})),
      });
  }

  const actions: Registration[] = [
    withBody({
      action: 'triage',
      path: 'triage',
      operationId: 'triageTicket',
      summary: "The agent's classification and decision for a ticket in triage",
      update: triageUpdate,
      body: triageSchema,
      examples: { body: TRIAGE_EXAMPLE },
      // named topics, districts and units must exist; a dispatch without a unit is routed by the workflow (422 when no rule matches)
      check: (b) =>
        assertReferencesExist(db, [
          ...ticketRefs(b),
          ...(b.disposition.action === 'dispatch' && b.disposition.unitId ? unitRefs('disposition', b.disposition.unitId, b.disposition.coUnitIds) : []),
        ]),
    }),
    withoutBody({ action: 'sign', path: 'sign', operationId: 'signTicket', summary: 'The unit signs for the ticket (签收)', update: signUpdate }),
    withBody({ action: 'progress', path: 'progress', operationId: 'reportProgress', summary: 'The unit reports progress', update: progressUpdate, body: progressSchema }),
    withBody({
      action: 'reply',
      path: 'reply',
      operationId: 'replyToTicket',
      summary: "The unit's completion reply (办结回复): the completion signal",
      update: replyUpdate,
      body: replySchema,
    }),
    withBody({
      action: 'returnRequest',
      path: 'return-request',
      operationId: 'requestReturn',
      summary: "Ask to return a ticket that is not the unit's responsibility (退单), within the return window",
      update: returnRequestUpdate,
      body: returnRequestSchema,
    }),
    withBody({
      action: 'extensionRequest',
      path: 'extension-request',
      operationId: 'requestExtension',
      summary: 'Ask once for more working days (延期), up to the policy maximum',
      update: extensionRequestUpdate,
      body: extensionRequestSchema,
    }),
    withBody({ action: 'callback', path: 'callback', operationId: 'recordCallback', summary: 'The callback result (回访)', update: callbackUpdate, body: callbackSchema }),
    withBody({
      action: 'rehandle',
      path: 'rehandle',
      operationId: 'rehandleTicket',
      summary: 'Back to the unit after a dissatisfied callback (重办)',
      update: rehandleUpdate,
      body: noteSchema,
    }),
    withBody({
      action: 'finalize',
      path: 'finalize',
      operationId: 'finalizeTicket',
      summary: 'Close although the citizen is dissatisfied (终结), with a reason',
      update: finalizeUpdate,
      body: finalizeSchema,
    }),
    withBody({
      action: 'returnDecision',
      path: 'return-decision',
      operationId: 'decideReturn',
      summary: "Decide a unit's return request: approve re-dispatches to `unitId` with fresh deadlines; refuse sends it back, clock running",
      update: returnDecisionUpdate,
      body: returnDecisionSchema,
      check: async (b) => {
        if (b.approve && b.unitId) await assertReferencesExist(db, unitRefs('', b.unitId, b.coUnitIds));
      },
    }),
    withBody({
      action: 'extensionDecision',
      path: 'extension-decision',
      operationId: 'decideExtension',
      summary: "Decide a unit's extension request: approve moves dueBy by the working days asked",
      update: extensionDecisionUpdate,
      body: extensionDecisionSchema,
    }),
    withBody({ action: 'urge', path: 'urge', operationId: 'urgeUnit', summary: 'Urge the unit (催办/督办)', update: urgeUpdate, body: urgeSchema }),
    withBody({
      action: 'merge',
      path: 'merge',
      operationId: 'mergeTicket',
      summary: 'Merge a repeat report into an open ticket (并单); its caller is called back with that ticket',
      update: mergeUpdate,
      body: mergeSchema,
      check: async (b, id) => {
        if (b.intoTicketId === id) throw unprocessable('intoTicketId', 'a ticket cannot be merged into itself');
        const target = await findTicket(db, b.intoTicketId);
        if (!target) throw unprocessable('intoTicketId', `ticket ${b.intoTicketId} does not exist`);
        if (!isOpen(target.status as TicketState['status'])) throw unprocessable('intoTicketId', `ticket ${b.intoTicketId} is '${target.status}', not open`);
      },
    }),
  ];
  for (const register of actions) register();

  return { receiveTicket: async (body, res, topic) => (await receive(body, res, topic)).id };
}

/**
 * The ticket endpoints. Creating a ticket starts its workflow; every action is a workflow update
 * that the workflow validates and applies; every read comes from the Postgres read model, after
 * the workflow has written the step, so a GET right after an action shows it.
 */
import crypto from 'node:crypto';
import type { Response } from 'express';
import { z } from '../domain/zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Db } from '../db/client';
import { allocateTicketId, findByExternalRef, findTicket, hasEventOfUpdate, listTickets, ticketEventsOf, visibleToUnit, type TicketRow } from '../db/tickets';
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
  type Disposition,
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
import { proposeFor, type ProposalInput } from '../activities/intake';
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
  receiveTicket(body: NewTicket, res: Response): Promise<string>;
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

  async function render(id: string, principal: Principal) {
    const row = await visibleTicket(id, principal);
    const [events, sent] = await Promise.all([ticketEventsOf(db, id), notificationsOfTicket(db, id, principal.role === 'unit' ? principal.unitId : undefined)]);
    return toTicketView(row, events, sent, principal);
  }

  /**
   * A dispatch goes to the unit named, or else to the route the routing table gives for the
   * ticket's text and region; every unit must exist. Returns the disposition with its unit.
   */
  async function resolveDisposition<D extends Disposition | undefined>(d: D, text: ProposalInput): Promise<D> {
    if (d?.action !== 'dispatch') return d;
    if (!d.unitId) {
      const { route } = await proposeFor(db, text);
      if (!route) throw unprocessable('disposition.unitId', 'no routing rule matches this ticket; name the unit to dispatch to');
      return { ...d, unitId: route.unitId, coUnitIds: d.coUnitIds ?? route.coUnitIds };
    }
    await assertReferencesExist(db, unitRefs('disposition', d.unitId, d.coUnitIds));
    return d;
  }

  /**
   * Sends an action to the ticket's workflow and waits until it is applied and recorded, timed by
   * name and result (hotline_action_duration_seconds). The Idempotency-Key doubles as the update
   * id, so Temporal too applies a repeat only once.
   */
  async function act<A extends Acting>(
    id: string,
    principal: Principal,
    idempotencyKey: string | undefined,
    update: UpdateDefinition<TicketState, [A]>,
    args: Omit<A, 'actor'>,
  ): Promise<void> {
    const updateId = idempotencyKey ? updateIdOf(principal, idempotencyKey) : undefined;
    const apply = async () => {
      try {
        // a worker or a Temporal that does not answer turns into a 503 the client may retry (with
        // the same Idempotency-Key, the update is applied once), rather than a request that hangs
        await temporalCalls.run(() =>
          temporal.workflow.getHandle(id).executeUpdate(update, { args: [{ ...args, actor: actorOf(principal) } as A], updateId }),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // a retry of an action that was applied, after which the workflow completed (e.g. a
          // satisfied callback closed the ticket): the trail has the step this update made
          if (updateId && (await hasEventOfUpdate(db, id, updateId))) return;
          const closed = await closedTicket(id);
          if (closed) throw conflict(`cannot ${update.name} a ticket in status '${closed.status}': it is closed`, closed.status);
        }
        throw err;
      }
    };
    const timer = actionDuration.startTimer({ action: update.name });
    try {
      await apply();
      timer({ result: 'ok' });
    } catch (err) {
      timer({ result: fromTemporal(err)?.code ?? (isUnavailable(err) ? 'unavailable' : 'error') });
      throw err;
    }
  }

  /** Who may take an update's action: the lifecycle's rule (domain/lifecycle.ts), which the workflow checks again. */
  const rolesFor = (update: { name: string }): Role[] => [...ACTION_ACTORS[update.name as TicketAction].roles];

  /** An action by a unit: only on its own tickets; signing and replying only by the primary unit. */
  async function unitMayAct(id: string, principal: Principal, primaryOnly: boolean): Promise<void> {
    const row = await visibleTicket(id, principal);
    if (primaryOnly && row.unitId !== principal.unitId) {
      throw forbidden(`only the primary unit (${row.unitId}) may do this; '${principal.unitId}' co-handles the ticket`);
    }
  }

  /**
   * 受理: starts the ticket's workflow and waits until its receipt is recorded; answers the ticket
   * number. Shared by POST /v1/tickets and Open311's POST requests. `res.locals.workflowStarted`
   * tells a caller whose wait failed that the ticket will still come to exist.
   */
  async function receiveTicket(body: NewTicket, res: Response): Promise<string> {
    await assertReferencesExist(db, ticketRefs(body));
    if (body.externalRef) {
      const existing = await findByExternalRef(db, body.externalRef.platform, body.externalRef.id);
      // a retry with the same Idempotency-Key is replayed before this; a second hand-over is not a new ticket
      if (existing) throw conflictingExternalRef(existing.id);
    }
    const disposition = await resolveDisposition(body.disposition, body);
    const principal = res.locals.principal;
    const receivedAt = new Date();
    const input: TicketWorkflowInput = { ticket: { ...body, disposition }, receivedAt: receivedAt.toISOString(), actor: actorOf(principal) };
    // admitted before a ticket number is taken, so a request shed under overload uses none
    const id = await temporalCalls.run(async () => {
      // a retry with the Idempotency-Key of an attempt that failed after starting gets the same ticket
      const id = (res.locals.ticketId = await idempotentResource(db, res, () => allocateTicketId(db, receivedAt)));
      if (res.locals.idempotencyKey !== undefined) {
        // a retry whose ticket has closed since: starting it again would run a second workflow
        if (await closedTicket(id)) return id;
      }
      const handle = await temporal.workflow
        .start(TICKET_WORKFLOW, {
          workflowId: id,
          taskQueue: deps.taskQueue,
          args: [input],
          typedSearchAttributes: [
            { key: searchAttributes.status, value: 'triage' },
            { key: searchAttributes.channel, value: body.channel },
          ],
        })
        .catch((err: unknown) => {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return temporal.workflow.getHandle(id);
          throw err;
        });
      res.locals.workflowStarted = true;
      await handle.executeUpdate(persistedUpdate).catch(async (err: unknown) => {
        // a ticket answered or rejected at receipt may finish its workflow before this update lands
        if (!(await closedTicket(id))) throw err;
      });
      return id;
    });
    return id;
  }

  api.endpoint({
    method: 'post',
    path: '/v1/tickets',
    operationId: 'createTicket',
    tag: 'tickets',
    summary: 'Receive a ticket (受理)',
    description:
      'Starts the ticket workflow. With a disposition the agent answers, rejects or dispatches it at once; without one it waits in `triage`.',
    roles: ['agent'],
    body: newTicketSchema,
    examples: { body: NEW_TICKET_EXAMPLE },
    response: ticketView,
    status: 201,
    idempotent: true,
    handler: async ({ body, res }) => {
      const id = await receiveTicket(body, res);
      res.setHeader('Location', `/v1/tickets/${id}`);
      return render(id, res.locals.principal);
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

  api.endpoint({
    method: 'post',
    path: '/v1/tickets/:id/triage',
    operationId: 'triageTicket',
    tag: 'tickets',
    summary: "The agent's classification and decision for a ticket in triage",
    roles: rolesFor(triageUpdate),
    body: triageSchema,
    examples: { body: TRIAGE_EXAMPLE },
    response: ticketView,
    idempotent: true,
    handler: async ({ params, body, res }) => {
      const id = (res.locals.ticketId = params.id!);
      const row = await visibleTicket(id, res.locals.principal);
      await assertReferencesExist(db, ticketRefs(body));
      const disposition = await resolveDisposition(body.disposition, {
        content: row.content,
        address: row.address ?? undefined,
        regionCode: row.regionCode ?? undefined,
      });
      await act(id, res.locals.principal, res.locals.idempotencyKey, triageUpdate, { ...body, disposition });
      return render(id, res.locals.principal);
    },
  });

  const unitActions = [
    { path: 'sign', operationId: 'signTicket', summary: 'The unit signs for the ticket (签收)', update: signUpdate, body: undefined },
    { path: 'progress', operationId: 'reportProgress', summary: 'The unit reports progress', update: progressUpdate, body: progressSchema },
    {
      path: 'reply',
      operationId: 'replyToTicket',
      summary: "The unit's completion reply (办结回复): the completion signal",
      update: replyUpdate,
      body: replySchema,
    },
    {
      path: 'return-request',
      operationId: 'requestReturn',
      summary: "Ask to return a ticket that is not the unit's responsibility (退单), within the return window",
      update: returnRequestUpdate,
      body: returnRequestSchema,
    },
    {
      path: 'extension-request',
      operationId: 'requestExtension',
      summary: 'Ask once for more working days (延期), up to the policy maximum',
      update: extensionRequestUpdate,
      body: extensionRequestSchema,
    },
  ] as const;
  for (const a of unitActions) {
    api.endpoint({
      method: 'post',
      path: `/v1/tickets/:id/${a.path}`,
      operationId: a.operationId,
      tag: 'unit actions',
      summary: a.summary,
      roles: rolesFor(a.update),
      body: a.body as z.ZodType | undefined,
      response: ticketView,
      idempotent: true,
      handler: async ({ params, body, res }) => {
        const id = (res.locals.ticketId = params.id!);
        await unitMayAct(id, res.locals.principal, ACTION_ACTORS[a.update.name as TicketAction].unit === 'primary');
        await act(id, res.locals.principal, res.locals.idempotencyKey, a.update as UpdateDefinition<TicketState, [Acting]>, body ?? {});
        return render(id, res.locals.principal);
      },
    });
  }

  /** Checks that need the database before the workflow is asked: named units and tickets must exist. */
  const knownUnit = async (b: { approve: boolean; unitId?: string; coUnitIds?: string[] }) => {
    if (b.approve && b.unitId) {
      await assertReferencesExist(db, unitRefs('', b.unitId, b.coUnitIds));
    }
  };
  const openTarget = async (b: { intoTicketId: string }, id: string) => {
    const target = await findTicket(db, b.intoTicketId);
    if (b.intoTicketId === id) throw unprocessable('intoTicketId', 'a ticket cannot be merged into itself');
    if (!target) throw unprocessable('intoTicketId', `ticket ${b.intoTicketId} does not exist`);
    if (!isOpen(target.status as TicketState['status'])) throw unprocessable('intoTicketId', `ticket ${b.intoTicketId} is '${target.status}', not open`);
  };

  const centerActions: {
    path: string;
    operationId: string;
    summary: string;
    update: UpdateDefinition<TicketState, [Acting]>;
    body: z.ZodType;
    check?: (body: never, id: string) => Promise<void>;
  }[] = [
    { path: 'callback', operationId: 'recordCallback', summary: 'The callback result (回访)', update: callbackUpdate as never, body: callbackSchema },
    {
      path: 'rehandle',
      operationId: 'rehandleTicket',
      summary: 'Back to the unit after a dissatisfied callback (重办)',
     
      update: rehandleUpdate as never,
      body: noteSchema,
    },
    {
      path: 'finalize',
      operationId: 'finalizeTicket',
      summary: 'Close although the citizen is dissatisfied (终结), with a reason',
     
      update: finalizeUpdate as never,
      body: finalizeSchema,
    },
    {
      path: 'return-decision',
      operationId: 'decideReturn',
      summary: "Decide a unit's return request: approve re-dispatches to `unitId` with fresh deadlines; refuse sends it back, clock running",
     
      update: returnDecisionUpdate as never,
      body: returnDecisionSchema,
      check: knownUnit as never,
    },
    {
      path: 'extension-decision',
      operationId: 'decideExtension',
      summary: "Decide a unit's extension request: approve moves dueBy by the working days asked",
     
      update: extensionDecisionUpdate as never,
      body: extensionDecisionSchema,
    },
    { path: 'urge', operationId: 'urgeUnit', summary: 'Urge the unit (催办/督办)', update: urgeUpdate as never, body: urgeSchema },
    {
      path: 'merge',
      operationId: 'mergeTicket',
      summary: 'Merge a repeat report into an open ticket (并单); its caller is called back with that ticket',
     
      update: mergeUpdate as never,
      body: mergeSchema,
      check: openTarget as never,
    },
  ];
  for (const a of centerActions) {
    api.endpoint({
      method: 'post',
      path: `/v1/tickets/:id/${a.path}`,
      operationId: a.operationId,
      tag: 'center actions',
      summary: a.summary,
      roles: rolesFor(a.update),
      body: a.body,
      response: ticketView,
      idempotent: true,
      handler: async ({ params, body, res }) => {
        const id = (res.locals.ticketId = params.id!);
        await visibleTicket(id, res.locals.principal);
        await a.check?.(body as never, id);
        await act(id, res.locals.principal, res.locals.idempotencyKey, a.update, body as object);
        return render(id, res.locals.principal);
      },
    });
  }

  return { receiveTicket };
}

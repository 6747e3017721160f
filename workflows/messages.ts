/**
 * The ticket workflow's messages, defined once and imported by the workflow and by the API.
 * Every action a person takes on a ticket is an update: the workflow validates it against the
 * lifecycle rules (a refusal becomes the API's 409) and answers once the step is in Postgres.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { TicketState } from '../domain/lifecycle';
import type {
  Actor,
  callbackSchema,
  extensionDecisionSchema,
  extensionRequestSchema,
  finalizeSchema,
  mergeSchema,
  noteSchema,
  progressSchema,
  replySchema,
  returnDecisionSchema,
  returnRequestSchema,
  triageSchema,
  urgeSchema,
} from '../domain/ticket';

export interface Acting {
  actor: Actor;
}

/** An update whose arguments are the action's request body (its zod schema's output) and the actor. */
type ActionUpdate<S extends z.ZodType> = UpdateDefinition<TicketState, [Acting & z.output<S>]>;
const action = <S extends z.ZodType>(name: string): ActionUpdate<S> => defineUpdate<TicketState, [Acting & z.output<S>]>(name);

export const triageUpdate = action<typeof triageSchema>('triage');
export const signUpdate = defineUpdate<TicketState, [Acting]>('sign');
export const progressUpdate = action<typeof progressSchema>('progress');
export const replyUpdate = action<typeof replySchema>('reply');
export const callbackUpdate = action<typeof callbackSchema>('callback');
export const rehandleUpdate = action<typeof noteSchema>('rehandle');
export const finalizeUpdate = action<typeof finalizeSchema>('finalize');
export const returnRequestUpdate = action<typeof returnRequestSchema>('returnRequest');
export const returnDecisionUpdate = action<typeof returnDecisionSchema>('returnDecision');
export const extensionRequestUpdate = action<typeof extensionRequestSchema>('extensionRequest');
export const extensionDecisionUpdate = action<typeof extensionDecisionSchema>('extensionDecision');
export const urgeUpdate = action<typeof urgeSchema>('urge');
export const mergeUpdate = action<typeof mergeSchema>('merge');
/** Sent by a repeat report's workflow to the open ticket it joins. */
export const mergedInSignal = defineSignal<[{ id: string; callerName?: string; callerPhone?: string }]>('mergedIn');
/** Answers once every step so far is persisted: the API calls it right after starting a ticket. */
export const persistedUpdate = defineUpdate<TicketState, []>('persisted');

export const stateQuery = defineQuery<TicketState>('state');

/** Custom search attributes, so admins can filter tickets in the Temporal UI. */
export const searchAttributes = {
  status: defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD),
  unitId: defineSearchAttributeKey('UnitId', SearchAttributeType.KEYWORD),
  category: defineSearchAttributeKey('Category', SearchAttributeType.KEYWORD),
  type: defineSearchAttributeKey('TicketType', SearchAttributeType.KEYWORD),
  topic: defineSearchAttributeKey('Topic', SearchAttributeType.KEYWORD),
  regionCode: defineSearchAttributeKey('RegionCode', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
  dueBy: defineSearchAttributeKey('DueBy', SearchAttributeType.DATETIME),
} as const;

export const TICKET_WORKFLOW = 'ticketWorkflow';
/** A notification's delivery (workflows/notification-delivery.ts); its workflow id is the notification's id. */
export const NOTIFICATION_DELIVERY_WORKFLOW = 'notificationDeliveryWorkflow';

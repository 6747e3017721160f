/**
 * The ticket workflow's messages, defined once and imported by the workflow and by the API.
 * Every action a person takes on a ticket is an update: the workflow validates it against the
 * lifecycle rules (a refusal becomes the API's 409) and answers once the step is in Postgres.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TicketState } from '../domain/lifecycle';
import type { Actor, CallbackOutcome, Classification, Disposition, ReplyResult } from '../domain/ticket';

export interface Acting {
  actor: Actor;
}

export const triageUpdate = defineUpdate<TicketState, [Acting & { classification?: Classification; disposition: Disposition }]>('triage');
export const signUpdate = defineUpdate<TicketState, [Acting]>('sign');
export const progressUpdate = defineUpdate<TicketState, [Acting & { note: string }]>('progress');
export const replyUpdate = defineUpdate<TicketState, [Acting & { result: ReplyResult; reply: string }]>('reply');
export const callbackUpdate = defineUpdate<TicketState, [Acting & { outcome: CallbackOutcome; note?: string }]>('callback');
export const rehandleUpdate = defineUpdate<TicketState, [Acting & { note: string }]>('rehandle');
export const finalizeUpdate = defineUpdate<TicketState, [Acting & { reason: string }]>('finalize');
export const returnRequestUpdate = defineUpdate<TicketState, [Acting & { reason: string; suggestedUnitId?: string }]>('returnRequest');
export const returnDecisionUpdate = defineUpdate<TicketState, [Acting & { approve: boolean; unitId?: string; coUnitIds?: string[]; note?: string }]>(
  'returnDecision',
);
export const extensionRequestUpdate = defineUpdate<TicketState, [Acting & { workingDays: number; reason: string }]>('extensionRequest');
export const extensionDecisionUpdate = defineUpdate<TicketState, [Acting & { approve: boolean; note?: string }]>('extensionDecision');
export const urgeUpdate = defineUpdate<TicketState, [Acting & { note: string }]>('urge');
export const mergeUpdate = defineUpdate<TicketState, [Acting & { intoTicketId: string }]>('merge');
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

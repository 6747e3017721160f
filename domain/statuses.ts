/**
 * A ticket's statuses, part of the vocabulary of ./ticket.ts (which re-exports them). Which
 * action leads from which to which is domain/lifecycle.ts.
 */
export const STATUSES = [
  'triage', // awaiting the agent's decision
  'answered', // closed, answered directly (直接答复)
  'rejected', // closed, out of scope (不予受理)
  'dispatched', // awaiting sign-off (待签收)
  'handling', // signed (办理中)
  'return_requested', // 退单申请
  'replied', // awaiting callback (待回访)
  'closed', // 办结
  'merged', // 并单
] as const;
export type TicketStatus = (typeof STATUSES)[number];

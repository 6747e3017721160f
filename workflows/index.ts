export { ticketWorkflow } from './ticket';
export { reportWorkflow } from './reports';

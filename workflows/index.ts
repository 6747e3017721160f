export { ticketWorkflow } from './ticket';
export { reportWorkflow } from './reports';
export { classifierTrainingWorkflow } from './classifier-training';

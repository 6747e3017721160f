export { ticketWorkflow } from './ticket';
export { reportWorkflow } from './reports';
export { notificationDeliveryWorkflow } from './notification-delivery';
export { classifierTrainingWorkflow } from './classifier-training';

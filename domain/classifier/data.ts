/** The sample city's classifier data without a model, for the API's defaults, the bench and the tests. */
import { DEMO_KNOWLEDGE_BASE } from './knowledge-base';
import { XINXIANG_REGIONS } from './regions';
import { TOPICS } from './taxonomy';
import type { ClassifierBase } from './train';

export const DEFAULT_CLASSIFIER_BASE: ClassifierBase = {
  topics: TOPICS,
  regions: XINXIANG_REGIONS,
  knowledgeBase: DEMO_KNOWLEDGE_BASE,
};

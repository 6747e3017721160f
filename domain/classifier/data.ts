/** The sample city's classifier data, for the API's defaults, the bench and the tests. */
import type { ClassifierData } from './classify';
import { DEMO_KNOWLEDGE_BASE } from './knowledge-base';
import { XINXIANG_REGIONS } from './regions';
import { TOPICS } from './taxonomy';
import { TOPIC_CUES } from './topic-cues';

export const DEFAULT_CLASSIFIER_DATA: ClassifierData = {
  topics: TOPICS,
  topicCues: TOPIC_CUES,
  regions: XINXIANG_REGIONS,
  knowledgeBase: DEMO_KNOWLEDGE_BASE,
};

/** The ticket classifier: taxonomy, classification, knowledge-base answers and routing. */
export { TOPICS, OTHER_TOPIC, topicLineage, type Topic } from './taxonomy';
export { classify, type ClassifierData, type ClassifierInput, type Proposal, type Scored } from './classify';
export { DEFAULT_CLASSIFIER_BASE } from './data';
export { parseCorpus } from './corpus';
export type { OutOfScopeKind } from './cues';
export { matchKnowledgeBase, rankKnowledgeBase, type KnowledgeBaseMatch } from './match-knowledge-base';
export { DEMO_KNOWLEDGE_BASE, type KnowledgeBaseEntry } from './knowledge-base';
export { route, regionLineage, type Route, type RoutingRule, type RoutingUnit } from './route';
export { DEMO_ROUTING_RULES } from './routing-rules';
export { XINXIANG_REGIONS, type District, type RegionGazetteer } from './regions';

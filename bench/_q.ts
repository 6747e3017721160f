import { starterClassifierData } from '../activities/classifier-model';
import { classify } from '../domain/classifier/classify';
const d = starterClassifierData();
for (const q of process.argv.slice(2)) { const p = classify({ content: q }, d); console.log(q, p.type.value, p.knowledgeBase?.entryId, p.knowledgeBase?.score); }

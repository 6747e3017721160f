/** The learned model: its fast scoring is wink's own odds, its gate reads the precision the policy asks. */
import winkNaiveBayes from 'wink-naive-bayes-text-classifier';
import { describe, expect, it } from 'vitest';
import { features } from '../../../domain/classifier/features';
import { compile, gateFor, odds, precisionCurve, type ModelArtifact } from '../../../domain/classifier/model';

describe('compiled scoring', () => {
  it("equals wink-naive-bayes-text-classifier's computeOdds", () => {
    const nb = winkNaiveBayes();
    nb.definePrepTasks([(tokens) => tokens]);
    nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
    const examples: Array<[string, string]> = [
      ['小区停水了一整天', 'water'],
      ['自来水发黄有味道', 'water'],
      ['停电了冰箱都化了', 'power'],
      ['家里没电了邻居也黑着', 'power'],
      ['老板拖欠工资三个月', 'wages'],
      ['工地包工头跑了工钱没给', 'wages'],
    ];
    for (const [text, label] of examples) nb.learn(features(text), label);
    nb.consolidate();
    const json = nb.exportJSON();
    const calibration = { temperature: 1, lengthPower: 0 };
    const artifact: ModelArtifact = {
      counts: { type: json, middle: json, minor: json, category: json, scope: json },
      calibration: { type: calibration, middle: calibration, minor: calibration, category: calibration, scope: calibration },
      precision: { type: [], topic: [], category: [], dispatch: [] },
    };
    const field = compile('t', artifact).fields.middle;
    for (const text of ['俺家停点了咋整', '工资咋还不发', '水龙头没水']) {
      const tokens = features(text);
      const ours = odds(field, tokens).odds;
      for (const [label, value] of nb.computeOdds(tokens)) {
        expect(ours.get(field.labels.indexOf(label)), `${text} ${label}`).toBeCloseTo(value, 9);
      }
    }
  });
});

describe('the auto-dispatch gate', () => {
  const outcomes = [
    { confidence: 0.99, right: true },
    { confidence: 0.98, right: true },
    { confidence: 0.95, right: true },
    { confidence: 0.9, right: false },
    { confidence: 0.85, right: true },
    { confidence: 0.5, right: false },
  ];

  it('reads the lowest confidence at which every stricter gate is precise enough', () => {
    const curve = precisionCurve(outcomes);
    expect(gateFor(curve, 0.97)).toBe(0.95);
    // at 0.85 four of five are right (0.8), but the stricter 0.9 gate has three of four (0.75): the envelope keeps 0.75
    expect(gateFor(curve, 0.75)).toBe(0.85);
    expect(gateFor(curve, 0.8)).toBe(0.95);
  });

  it('closes (above 1) when no confidence reaches the precision', () => {
    expect(gateFor(precisionCurve([{ confidence: 0.99, right: false }]), 0.9)).toBeGreaterThan(1);
  });
});

/** The part of wink-naive-bayes-text-classifier's API the classifier uses (the package ships no types). */
declare module 'wink-naive-bayes-text-classifier' {
  interface NaiveBayesTextClassifier {
    definePrepTasks(tasks: Array<(input: string[]) => string[]>): number;
    defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    learn(input: string[], label: string): boolean;
    consolidate(): boolean;
    computeOdds(input: string[]): Array<[string, number]>;
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  function winkNaiveBayes(): NaiveBayesTextClassifier;
  export default winkNaiveBayes;
}

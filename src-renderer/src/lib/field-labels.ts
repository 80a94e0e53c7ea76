// Config paths in the words the forms use: validation speaks in paths (`optimizer.lr`, the CLI's and the
// store's names), a researcher reads "learning rate". The forms show the raw text as a tooltip for CLI users.
const LABELS: Record<string, string> = {
  'optimizer.lr': 'learning rate',
  'optimizer.weightDecay': 'weight decay',
  'optimizer.beta1': 'β1',
  'optimizer.beta2': 'β2',
  'optimizer.eps': 'optimizer epsilon',
  'optimizer betas': 'β1 and β2',
  'schedule.warmupEpochs': 'warm-up epochs',
  'schedule.minLr': 'minimum learning rate',
  testBatchSize: 'test batch size',
  batchSize: 'batch size',
  labelSmoothing: 'label smoothing',
  limitTrain: 'training subset',
  limitTest: 'test subset',
  'noise.site.block': 'noise site block',
  'noise.site.stage': 'noise site stage',
  'noise.skipFirstToken': '"skip the class token"',
  'noise.strength': 'noise strength',
  'noise.alpha': 'noise α',
  'noise.prob': 'noise probability',
  'noise.std': 'noise standard deviation',
  'noise.mean': 'noise mean',
};

const KEYS = Object.keys(LABELS).sort((a, b) => b.length - a.length);
const PATTERN = new RegExp(`(?<![\\w.])(${KEYS.map((k) => k.replace(/\./g, '\\.')).join('|')})(?![\\w.])`, 'g');

/** A validation problem with every known config path replaced by its label (the raw text is the caller's tooltip). */
export function inWords(problem: string): string {
  return problem.replace(PATTERN, (path) => LABELS[path]);
}

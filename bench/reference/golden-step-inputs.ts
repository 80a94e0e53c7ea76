// Writes the inputs of the golden first steps (test/helpers/golden-step.ts) for bench/reference/golden_step.py:
//   node --import tsx bench/reference/golden-step-inputs.ts DIR   -> DIR/<case>.safetensors
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../src-main/data/mnist';
import { goldenCases, goldenInputs } from '../../test/helpers/golden-step';

const out = process.argv[2];
if (!out) throw new Error('usage: golden-step-inputs.ts DIR');
await tf.setBackend('cpu');
mkdirSync(out, { recursive: true });
const data = loadMnist();
for (const c of goldenCases(data)) {
  const { bytes, sha256 } = await goldenInputs(c.config, data);
  writeFileSync(join(out, `${c.name}.safetensors`), bytes);
  console.log(`${c.name}: ${bytes.length} bytes, sha256 ${sha256}`);
}

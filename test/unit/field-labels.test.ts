// Validation problems in the form's words: labels instead of config paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inWords } from '../../src-renderer/src/lib/field-labels';

test('known config paths read as the form labels; unknown text is left alone', () => {
  assert.equal(inWords('optimizer.lr must be in (0, 10] (got 0)'), 'learning rate must be in (0, 10] (got 0)');
  assert.equal(inWords('schedule.minLr must be in [0, optimizer.lr] (got 1)'), 'minimum learning rate must be in [0, learning rate] (got 1)');
  assert.equal(inWords('testBatchSize must be a positive integer'), 'test batch size must be a positive integer');
  assert.equal(inWords('batchSize must be a positive integer'), 'batch size must be a positive integer');
  assert.equal(inWords('optimizer betas must be in [0, 1)'), 'β1 and β2 must be in [0, 1)');
  assert.equal(inWords('noise.site.block 11 does not exist'), 'noise site block 11 does not exist');
  assert.equal(inWords('a mybatchSize field'), 'a mybatchSize field', 'only whole paths');
});

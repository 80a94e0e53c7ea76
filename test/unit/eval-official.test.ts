// `noisynn eval --protocol official`: the order and batch size of the official scripts' test loaders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { officialEvalOrder } from '../../src-main/cli/eval';

const config = (kind: string) => ({ batchSize: 512, testBatchSize: 10, model: { kind } });

test('official evaluation order: ImageFolder class-sorted (ViT te_batch_size, CNN training batch), CIFAR file order at the training batch', () => {
  assert.deepEqual(officialEvalOrder('image-folder', config('vit')).protocol, 'sorted');
  assert.equal(officialEvalOrder('image-folder', config('vit')).testBatchSize, 10);
  assert.equal(officialEvalOrder('image-folder', config('resnet')).testBatchSize, 512);
  for (const kind of ['cifar10', 'cifar100'] as const) {
    const o = officialEvalOrder(kind, config('vit'));
    assert.deepEqual([o.protocol, o.testBatchSize], ['standard', 512]);
    assert.match(o.note, /shuffle=False/);
  }
  for (const kind of ['mnist', 'fashion-mnist', 'idx'] as const) {
    assert.throws(() => officialEvalOrder(kind, config('vit')), new RegExp(`no loader for ${kind} datasets`));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
  type NamedArray,
} from '../../src-main/engine/train/safetensors';

function sample(): Record<string, NamedArray> {
  return {
    'blocks.0.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1.5, -2, NaN, Infinity, -0, 3.4028234663852886e38]) },
    scale: { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
    labels: { dtype: 'I32', shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
    mask: { dtype: 'U8', shape: [3, 1], data: new Uint8Array([0, 255, 7]) },
    step: { dtype: 'I64', shape: [2], data: new BigInt64Array([9007199254740993n, -5n]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  };
}

function bytesOf(a: NamedArray): Buffer {
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'noisynn-st-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('round trip is bit-exact for every dtype, with metadata', () => {
  const input = sample();
  const meta = { format: 'pt', run: 'é ✓ "quoted"' };
  const buf = encodeSafetensors(input, meta);
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal(n % 8, 0, 'header padded to a multiple of 8');
  const header = JSON.parse(buf.toString('utf8', 8, 8 + n));
  assert.deepEqual(header.__metadata__, meta);
  assert.deepEqual(header.scale, { dtype: 'F64', shape: [], data_offsets: header.scale.data_offsets });

  // Decode from an odd offset inside a bigger buffer: the typed arrays must still come out right.
  const shifted = Buffer.concat([Buffer.alloc(3), buf]).subarray(3);
  const { tensors, metadata } = decodeSafetensors(shifted, 'mem');
  assert.deepEqual(metadata, meta);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(input).sort());
  for (const [name, a] of Object.entries(input)) {
    const b = tensors[name];
    assert.equal(b.dtype, a.dtype, name);
    assert.deepEqual(b.shape, a.shape, name);
    assert.equal(b.data.constructor, a.data.constructor, name);
    assert.ok(bytesOf(b).equals(bytesOf(a)), `${name} bytes`);
  }
  assert.ok(Object.is((tensors['blocks.0.weight'].data as Float32Array)[4], -0));
  assert.equal((tensors.step.data as BigInt64Array)[0], 9007199254740993n);
});

test('encoding is deterministic whatever the key order', () => {
  const a = sample();
  const b = Object.fromEntries(Object.entries(a).reverse());
  assert.ok(encodeSafetensors(a, { x: '1', y: '2' }).equals(encodeSafetensors(b, { y: '2', x: '1' })));
});

test('encode rejects inconsistent input', () => {
  assert.throws(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), /"w".*4 elements.*3 values/);
  assert.throws(() => encodeSafetensors({ w: { dtype: 'F64', shape: [1], data: new Float32Array(1) } }), /"w" is F64/);
  assert.throws(() => encodeSafetensors({ w: { dtype: 'F16' as 'F32', shape: [1], data: new Float32Array(1) } }), /unknown dtype/);
});

test('corrupt input gives errors naming the file and the problem', () => {
  const good = encodeSafetensors(sample(), { a: 'b' });
  const n = Number(good.readBigUInt64LE(0));
  const withHeader = (h: unknown, data = Buffer.alloc(16)): Buffer => {
    const json = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([len, json, data]);
  };
  const cases: [Buffer, RegExp][] = [
    [good.subarray(0, 5), /model\.safetensors: .*truncated/],
    [good.subarray(0, 8 + n - 1), /model\.safetensors: .*header length .* beyond the end/],
    [good.subarray(0, good.length - 1), /model\.safetensors: .*out of range/],
    [
      Buffer.concat([good.subarray(0, 8), Buffer.from('{"a": [1, 2'.padEnd(n, ' ')), good.subarray(8 + n)]),
      /model\.safetensors: .*not valid JSON/,
    ],
    [withHeader([1, 2]), /not a JSON object/],
    [withHeader({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }), /"w" has unsupported dtype "F16"/],
    [withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), /"w" is F32 \[3\] = 12 bytes but data_offsets span 8/],
    [withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), /"w" has an invalid shape/],
    [
      withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, v: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }),
      /overlap/,
    ],
    [withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [16, 20] } }), /out of range/],
    [withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }), /invalid data_offsets/],
    [withHeader({ __metadata__: { k: 1 } }), /__metadata__ value "k" is not a string/],
  ];
  for (const [buf, re] of cases) {
    assert.throws(() => decodeSafetensors(buf, 'model.safetensors'), re);
    assert.throws(() => decodeSafetensors(buf, 'model.safetensors'), /^Error: model\.safetensors: /);
  }
});

test('file write is atomic with a correct sha256; read errors name the file', () => {
  withTmp((dir) => {
    const file = join(dir, 'sub', 'ckpt.safetensors');
    const { sha256, bytes } = writeSafetensorsFile(file, sample(), { step: '10' });
    const onDisk = readFileSync(file);
    assert.equal(bytes, onDisk.length);
    assert.equal(sha256, createHash('sha256').update(onDisk).digest('hex'));
    assert.equal(existsSync(`${file}.tmp`), false);
    const back = readSafetensorsFile(file);
    assert.deepEqual(back.metadata, { step: '10' });
    assert.ok(bytesOf(back.tensors.labels).equals(bytesOf(sample().labels)));

    const again = writeSafetensorsFile(file, { x: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) } });
    assert.notEqual(again.sha256, sha256);
    assert.deepEqual(Object.keys(readSafetensorsFile(file).tensors), ['x']);

    const broken = join(dir, 'broken.safetensors');
    writeFileSync(broken, onDisk.subarray(0, 100));
    assert.throws(
      () => readSafetensorsFile(broken),
      (e: Error) => e.message.startsWith(`${broken}: `) && /truncated|beyond|out of range/.test(e.message),
    );
    const missing = join(dir, 'missing.safetensors');
    assert.throws(
      () => readSafetensorsFile(missing),
      (e: Error) => e.message.startsWith(`${missing}: cannot read`),
    );
  });
});

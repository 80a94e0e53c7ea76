// Reader and writer for the safetensors format: u64 LE header length N, N bytes of JSON header
// (padded with spaces to a multiple of 8), then the data buffer. Offsets are relative to the
// start of the data buffer. Data is little-endian, as on every host Node supports in practice.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname } from 'node:path';

export type SafetensorsDtype = 'F32' | 'F64' | 'I32' | 'U8' | 'I64';
export type SafetensorsData = Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;

export interface NamedArray {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

const DTYPES: Record<SafetensorsDtype, { bytes: number; make: (n: number) => SafetensorsData; is: (d: unknown) => boolean }> = {
  F32: { bytes: 4, make: (n) => new Float32Array(n), is: (d) => d instanceof Float32Array },
  F64: { bytes: 8, make: (n) => new Float64Array(n), is: (d) => d instanceof Float64Array },
  I32: { bytes: 4, make: (n) => new Int32Array(n), is: (d) => d instanceof Int32Array },
  U8: { bytes: 1, make: (n) => new Uint8Array(n), is: (d) => d instanceof Uint8Array },
  I64: { bytes: 8, make: (n) => new BigInt64Array(n), is: (d) => d instanceof BigInt64Array },
};

const METADATA_KEY = '__metadata__';
/** Refuse absurd headers before allocating a string for them. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function isDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, d);
}

function checkHost(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: only little-endian hosts are supported');
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function validShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Data order: widest dtype first, then name, so every tensor stays aligned to its element size. */
function dataOrder(tensors: Record<string, NamedArray>): string[] {
  return Object.keys(tensors).sort((a, b) => {
    const wa = DTYPES[tensors[a].dtype].bytes;
    const wb = DTYPES[tensors[b].dtype].bytes;
    return wb - wa || (a < b ? -1 : a > b ? 1 : 0);
  });
}

export function encodeSafetensors(tensors: Record<string, NamedArray>, metadata?: Record<string, string>): Buffer {
  checkHost();
  const entries: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  let offset = 0;
  const order = dataOrder(tensors);
  for (const name of order) {
    const t = tensors[name];
    if (name === '' || name === METADATA_KEY) throw new Error(`safetensors: invalid tensor name ${JSON.stringify(name)}`);
    if (!isDtype(t.dtype)) throw new Error(`safetensors: tensor "${name}" has unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!validShape(t.shape)) throw new Error(`safetensors: tensor "${name}" has an invalid shape ${JSON.stringify(t.shape)}`);
    if (!DTYPES[t.dtype].is(t.data))
      throw new Error(`safetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data?.constructor?.name}`);
    const n = elementCount(t.shape);
    if (t.data.length !== n) {
      throw new Error(`safetensors: tensor "${name}" has shape [${t.shape.join(', ')}] (${n} elements) but ${t.data.length} values`);
    }
    const bytes = n * DTYPES[t.dtype].bytes;
    entries[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header[METADATA_KEY] = Object.fromEntries(Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  for (const name of Object.keys(entries).sort()) header[name] = entries[name];
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);

  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  const dataStart = 8 + json.length;
  for (const name of order) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), dataStart + entries[name].data_offsets[0]);
  }
  return out;
}

export function decodeSafetensors(
  buf: Buffer,
  file = '<buffer>',
): { tensors: Record<string, NamedArray>; metadata: Record<string, string> } {
  checkHost();
  const bad = (problem: string): Error => new Error(`${file}: not a valid safetensors file: ${problem}`);
  if (buf.length < 8) throw bad(`truncated (${buf.length} bytes, the 8-byte header length is missing)`);
  const n64 = buf.readBigUInt64LE(0);
  if (n64 > BigInt(buf.length - 8))
    throw bad(`header length ${n64} is beyond the end of the file (${buf.length} bytes); the file is truncated or corrupt`);
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) throw bad(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + n));
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');

  const dataStart = 8 + n;
  const dataLength = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, NamedArray> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(`__metadata__ value "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null) throw bad(`entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype))
      throw bad(`tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    if (!validShape(shape)) throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o))) {
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin < 0 || end < begin || end > dataLength) {
      throw bad(`tensor "${name}" data_offsets [${begin}, ${end}] are out of range (data buffer is ${dataLength} bytes)`);
    }
    const count = elementCount(shape);
    const size = DTYPES[dtype].bytes;
    if (end - begin !== count * size) {
      throw bad(`tensor "${name}" is ${dtype} [${shape.join(', ')}] = ${count * size} bytes but data_offsets span ${end - begin} bytes`);
    }
    spans.push({ name, begin, end });
    // Copy: the slice may not be aligned for the typed array within Node's buffer pool.
    const data = DTYPES[dtype].make(count);
    new Uint8Array(data.buffer).set(buf.subarray(dataStart + begin, dataStart + end));
    tensors[name] = { dtype, shape: [...shape], data };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].begin < spans[i - 1].end) throw bad(`tensors "${spans[i - 1].name}" and "${spans[i].name}" overlap`);
  }
  return { tensors, metadata };
}

/** Atomic write: a crash leaves either the old file or the new one, never a partial file. */
export function writeSafetensorsFile(
  file: string,
  tensors: Record<string, NamedArray>,
  metadata?: Record<string, string>,
): { sha256: string; bytes: number } {
  const buf = encodeSafetensors(tensors, metadata);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    // No partial file stays behind (it would also hold the space a full disk needs back).
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new Error(`disk full writing ${file}`, { cause: e });
    throw e;
  }
  return { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}

export function readSafetensorsFile(file: string): { tensors: Record<string, NamedArray>; metadata: Record<string, string> } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read safetensors file: ${(e as Error).message}`);
  }
  return decodeSafetensors(buf, file);
}

// wasm Identity without the copy. tfjs clones every tensor it saves for a gradient (engine
// saveTensorsForBackwardMode), and the stock wasm kernel copies the data each time (~1-1.5 ms per
// training step here, bench/profile-step.ts). Tensor data is immutable, so the clone can share it
// with a reference count, exactly as the wasm Reshape kernel already does.
import * as tf from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: object): void;
}

let stock: tf.KernelConfig | undefined;

export function registerWasmIdentity(): boolean {
  if (stock) return true;
  const found = tf.getKernel('Identity', 'wasm');
  if (!found) return false;
  const stockFn = found.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stockFn(args);
    (args.backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  stock = found;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...found, kernelFunc });
  return true;
}

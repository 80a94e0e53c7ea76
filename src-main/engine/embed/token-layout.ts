// How a model's noise-site tensor splits into rows for display: a ViT's [k, tokens, dim] into its tokens,
// a ResNet's [k, H, W, C] into its H x W positions, each row one position's channels.

export interface TokenLayout {
  rows: number;
  channels: number;
  /** 'cls', 'patch 0', ... for a ViT; '(row,col)' for a ResNet. */
  labels: string[];
}

/**
 * The layout of a site tensor of the given shape. A ViT has a class token at row 0 except after the
 * patch embedding (block -1), where it is not yet added.
 */
export function tokenLayout(kind: 'vit' | 'resnet', shape: readonly number[], block: number): TokenLayout {
  if (shape.length < 3) throw new Error(`tokenLayout: expected a [batch, positions..., channels] tensor, got shape [${shape.join(', ')}]`);
  const channels = shape[shape.length - 1];
  const rows = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const hasCls = kind === 'vit' && block !== -1;
  const label = (r: number) =>
    kind !== 'vit' ? `(${Math.floor(r / shape[2])},${r % shape[2]})` : hasCls ? (r === 0 ? 'cls' : `patch ${r - 1}`) : `patch ${r}`;
  return { rows, channels, labels: Array.from({ length: rows }, (_, r) => label(r)) };
}

/** The L2 norm of after - before per row, for one sample's [rows, channels] values. */
export function rowChange(before: Float32Array, after: Float32Array, layout: Pick<TokenLayout, 'rows' | 'channels'>): number[] {
  const { rows, channels } = layout;
  const change: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += (after[r * channels + c] - before[r * channels + c]) ** 2;
    change.push(Math.sqrt(s));
  }
  return change;
}

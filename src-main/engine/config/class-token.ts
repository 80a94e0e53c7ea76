// The ViT class token and embedding noise: one default for the CLI, the services, the forms and the model.
import type { RunConfig } from './types';

/**
 * The official NoisyViT operators write x[:, 1:] only: the class token is never noised. Every
 * entry point resolves a ViT run's `noise.skipFirstToken` to this when it is not given, so the
 * stored config always says which it was.
 */
export const SKIP_CLASS_TOKEN_DEFAULT = true;

/** The config with `noise.skipFirstToken` explicit for embedding-level noise on a ViT. */
export function withClassTokenDefault(c: RunConfig): RunConfig {
  if (c.model?.kind !== 'vit' || !c.noise || c.noise.level !== 'embedding' || c.noise.skipFirstToken !== undefined) return c;
  return { ...c, noise: { ...c.noise, skipFirstToken: SKIP_CLASS_TOKEN_DEFAULT } };
}

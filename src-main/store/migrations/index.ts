import type { Migration } from '../migrate';
import { initial } from './0001-initial';

/** Every schema migration, in version order. Append only: never edit a shipped one. */
export const migrations: readonly Migration[] = [initial];

import type { Migration } from '../migrate';

// Who owns a 'running' row: the pid alone is not an identity (pids are reused), so the owner's
// process start time is kept beside it. `cancel_requested` lets any instance cancel a run that another
// process trains: the owner reads it at its next step and stops.
export const runOwnership: Migration = {
  version: 3,
  name: 'run-ownership',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN pid_start TEXT;
      ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
    `);
  },
};

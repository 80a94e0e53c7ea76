import type { Migration } from '../migrate';

// Who owns a 'running' row: the pid alone is not an identity (pids are reused), so the owner's
// process start time is kept beside it. `cancel_requested` lets any instance cancel a run that another
// process trains: the owner reads it at its next step and stops. `dataset_hash` pins a run to the content
// it trained on: eval and resume refuse data whose hash differs.
export const runOwnership: Migration = {
  version: 3,
  name: 'run-ownership',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN pid_start TEXT;
      ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
      ALTER TABLE runs ADD COLUMN dataset_hash TEXT;
      UPDATE runs SET dataset_hash = (SELECT content_hash FROM datasets d WHERE d.id = runs.dataset_id);
    `);
  },
};

import type { Migration } from '../migrate';

// The whole product's schema (runs, sweeps, comparisons, app queue) so later
// features add columns rather than reshape tables. JSON columns are TEXT checked
// with json_valid; timestamps are ISO-8601 UTC text; metric times are unix seconds.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        class_names TEXT CHECK (class_names IS NULL OR json_valid(class_names)),
        shape TEXT CHECK (shape IS NULL OR json_valid(shape)),
        train_count INTEGER,
        test_count INTEGER,
        class_counts TEXT CHECK (class_counts IS NULL OR json_valid(class_counts)),
        content_hash TEXT,
        note TEXT,
        added_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        name TEXT,
        spec TEXT CHECK (spec IS NULL OR json_valid(spec)),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','diverged','cancelled','crashed')),
        config TEXT NOT NULL CHECK (json_valid(config)),
        seed INTEGER NOT NULL,
        dataset_id INTEGER REFERENCES datasets(id),
        sweep_id INTEGER REFERENCES sweeps(id),
        backend TEXT,
        versions TEXT CHECK (versions IS NULL OR json_valid(versions)),
        git_commit TEXT,
        host TEXT,
        pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        error TEXT,
        epochs_done INTEGER NOT NULL DEFAULT 0,
        steps_done INTEGER NOT NULL DEFAULT 0,
        images_per_second REAL,
        summary TEXT CHECK (summary IS NULL OR json_valid(summary))
      ) STRICT;
      CREATE INDEX runs_status ON runs(status);
      CREATE INDEX runs_sweep ON runs(sweep_id);
      CREATE INDEX runs_dataset ON runs(dataset_id);

      CREATE TABLE run_params (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value_text TEXT,
        value_num REAL,
        PRIMARY KEY (run_id, key)
      ) STRICT;
      CREATE INDEX run_params_num ON run_params(key, value_num);
      CREATE INDEX run_params_text ON run_params(key, value_text);

      -- value is nullable because SQLite stores NaN as NULL; readers map NULL back to NaN.
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        epoch REAL NOT NULL,
        value REAL,
        time REAL NOT NULL,
        PRIMARY KEY (run_id, key, step)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        protocol TEXT NOT NULL CHECK (protocol IN ('standard','sorted','shuffled','single')),
        batch_size INTEGER NOT NULL,
        noise_active INTEGER NOT NULL CHECK (noise_active IN (0, 1)),
        top1 REAL,
        top5 REAL,
        loss REAL,
        n INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX evaluations_run ON evaluations(run_id, epoch);

      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        step INTEGER NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, epoch)
      ) STRICT;

      CREATE TABLE tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      ) STRICT;
      CREATE INDEX tags_tag ON tags(tag);

      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX notes_run ON notes(run_id);
    `);
  },
};

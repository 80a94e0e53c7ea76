// A zombie (exited, not yet reaped) owns no run: a study killed with its trainers must find them gone
// at once, not after init reaps them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { processAlive, processStart } from '../../src-main/store/process-identity';

test(
  'a zombie process is not alive; a running one is, under its recorded start time only',
  { skip: process.platform !== 'linux' },
  async () => {
    // `sleep 0` exits at once; the shell's exec'd `sleep 5` never waits for it, so it stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))));
      await new Promise((r) => setTimeout(r, 300));
      assert.doesNotThrow(() => process.kill(zombie, 0), 'the zombie still has its pid');
      assert.equal(processStart(zombie), null);
      assert.equal(processAlive(zombie, null), false);
      const start = processStart(parent.pid!);
      assert.ok(start);
      assert.equal(processAlive(parent.pid!, start), true);
      assert.equal(processAlive(parent.pid!, null), true);
      assert.equal(processAlive(parent.pid!, `${start}0`), false, 'another start time: another process');
    } finally {
      parent.kill('SIGKILL');
    }
  },
);

// The committed SRP vectors are what amazon-cognito-identity-js produces today: regenerate them into a
// temporary folder and compare every file byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

test('the SRP vectors regenerate byte for byte', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'cognate-vectors-'));
  try {
    execFileSync(process.execPath, [join(here, 'srp', 'generate.mjs'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const folder of ['srp', 'srp-device']) {
      const committed = readdirSync(join(here, folder)).filter((f) => f.endsWith('.json')).sort();
      const fresh = readdirSync(join(out, folder)).filter((f) => f.endsWith('.json')).sort();
      assert.deepEqual(fresh, committed, `${folder}: the generator makes a different set of files`);
      for (const file of committed) {
        const want = readFileSync(join(here, folder, file), 'utf8');
        assert.equal(readFileSync(join(out, folder, file), 'utf8'), want, `${folder}/${file} differs`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

import { spawnSync } from 'node:child_process';
// Tests that need a real tool or engine: under CI a missing one fails the test; elsewhere
// the test is skipped with a loud line saying what is missing.
export function have(cmd) {
    return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
/** Returns false (after skipping t) when something is missing outside CI. */
export function requireAll(t, what) {
    const missing = Object.entries(what)
        .filter(([, ok]) => !ok)
        .map(([k]) => k);
    if (missing.length === 0)
        return true;
    const msg = `MISSING for "${t.name}": ${missing.join(', ')}`;
    if (process.env.CI)
        throw new Error(`${msg} (CI must provide it: see .ci/run)`);
    console.error(`\n*** SKIPPED — ${msg} ***\n`);
    t.skip(msg);
    return false;
}
/**
 * requireAll, then the file's setup (a before() hook that needs the same things) must have
 * run: with everything present a test never passes silently because its setup did not.
 */
export function requireSetUp(t, what, setUp) {
    if (!requireAll(t, what))
        return false;
    if (!setUp)
        throw new Error(`setup did not run for "${t.name}" although ${Object.keys(what).join(', ')} are present`);
    return true;
}
//# sourceMappingURL=require.js.map
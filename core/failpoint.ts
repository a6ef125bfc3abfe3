import { FerryError } from './errors.js';

/**
 * Test-only fault injection at named steps of the engine (RELIABILITY.md appendix), e.g.
 * `FERRY_FAILPOINT=after_commit:3:kill` kills the process at the 3rd time `after_commit` is reached.
 * Actions: `kill` (SIGKILL self), `stop` (SIGSTOP self: frozen until someone sends SIGCONT), `throw`,
 * `pause=MS`. A count of `*` fires at every hit (`mid_copy:*:pause=200`: a slow process). Several failpoints
 * are separated by `;`.
 * Refused unless `FERRY_TEST_MODE=1`, so a stray variable in production cannot crash a migration.
 */
interface Spec {
  name: string;
  /** The hit that fires it; 0 = every hit (`*`). */
  at: number;
  action: string;
}

let specs: Spec[] | undefined;
const hits = new Map<string, number>();

function load(): Spec[] {
  if (specs) return specs;
  const raw = process.env.FERRY_FAILPOINT ?? '';
  if (raw && process.env.FERRY_TEST_MODE !== '1') {
    throw new FerryError('CONFIG', 'FERRY_FAILPOINT is set but FERRY_TEST_MODE is not 1', {
      hint: 'failpoints are for tests only: unset FERRY_FAILPOINT',
    });
  }
  specs = raw
    .split(';')
    .filter(Boolean)
    .map((s) => {
      const [name = '', at = '1', action = 'kill'] = s.split(':');
      return { name, at: at === '*' ? 0 : Number(at), action };
    });
  return specs;
}

/** Marks reaching step `name`; fires the configured action when its count is reached. */
export async function failpoint(name: string): Promise<void> {
  const list = load();
  if (list.length === 0) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  for (const s of list) {
    if (s.name !== name || (s.at !== n && s.at !== 0)) continue;
    if (s.action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (s.action === 'stop') process.kill(process.pid, 'SIGSTOP');
    if (s.action === 'throw')
      throw new FerryError('INTERNAL', `failpoint ${name} fired`, { retryable: true });
    if (s.action.startsWith('pause=')) await new Promise((r) => setTimeout(r, Number(s.action.slice(6))));
  }
}

// `smp freeze --study CODE --label TEXT`: freeze a study (api/services/freeze-service.ts) and
// print its id alone on the last line, for scripts to pass to `smp analyze --freeze ID`.
import { AppError } from '../errors.ts';
import { parse, UsageError, withDb } from './cli-support.ts';

export async function runFreezeCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { study: { type: 'string' }, label: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`freeze takes no arguments (got "${positionals[0]}")`);
  if (values.study === undefined || values.study.trim() === '') throw new UsageError('freeze needs --study CODE');
  if (values.label === undefined) throw new UsageError('freeze needs --label TEXT');
  const [{ createFreeze }, { commandLineChange }, { FreezeCreate }] = await Promise.all([
    import('../services/freeze-service.ts'),
    import('../services/access.ts'),
    import('../schemas/sign-off.ts'),
  ]);
  const parsed = FreezeCreate.safeParse({ label: values.label });
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is not a label';
    throw new AppError('validation', `--label ${message}`, [{ path: 'label', message }]);
  }
  const freeze = await withDb((db) => createFreeze(db, commandLineChange(), values.study!, parsed.data));
  console.log(`froze study ${freeze.study} at ${freeze.createdAt}: "${freeze.label}", sha256 ${freeze.sha256}`);
  console.log(String(freeze.id));
}

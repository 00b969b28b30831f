// `smp freeze` and `smp analyze --freeze`: the freeze's id alone on the last line, an empty label
// refused (exit 2) with nothing written, and the frozen summary byte for byte the summary taken
// before the study changed, in JSON and in the Markdown report that names the freeze and its hash.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';

describe(`smp freeze (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-cli-freeze-');
  const { smp } = cli;

  it('freezes a study and analyses the freeze byte for byte after the data changed', () => {
    const bundle = smallBundle('FRZ-1');
    expect(smp('import', cli.write('frz.json', bundle)).status).to.equal(0);

    const empty = smp('freeze', '--study', 'FRZ-1', '--label', ' ');
    expect(empty.status).to.equal(2);
    expect(empty.stderr).to.equal('smp freeze: --label must not be empty\n');
    expect(smp('analyze', '--study', 'FRZ-1', '--freeze', '1').status).to.equal(2);

    const before = smp('analyze', '--study', 'FRZ-1');
    expect(before.status, before.stderr).to.equal(0);
    const frozen = smp('freeze', '--study', 'FRZ-1', '--label', 'before the correction');
    expect(frozen.status, frozen.stderr).to.equal(0);
    const lines = frozen.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('1');
    const hash = /sha256 ([0-9a-f]{64})/.exec(lines[0]!)![1]!;

    bundle.participants[0].sessions[1].durationMinutes = 20;
    expect(smp('import', '--replace', cli.write('frz-changed.json', bundle)).status).to.equal(0);
    const live = smp('analyze', '--study', 'FRZ-1');
    expect(live.stdout).to.not.equal(before.stdout);
    const again = smp('analyze', '--study', 'FRZ-1', '--freeze', '1');
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stdout).to.equal(before.stdout);
    const report = smp('analyze', '--study', 'FRZ-1', '--freeze', '1', '--format', 'md');
    expect(report.stdout).to.include(`Made from freeze 1 "before the correction"`).and.include(`SHA-256 of the frozen bundle: ${hash}`);
  });
});

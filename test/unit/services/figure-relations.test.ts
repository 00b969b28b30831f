// The declared counts and relations of a group's figures: every figure is declared (a figure added
// to the analysis without its relations fails here), and every declared relation holds on real
// figures of generated studies with many small sites.
import { expect } from 'chai';
import { analyzeCohort } from '../../../analysis/index.ts';
import type { CohortFigures } from '../../../analysis/types.ts';
import { studyFactsFromBundle } from '../../../api/services/bundle-facts.ts';
import { figureModel } from '../../../api/services/figure-relations.ts';
import { generateCohort } from '../../../fixtures/generate-cohort.ts';
import { checkRelations, declaredPaths, leafPaths } from '../../support/disclosure-proof.ts';

function groups(seed: number): Array<{ key: string; figures: CohortFigures }> {
  const bundle = generateCohort({ participants: 120, sites: 10, seed, code: 'REL-1', adverseEventRate: 0.8, withdrawalRate: 0.2, touchUpNeedRate: 0.3 });
  const { sites, ...facts } = studyFactsFromBundle(bundle);
  const summary = analyzeCohort({ ...facts, by: 'site' });
  const { format, study, primaryOutcome, subgroups, ...whole } = summary;
  return [{ key: 'all', figures: whole }, ...subgroups!.groups.map((group) => ({ key: group.key, figures: group.figures as CohortFigures }))];
}

describe('figure relations', () => {
  for (const seed of [3, 4]) {
    it(`declares every figure of every site, and each relation holds (generated study, seed ${seed})`, () => {
      for (const { key, figures } of groups(seed)) {
        const model = figureModel(figures);
        const declared = declaredPaths(model);
        expect(leafPaths(figures).filter((path) => !declared.has(path)), `${key}: figures without declared relations`).to.deep.equal([]);
        expect(checkRelations(model), `${key}: relations that do not hold`).to.deep.equal([]);
      }
    });
  }

  it('finds a figure that was added without declared relations', () => {
    const figures = groups(3)[1]!.figures as CohortFigures & { safety: { eventsPer100Participants?: number } };
    figures.safety.eventsPer100Participants = 40;
    const declared = declaredPaths(figureModel(figures));
    expect(leafPaths(figures).filter((path) => !declared.has(path))).to.deep.equal(['safety.eventsPer100Participants']);
  });

  it('declares a repeated count once, at every place it is shown', () => {
    const model = figureModel(groups(3)[1]!.figures);
    const paths = (id: string) => model.cells.find((cell) => cell.id === id)!.paths;
    expect(paths('followUp.months.n')).to.deep.equal(['followUp.months.n', 'followUp.inWindow.N', 'fading.minimalOrNone.N', 'fading.touchUpFree.n']);
    expect(paths('sessions.total')).to.deep.equal(['sessions.total', 'sessions.durationMinutes.n']);
    expect(paths('satisfaction.distribution.5')).to.deep.equal(['satisfaction.distribution.5', 'satisfaction.verySatisfied.n']);
    expect(model.sums).to.deep.include({ total: 'fading.minimalOrNone.n', parts: ['fading.latestGrade.0', 'fading.latestGrade.1'] });
    expect(model.dependents).to.deep.include({ path: 'safety.eventsPer100Sessions', on: ['safety.events', 'sessions.total'] });
  });
});

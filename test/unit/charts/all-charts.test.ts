import { expect } from 'chai';
import { allCharts, CHART_IDS } from '../../../analysis/charts/index.ts';
import { expectOkabeItoColours } from './chart-assertions.ts';
import { makeEmptyStudy, makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/allCharts', () => {
  const charts = allCharts(makeSummary(), makeSeries());

  it('returns the eight charts with unique, file-name-safe ids', () => {
    expect(CHART_IDS).to.deep.equal(['participant-flow', 'sessions-per-participant', 'follow-up-coverage', 'fading-grade', 'density-score', 'touch-up-free', 'satisfaction', 'adverse-events']);
    expect(charts.map((chart) => chart.id)).to.deep.equal(CHART_IDS);
    for (const chart of charts) expect(chart.id).to.match(/^[a-z0-9-]+$/);
  });

  it('gives every chart a table whose rows fit its columns', () => {
    for (const { id, table } of charts) {
      expect(table.caption, id).to.not.equal('');
      expect(table.columns.length, id).to.be.at.least(2);
      expect(table.rows.length, id).to.be.at.least(1);
      for (const row of table.rows) expect(row.length, id).to.equal(table.columns.length);
    }
  });

  it('titles every chart and every axis, with static Node-friendly options', () => {
    for (const { id, title, config } of charts) {
      expect(config.options?.plugins?.title?.text, id).to.equal(title);
      expect(config.options?.plugins?.title?.display, id).to.equal(true);
      expect(config.options?.animation, id).to.equal(false);
      expect(config.options?.responsive, id).to.equal(false);
      const scales = Object.entries(config.options?.scales ?? {});
      expect(scales, id).to.have.length(2);
      for (const [axisId, scale] of scales) {
        const axisTitle = (scale as { title?: { display?: boolean; text?: string | string[] } }).title;
        expect(axisTitle?.display, `${id} ${axisId}`).to.equal(true);
        const text = Array.isArray(axisTitle?.text) ? axisTitle.text.join(' ') : axisTitle?.text;
        expect(text, `${id} ${axisId}`).to.match(/\S/);
      }
    }
  });

  it('uses only Okabe–Ito data colours', () => {
    for (const { config } of charts) expectOkabeItoColours(config);
  });

  it('produces plain data that survives JSON, so the HTML report can inline it', () => {
    for (const { id, config } of charts) {
      expect(JSON.parse(JSON.stringify(config)), id).to.deep.equal(config);
    }
  });

  it('builds every chart for a study with no data yet', () => {
    const { summary, series } = makeEmptyStudy();
    const empty = allCharts(summary, series);
    expect(empty).to.have.length(8);
    for (const { id, config, table } of empty) {
      expect(JSON.parse(JSON.stringify(config)), id).to.deep.equal(config);
      for (const row of table.rows) expect(row.length, id).to.equal(table.columns.length);
    }
  });
});

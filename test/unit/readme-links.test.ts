// The READMEs link to each other and to the code: every relative link of every README.md must
// lead to a file that exists and, with an #anchor, to a heading of it; and the README a user
// reads first stays short enough to read in one sitting.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenLinks, githubSlug, headingAnchors, readmeFiles, relativeLinks } from '../support/readme-links.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('README links', () => {
  it("makes anchors with GitHub's slug rules", () => {
    expect(githubSlug('The `smp` command')).to.equal('the-smp-command');
    expect(githubSlug('Backup, moving to PostgreSQL, and upgrading PGlite: `smp-backup/1`')).to.equal(
      'backup-moving-to-postgresql-and-upgrading-pglite-smp-backup1',
    );
    expect(githubSlug('Calendar feeds (`.ics`)')).to.equal('calendar-feeds-ics');
    expect(githubSlug('`csv`: tidy tables for R, Stata, SPSS and Python')).to.equal('csv-tidy-tables-for-r-stata-spss-and-python');
    expect(githubSlug('`smp analyze --format csv`')).to.equal('smp-analyze---format-csv');
    expect(githubSlug('Users, roles and sign-in')).to.equal('users-roles-and-sign-in');
    const anchors = headingAnchors('# Notes\n\n## Why\n\n```sh\n# not a heading\n```\n\n## Why\n');
    expect([...anchors]).to.deep.equal(['notes', 'why', 'why-1']);
  });

  it('finds links in prose, over line breaks, and not in code', () => {
    const text = 'See [the\nrule](#the-rule) and `[code](nowhere.md)`.\n\n```\n[fenced](nowhere.md)\n```\n![a picture](web/a.png) [a site](https://example.org)\n';
    expect(relativeLinks(text)).to.deep.equal([
      { line: 1, target: '#the-rule' },
      { line: 7, target: 'web/a.png' },
    ]);
  });

  it('reports a missing file, a missing anchor and an anchor of the same file, and passes good links', () => {
    const files: Record<string, string> = {
      '/repo/README.md': '# Tracker\n\n## Start\n\n[api](api/README.md#routes) [gone](api/NOPE.md) [bad anchor](api/README.md#no-such) [here](#start) [not here](#stop)\n',
      '/repo/api/README.md': '# API\n\n## Routes\n\n[back](../README.md#tracker)\n',
    };
    const broken = brokenLinks('/repo', ['README.md', 'api/README.md'], (file) => files[file], (file) => file in files);
    expect(broken).to.deep.equal([
      { file: 'README.md', line: 5, target: 'api/NOPE.md', reason: 'api/NOPE.md does not exist' },
      { file: 'README.md', line: 5, target: 'api/README.md#no-such', reason: 'no heading of api/README.md has the anchor #no-such' },
      { file: 'README.md', line: 5, target: '#stop', reason: 'no heading of README.md has the anchor #stop' },
    ]);
  });

  it('finds every relative link of every README.md in the repository resolved', () => {
    const readmes = readmeFiles(ROOT);
    expect(readmes).to.include.members(['README.md', 'api/README.md', 'api/cli/README.md', 'api/formats/README.md', 'analysis/README.md', 'db/README.md', 'web/README.md', 'test/README.md']);
    expect(brokenLinks(ROOT, readmes)).to.deep.equal([]);
  });

  it('keeps the README a user reads first at most 15,000 bytes', () => {
    expect(fs.statSync(path.join(ROOT, 'README.md')).size).to.be.at.most(15_000);
  });
});

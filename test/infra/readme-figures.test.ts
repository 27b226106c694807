import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END, START, defaultTemplate, deploymentFigures, withFigures } from '../../scripts/deployment-figures';

/** The README's deployment figures are the template's, never typed by hand. */
describe('README deployment figures', () => {
  it('match the synthesized template (run `npm run docs:deployment` after changing the stack)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(block).toBe(deploymentFigures(defaultTemplate()));
  }, 60_000);

  it('the block is found and replaced whole', () => {
    expect(withFigures(`a\n${START}\nold\n${END}\nb`, 'new')).toBe('a\nnew\nb');
    expect(() => withFigures('no block', 'new')).toThrow(/no .* block/);
  });
});

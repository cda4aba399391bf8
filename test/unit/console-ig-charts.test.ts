import { describe, expect, it } from 'vitest';
import { barChartSvg, rangeOf, rangeText, sumOf } from '#console/charts.ts';

/** The bars of a chart as drawn: each solid bar's width and dashed bound's width, and each value's text. */
const drawn = (svg: string) => ({
  solid: [...svg.matchAll(/class="pbx-chart__bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1])),
  bounds: [...svg.matchAll(/class="pbx-chart__bound"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1])),
  values: [...svg.matchAll(/class="pbx-chart__value"[^>]*>([^<]*)</g)].map((m) => m[1]),
});

const exact = (n: number) => rangeOf(n);

describe('bar charts (console/charts.ts)', () => {
  it('draws bars proportional to their counts, the largest the longest', () => {
    const counts = [12, 3, 6, 9];
    const svg = barChartSvg({
      id: 'c',
      title: 'Requests per month',
      description: 'As in the table',
      bars: counts.map((n, i) => ({ label: `Month ${i}`, count: exact(n) })),
    });
    const { solid, values } = drawn(svg);
    expect(solid).toHaveLength(counts.length);
    const largest = Math.max(...solid);
    expect(solid.indexOf(largest)).toBe(counts.indexOf(Math.max(...counts)));
    for (const [i, n] of counts.entries()) {
      expect(solid[i] ?? Number.NaN).toBeCloseTo((largest * n) / Math.max(...counts), 0);
    }
    expect(values).toEqual(counts.map(String));
    for (let i = 0; i < counts.length; i += 1) expect(svg).toContain(`>Month ${i}</text>`);
  });

  it('names itself for assistive technology: role img, a title and a description by aria-labelledby', () => {
    const svg = barChartSvg({ id: 'refusals', title: 'By reason', description: 'The table below', bars: [] });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    expect(labelledBy).toHaveLength(2);
    expect(svg).toContain(`<title id="${labelledBy[0]}">By reason</title>`);
    expect(svg).toContain(`<desc id="${labelledBy[1]}">The table below</desc>`);
  });

  it('uses no style attribute, which the console CSP would refuse', () => {
    const svg = barChartSvg({
      id: 'x',
      title: 't',
      description: 'd',
      bars: [{ label: 'a', count: rangeOf('<5') }],
    });
    expect(svg).not.toMatch(/\sstyle=/);
    expect(svg).not.toContain('<script');
  });

  it('escapes every text it is given', () => {
    const svg = barChartSvg({
      id: 'x"y',
      title: '<b>&',
      description: "it's",
      bars: [{ label: '<script>alert(1)</script>', count: exact(1) }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('id="x&quot;y"');
  });

  it('draws all-zero counts as bars of no length, with their values, and no division by zero', () => {
    const svg = barChartSvg({
      id: 'z',
      title: 't',
      description: 'd',
      bars: [
        { label: 'a', count: exact(0) },
        { label: 'b', count: exact(0) },
      ],
    });
    const { solid, values } = drawn(svg);
    expect(solid).toEqual([0, 0]);
    expect(values).toEqual(['0', '0']);
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });

  it('says so when there is nothing to draw', () => {
    const svg = barChartSvg({ id: 'e', title: 't', description: 'd', bars: [] });
    expect(drawn(svg).solid).toEqual([]);
    expect(svg).toContain('Nothing to show for this period');
  });

  it('draws a suppressed count as a solid bar to 1 and a dashed bound to 4, and says "fewer than 5"', () => {
    const svg = barChartSvg({
      id: 's',
      title: 't',
      description: 'd',
      bars: [
        { label: 'exact', count: exact(8) },
        { label: 'suppressed', count: rangeOf('<5') },
      ],
    });
    const { solid, bounds, values } = drawn(svg);
    const perUnit = (solid[0] ?? 0) / 8;
    expect(solid[1]).toBeCloseTo(perUnit * 1, 0);
    expect(bounds).toHaveLength(1);
    expect(bounds[0]).toBeCloseTo(perUnit * 3, 0);
    expect(values).toEqual(['8', 'fewer than 5']);
  });

  it('adds counts with suppressed parts into bounds, exact only when nothing is suppressed', () => {
    expect(sumOf([3, 4])).toEqual({ low: 7, high: 7 });
    expect(sumOf([10, '<5'])).toEqual({ low: 11, high: 14 });
    expect(sumOf(['<5', '<5'])).toEqual({ low: 2, high: 8 });
    expect(sumOf([])).toEqual({ low: 0, high: 0 });
    expect(rangeText(sumOf([10, '<5']))).toBe('11 to 14');
    expect(rangeText(sumOf(['<5']))).toBe('fewer than 5');
    expect(rangeText(sumOf([1200, 34]))).toBe('1,234');
  });
});

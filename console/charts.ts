/**
 * Bar charts for the console's pages: labelled counts drawn as server-rendered inline SVG, with no script and no
 * chart library. A chart is only a picture of a table the page also shows: it names itself (`role="img"`, a title
 * and a description by `aria-labelledby`) and says which table holds its numbers. Only presentation attributes
 * style it, so the Content-Security-Policy's `style-src 'self'` holds (no `style=`).
 */

/** A count as the exchange answers it: exact, or `<5` for 1 to 4 where small numbers are suppressed. */
export type ShownCount = number | '<5';

/**
 * A count that may be known only within bounds: an exact count is `low === high`; a suppressed `<5` is 1 to 4, and
 * a sum of counts some of which are suppressed lies between the sum of their lows and the sum of their highs.
 */
export type CountRange = { readonly low: number; readonly high: number };

/** The bounds of a shown count. */
export const rangeOf = (count: ShownCount): CountRange =>
  count === '<5' ? { low: 1, high: 4 } : { low: count, high: count };

/** The bounds of a sum of shown counts: exact only when none of them is suppressed. */
export const sumOf = (counts: readonly ShownCount[]): CountRange =>
  counts.map(rangeOf).reduce((sum, r) => ({ low: sum.low + r.low, high: sum.high + r.high }), {
    low: 0,
    high: 0,
  });

const number = (n: number) => n.toLocaleString('en-GB');

/** A count in words: "1,234", "fewer than 5", or "11 to 14" for a sum with suppressed parts. */
export const rangeText = (range: CountRange): string => {
  if (range.low === range.high) return number(range.low);
  if (range.low === 1 && range.high === 4) return 'fewer than 5';
  return `${number(range.low)} to ${number(range.high)}`;
};

export type Bar = { readonly label: string; readonly count: CountRange };

export type BarChart = {
  /** Unique on the page: the ids of the title and description derive from it. */
  readonly id: string;
  readonly title: string;
  /** What the chart shows and where its numbers are, e.g. "Requests per month, as in the table below". */
  readonly description: string;
  readonly bars: readonly Bar[];
};

/** GOV.UK Frontend's palette: bars in its blue (5.2:1 on white), text in its black and secondary grey. */
const colours = { bar: '#1d70b8', text: '#0b0c0c', axis: '#505a5f' } as const;

const layout = {
  width: 720,
  labelWidth: 260,
  valueWidth: 110,
  rowHeight: 30,
  barHeight: 20,
  top: 8,
  /** Longer labels are cut with an ellipsis: the table beside the chart has them whole. */
  maxLabelLength: 30,
} as const;

const barArea = layout.width - layout.labelWidth - layout.valueWidth;

const escapeXml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');

const shortLabel = (label: string): string =>
  label.length <= layout.maxLabelLength ? label : `${label.slice(0, layout.maxLabelLength - 1).trimEnd()}…`;

/** One decimal place: enough for a bar's length, and stable text for the tests. */
const px = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * The chart as SVG markup, for a template to place with `| safe` (every text in it is escaped here). Bars are
 * horizontal, one a row, their lengths proportional to the counts (the longest bar is the largest count). A count
 * known only within bounds is a solid bar to its least value and a dashed outline to its most, labelled in words
 * ("fewer than 5"). No bars at all is a chart that says so, never an empty box.
 */
export const barChartSvg = (chart: BarChart): string => {
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  const rows = Math.max(chart.bars.length, 1);
  const height = layout.top * 2 + rows * layout.rowHeight;
  const open =
    `<svg xmlns="http://www.w3.org/2000/svg" class="pbx-chart" id="${escapeXml(chart.id)}" role="img" ` +
    `aria-labelledby="${escapeXml(titleId)} ${escapeXml(descId)}" viewBox="0 0 ${layout.width} ${height}" ` +
    `width="100%" preserveAspectRatio="xMinYMin meet" font-family="Arial, sans-serif" font-size="16">` +
    `<title id="${escapeXml(titleId)}">${escapeXml(chart.title)}</title>` +
    `<desc id="${escapeXml(descId)}">${escapeXml(chart.description)}</desc>`;
  if (chart.bars.length === 0) {
    const y = layout.top + layout.rowHeight / 2 + 5;
    return `${open}<text x="0" y="${y}" fill="${colours.text}">Nothing to show for this period</text></svg>`;
  }
  // The scale: the largest count (at its most) fills the bar area; all zeros draw no bars, never a division by 0.
  const largest = Math.max(1, ...chart.bars.map((b) => b.count.high));
  const scale = barArea / largest;
  const x0 = layout.labelWidth;
  const body = chart.bars.map((bar, i) => {
    const rowTop = layout.top + i * layout.rowHeight;
    const barTop = rowTop + (layout.rowHeight - layout.barHeight) / 2;
    const textY = rowTop + layout.rowHeight / 2 + 5;
    const low = bar.count.low * scale;
    const high = bar.count.high * scale;
    const solid = `<rect class="pbx-chart__bar" x="${x0}" y="${barTop}" width="${px(low)}" height="${layout.barHeight}" fill="${colours.bar}"/>`;
    const bound =
      high > low
        ? `<rect class="pbx-chart__bound" x="${px(x0 + low)}" y="${barTop + 1}" width="${px(high - low)}" height="${layout.barHeight - 2}" fill="none" stroke="${colours.bar}" stroke-width="2" stroke-dasharray="4 3"/>`
        : '';
    return (
      `<g class="pbx-chart__row">` +
      `<text x="${x0 - 8}" y="${textY}" text-anchor="end" fill="${colours.text}">${escapeXml(shortLabel(bar.label))}</text>` +
      solid +
      bound +
      `<text class="pbx-chart__value" x="${px(x0 + high + 8)}" y="${textY}" fill="${colours.text}">${escapeXml(rangeText(bar.count))}</text>` +
      `</g>`
    );
  });
  const axis = `<line x1="${x0}" y1="${layout.top}" x2="${x0}" y2="${height - layout.top}" stroke="${colours.axis}" stroke-width="1"/>`;
  return `${open}${axis}${body.join('')}</svg>`;
};

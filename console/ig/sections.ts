import { type Bar, barChartSvg, type CountRange, rangeText } from '../charts.ts';
import { type Cell, countCell, type Names, nameOf, numericHead, type Table, textCell } from './words.ts';

/**
 * The IG answers as a page shows them (pure: answer in, view out): sections of a table each, some with a chart of
 * the same numbers beside it. A chart's own table holds exactly the numbers it draws, so nothing is only a picture.
 */
export type AnswerSection = { readonly heading: string; readonly chart?: string; readonly table: Table };

export const headings = (...texts: string[]): Cell[] => texts.map(textCell);

/** A count range as a table cell: an exact count or `<5` as the exchange sent it, else its bounds in words. */
export const rangeCell = (range: CountRange): Cell => {
  if (range.low === range.high) return countCell(range.low);
  if (range.low === 1 && range.high === 4) return countCell('<5');
  return {
    text: rangeText(range),
    format: 'numeric',
    attributes: { 'data-count': `${range.low}-${range.high}` },
  };
};

/** A chart and its table: one row a bar, its label and its count. */
export const chartSection = (
  id: string,
  heading: string,
  labelHeading: string,
  countHeading: string,
  bars: readonly Bar[],
): AnswerSection => ({
  heading,
  chart: barChartSvg({
    id: `${id}-chart`,
    title: heading,
    description: `A bar chart of the table "${heading}" that follows it: one bar for each ${labelHeading.toLowerCase()}.`,
    bars,
  }),
  table: {
    id: `${id}-chart-table`,
    caption: heading,
    head: [textCell(labelHeading), numericHead(countHeading)],
    rows: bars.map((b) => [textCell(b.label), rangeCell(b.count)]),
  },
});

export const pairText = (names: Names, row: { requester: string; responder?: string | undefined }) =>
  row.responder === undefined
    ? nameOf(names, row.requester)
    : `${nameOf(names, row.requester)} to ${nameOf(names, row.responder)}`;

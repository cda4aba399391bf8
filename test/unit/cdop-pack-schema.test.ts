import { describe, expect, it } from 'vitest';
import { exampleReport } from '#local/seed/example-cdop.ts';
import { assemblePanelPack, type PanelCaseSummary, panelPackSchema } from '#shared/domain/cdop/panel-pack.ts';
import { parseReport, reportingFormSchemas } from '#shared/domain/cdop/reporting-form.ts';

// A stored panel pack is parsed at the boundary with `panelPackSchema` before it is served (fetch-pack.ts). The
// schema must take every pack `assemblePanelPack` makes: redaction replaces a part A value by a marker longer than
// it, so a redacted string may pass the bound its form set, and the pack must still parse.

const caseId = '01JZ8M6Q3T5R0Y4B2N7K9C1D3E';
const summary: PanelCaseSummary = {
  caseId,
  cdopFootprintId: 'bhr-cdop-area',
  boroughOfResidence: 'lb-havering',
  dateOfBirth: '2024-02-10',
  dateOfDeath: '2026-01-05',
  expected: false,
  placeCategory: 'home',
  diedInFootprint: true,
  agenciesRequested: ['lb-havering'],
};

describe('the panel pack schema', () => {
  it('takes a pack whose redacted text is longer than its form allowed, and refuses a part A put back', () => {
    // A 200-character service (the form's limit) naming the child: redacted, it is longer than 200.
    const service = `${'Okonkwo '.repeat(24)}`.padEnd(200, 'x');
    const report = parseReport(
      '2026',
      exampleReport(caseId, 'lb-havering', {
        partB: {
          ...exampleReport(caseId, 'lb-havering').partB,
          involvement: { status: 'past', services: [service] },
        },
      }),
    );
    const pack = assemblePanelPack(summary, [report]);
    const [redacted] = pack.reports[0]?.body.partB.involvement.services ?? [];
    expect(redacted?.length ?? 0).toBeGreaterThan(200);
    expect(reportingFormSchemas['2026'].partB.safeParse(pack.reports[0]?.body.partB).success).toBe(false);

    const stored = JSON.parse(JSON.stringify(pack));
    expect(panelPackSchema.parse(stored)).toEqual(stored);

    const withPartA = {
      ...stored,
      reports: [{ ...stored.reports[0], body: { ...stored.reports[0].body, partA: {} } }],
    };
    expect(panelPackSchema.safeParse(withPartA).success).toBe(false);
  });
});

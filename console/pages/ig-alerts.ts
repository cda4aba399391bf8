import type { Hono } from 'hono';
import type { Alert } from '#shared/domain/alerts/alert.ts';
import { alertIdSchema, alertStatuses } from '#shared/domain/alerts/alert.ts';
import { alertRules } from '#shared/domain/alerts/rules.ts';
import type { ConsoleContext, ConsoleEnv } from '../context.ts';
import { type FormFields, FormProblems, textOf } from '../forms.ts';
import { refusedPage } from './audit.ts';

/**
 * The alerts page of the IG answers section (docs/CONSOLE.md, docs/IG.md "Anomaly alerts"): the anomaly alerts of
 * the person's organisation (the operator: all), each with its rule in plain English, who, when and links to the
 * audit entries that raised it, and forms to acknowledge or close it with a note. A thin handler over
 * `GET /v1/alerts` and the acknowledge and close routes; the exchange decides who may do what.
 */

const ruleNames = new Map(alertRules.map((r) => [r.id, r.name]));
const statusText: Record<Alert['status'], string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

/** An alert as the page shows it: its facts as summary rows, and the leaves as links to the evidence page. */
const alertView = (alert: Alert, fieldErrors: Readonly<Record<string, string>>) => ({
  id: alert.id,
  rule: ruleNames.get(alert.rule) ?? alert.rule,
  status: statusText[alert.status],
  open: alert.status !== 'closed',
  mayAcknowledge: alert.status === 'open',
  noteError: fieldErrors[`note-${alert.id}`],
  rows: [
    { key: { text: 'Status' }, value: { text: statusText[alert.status] } },
    { key: { text: 'When' }, value: { text: alert.time } },
    { key: { text: 'User' }, value: { text: alert.userId ?? 'None named' } },
    { key: { text: 'Client' }, value: { text: alert.clientId ?? 'None named' } },
    { key: { text: 'Organisations' }, value: { text: alert.organisations.join(', ') } },
    ...(alert.threshold === undefined
      ? []
      : [
          {
            key: { text: 'Threshold' },
            value: { text: `${alert.threshold} (counted ${alert.observed ?? '-'})` },
          },
        ]),
  ],
  entries: alert.entries.map((index) => ({ index, href: `/audit/evidence?first=${index}&last=${index}` })),
  actions: alert.actions.map((a) => ({ text: `${statusText[a.status]} ${a.at} by ${a.by}` })),
});

export const registerIgAlertPages = (app: Hono<ConsoleEnv>): void => {
  const listPage = async (c: ConsoleContext, problems = new FormProblems(), status = 200) => {
    const wanted = alertStatuses.find((s) => s === c.req.query('status'));
    const answer = await c.get('exchange').listAlerts(wanted);
    if (answer.status !== 200) return refusedPage(c, answer, 'Alerts');
    return c.get('page')(
      'ig/alerts.njk',
      {
        title: 'Alerts',
        errors: problems.errors,
        done: ['acknowledged', 'closed'].find((d) => d === c.req.query('done')),
        statusItems: [
          { value: '', text: 'Any status', selected: wanted === undefined },
          ...alertStatuses.map((s) => ({ value: s, text: statusText[s], selected: s === wanted })),
        ],
        alerts: answer.body.alerts.map((a) => alertView(a, problems.fieldErrors)),
      },
      status,
    );
  };

  app.get('/ig/alerts', (c) => listPage(c));

  for (const action of ['acknowledge', 'close'] as const) {
    app.post(`/ig/alerts/:alertId/${action}`, async (c) => {
      const alertId = c.req.param('alertId');
      if (!alertIdSchema.safeParse(alertId).success) return c.get('page')('not-found.njk', {}, 404);
      const fields: FormFields = await c.req.parseBody({ all: true });
      const note = textOf(fields, 'note');
      if (note === '') {
        const problems = new FormProblems();
        problems.add(`note-${alertId}`, `Enter a note saying why you ${action} this alert`);
        return listPage(c, problems, 400);
      }
      const answer = await c.get('exchange').actOnAlert(alertId, action, note);
      if (answer.status !== 200) return refusedPage(c, answer, 'Alerts');
      return c.redirect(`/ig/alerts?done=${action === 'acknowledge' ? 'acknowledged' : 'closed'}`, 303);
    });
  }
};

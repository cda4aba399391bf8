import type { Hono } from 'hono';
import type { AgreementView } from '#client/pbx-client.ts';
import {
  agreementList,
  contentView,
  isAgreementId,
  isParty,
  parseSignForm,
  parseStandingForm,
  type StandingChange,
  standingTag,
  standingText,
  versionViews,
} from '../agreements-view.ts';
import type { FormError } from '../audit-view.ts';
import { type ConsoleContext, type ConsoleEnv, sessionOf } from '../context.ts';
import { explain, refusalOf } from '../plain-english.ts';

const done: Readonly<Record<string, string>> = {
  signed: 'You signed the version.',
  suspended: 'You suspended the agreement. Requests under it are refused until it is resumed.',
  resumed: 'You resumed the agreement. Requests under it carry on as before.',
};

type ShowState = {
  readonly errors?: readonly FormError[];
  readonly fieldErrors?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, string>>;
  readonly refusal?: { summary: string; reasons: readonly string[] };
};

const refusedPage = (c: ConsoleContext, response: { status: number; body: unknown }, title: string) => {
  const { summary, reasons } = explain(refusalOf(response));
  return c.get('page')('agreements/refused.njk', { title, summary, reasons }, response.status);
};

/** One agreement as the exchange shows it, or the page for what it answered instead (not found: 404). */
const fetchAgreement = async (
  c: ConsoleContext,
  id: string,
): Promise<{ agreement: AgreementView } | { response: Response }> => {
  if (!isAgreementId(id)) return { response: c.get('page')('not-found.njk', {}, 404) };
  const answer = await c.get('exchange').getAgreement(id);
  if (answer.status === 200) return { agreement: answer.body.agreement };
  if (answer.status === 404) return { response: c.get('page')('not-found.njk', {}, 404) };
  return { response: refusedPage(c, answer, 'Agreement') };
};

const showPage = (c: ConsoleContext, agreement: AgreementView, state: ShowState = {}, status = 200) => {
  const session = sessionOf(c);
  const versions = versionViews(agreement, session);
  const wanted = Number(c.req.query('version') ?? agreement.latestVersion);
  const shown =
    agreement.versions.find((v) => v.version === wanted) ??
    agreement.versions.find((v) => v.version === agreement.latestVersion);
  const party = isParty(agreement, session.organisationId);
  const standingState = agreement.standing.state;
  return c.get('page')(
    'agreements/show.njk',
    {
      title: shown?.content.title ?? agreement.id,
      agreement,
      standing: standingText(agreement),
      tag: standingTag(agreement),
      content: shown === undefined ? undefined : contentView(shown.content),
      shownVersion: shown?.version,
      versions,
      party,
      maySuspend: party && standingState !== 'suspended' && standingState !== 'revoked',
      mayResume: party && standingState === 'suspended',
      done: done[c.req.query('done') ?? ''],
      errors: state.errors ?? [],
      fieldErrors: state.fieldErrors ?? {},
      values: state.values ?? {},
      refusal: state.refusal,
    },
    status,
  );
};

/** The agreements pages: list, read one (content, versions, who signed), sign a version, suspend and resume. */
export const registerAgreementPages = (app: Hono<ConsoleEnv>): void => {
  app.get('/agreements', async (c) => {
    const answer = await c.get('exchange').listAgreements();
    if (answer.status !== 200) return refusedPage(c, answer, 'Agreements');
    const { ours, others } = agreementList(answer.body.agreements, sessionOf(c).organisationId);
    return c.get('page')('agreements/list.njk', { ours, others });
  });

  app.get('/agreements/:id', async (c) => {
    const found = await fetchAgreement(c, c.req.param('id'));
    return 'response' in found ? found.response : showPage(c, found.agreement);
  });

  app.post('/agreements/:id/versions/:version/sign', async (c) => {
    const found = await fetchAgreement(c, c.req.param('id'));
    if ('response' in found) return found.response;
    const { agreement } = found;
    const version = agreement.versions.find((v) => String(v.version) === c.req.param('version'));
    if (version === undefined) return c.get('page')('not-found.njk', {}, 404);
    const form = parseSignForm(await c.req.parseBody(), version);
    if (!form.ok) return showPage(c, agreement, form, 400);
    const answer = await c
      .get('exchange')
      .signAgreementVersion(agreement.id, version.version, form.value.contentHash);
    if (answer.status !== 201) {
      return showPage(c, agreement, { refusal: explain(refusalOf(answer)) }, answer.status);
    }
    return c.redirect(`/agreements/${agreement.id}?done=signed`, 303);
  });

  const standingChange = (change: StandingChange) =>
    app.post(`/agreements/:id/${change}`, async (c) => {
      const found = await fetchAgreement(c, c.req.param('id'));
      if ('response' in found) return found.response;
      const { agreement } = found;
      const body = await c.req.parseBody();
      const form = parseStandingForm(body, change);
      if (!form.ok) {
        const reason = typeof body.reason === 'string' ? body.reason : '';
        return showPage(c, agreement, { ...form, values: { [`${change}-reason`]: reason } }, 400);
      }
      const answer = await c.get('exchange').changeAgreementStanding(agreement.id, change, form.value.reason);
      if (answer.status !== 200) {
        return showPage(c, agreement, { refusal: explain(refusalOf(answer)) }, answer.status);
      }
      return c.redirect(
        `/agreements/${agreement.id}?done=${change === 'suspend' ? 'suspended' : 'resumed'}`,
        303,
      );
    });
  standingChange('suspend');
  standingChange('resume');
};

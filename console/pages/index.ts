import type { Hono } from 'hono';
import type { ConsoleEnv } from '../context.ts';
import { sessionOf } from '../context.ts';
import { sectionsFor } from '../navigation.ts';
import { registerAgreementPages } from './agreements.ts';
import { registerAuditPages } from './audit.ts';
import { registerCdop } from './cdop.ts';
import { registerIgPages } from './ig.ts';
import { registerIgAlertPages } from './ig-alerts.ts';
import { registerRequestPages } from './requests.ts';

/** Every page of the console behind sign-in, section by section. */
export const registerPages = (app: Hono<ConsoleEnv>): void => {
  app.get('/', (c) => {
    const session = sessionOf(c);
    return c.get('page')('home.njk', { sections: sectionsFor(session.roles) });
  });
  registerAuditPages(app);
  registerIgPages(app);
  registerIgAlertPages(app);
  registerAgreementPages(app);
  registerRequestPages(app);
  registerCdop(app);
};

import type { Context } from 'hono';
import type { PbxClient } from '#client/pbx-client.ts';
import type { FootprintKeySource } from './config.ts';
import type { SectionId } from './navigation.ts';
import type { PageContext } from './render.ts';
import type { Session } from './session.ts';

/** What each request carries through the console's middleware. */
export type ConsoleEnv = {
  Variables: {
    /** The per-response nonce of the Content-Security-Policy (the one inline script of the GOV.UK template). */
    nonce: string;
    session: Session | undefined;
    /** Renders a page with the layout's context: the person, their navigation, the form token, the nonce. */
    page: (view: string, context?: PageContext, status?: number) => Response;
    /** The exchange, as this person through their organisation's console client; only behind sign-in. */
    exchange: PbxClient;
    /** Where the footprints' pseudonymisation keys are: to turn an NHS number into a subject reference here. */
    footprintKeys: FootprintKeySource;
  };
};

export type ConsoleContext = Context<ConsoleEnv>;

/** The signed-in person of a page behind sign-in (every page but the sign-in ones). */
export const sessionOf = (c: ConsoleContext): Session => {
  const session = c.get('session');
  if (session === undefined) throw new Error('a page behind sign-in ran without a session');
  return session;
};

export type { SectionId };

/**
 * The console's two Lambda functions (infra/stacks/console-stack.ts), named once for the stack and for
 * `npm run bench:bundles`. Entries are relative to functions/, as the house function takes them.
 */
export const consoleFunctions = {
  /** The web console. It carries Hono, Nunjucks, openid-client and the client library: its own size budget. */
  console: {
    id: 'Console',
    entry: '../console/lambda.ts',
    // Measured 363.7 kB (3 December 2026); the budget is about 20 % above it.
    budgetKb: 440,
  },
  /** The user pool's pre token generation trigger: an organisation's IdP signs in its own people only. */
  signInCheck: { id: 'SignInCheck', entry: '../console/aws-sign-in-check.ts' },
} as const;

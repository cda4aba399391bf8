import * as z from 'zod';
import { type CommandInput, printJson } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

const whoamiSchema = z.object({
  client: z.object({ id: z.string(), name: z.string() }),
  organisation: z.object({ id: z.string(), name: z.string() }),
  user: z.object({ id: z.string(), displayName: z.string(), roles: z.array(z.string()) }).nullable(),
  key: z.object({ kid: z.string(), alg: z.string() }),
});

const describeUser = (user: z.infer<typeof whoamiSchema>['user']): string =>
  user === null ? 'nobody' : `${user.id} (${user.displayName}; roles: ${user.roles.join(', ') || 'none'})`;

export const runWhoami = async ({ values, io }: CommandInput): Promise<void> => {
  const { client, url } = await connect(values, io);
  const body = successBody(await reach(url, () => client.whoami()), values, io);
  if (values.json) return;
  const parsed = whoamiSchema.safeParse(body);
  if (!parsed.success) return printJson(io, body);
  const { client: who, organisation, key, user } = parsed.data;
  io.stdout(
    `${who.id} (${who.name}) of ${organisation.id}, key ${key.kid} ${key.alg}, acting for ${describeUser(user)}\n`,
  );
};

/**
 * The console's sections and who sees each: a section shows only to a person with one of its roles (the exchange
 * still decides every action; this only keeps people from pages they could not use).
 */
export const sections = [
  {
    id: 'requests',
    text: 'Requests',
    href: '/requests',
    roles: ['practitioner', 'ig-lead', 'caldicott-guardian', 'dpo'],
  },
  { id: 'cdop', text: 'Child death reviews', href: '/cdop', roles: ['cdop-manager', 'cdop-coordinator'] },
  {
    id: 'audit',
    text: 'Audit',
    href: '/audit',
    roles: ['ig-lead', 'caldicott-guardian', 'dpo', 'operator', 'scrutineer'],
  },
  {
    id: 'ig',
    text: 'IG answers',
    href: '/ig',
    roles: ['ig-lead', 'caldicott-guardian', 'dpo', 'operator', 'scrutineer'],
  },
  {
    id: 'agreements',
    text: 'Agreements',
    href: '/agreements',
    roles: ['ig-lead', 'caldicott-guardian', 'dpo'],
  },
] as const satisfies readonly { id: string; text: string; href: string; roles: readonly string[] }[];

export type SectionId = (typeof sections)[number]['id'];

export const sectionsFor = (roles: readonly string[]) =>
  sections.filter((s) => s.roles.some((r) => roles.includes(r)));

/** The service navigation of GOV.UK Frontend: the sections the person may see, the current one marked. */
export const navigationItems = (roles: readonly string[], currentPath: string) =>
  sectionsFor(roles).map((s) => ({
    text: s.text,
    href: s.href,
    active: currentPath === s.href || currentPath.startsWith(`${s.href}/`),
  }));

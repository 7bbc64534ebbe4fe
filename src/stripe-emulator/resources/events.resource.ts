import type { StripeEvent } from '../objects/api-objects';
import { listPage, listParams, newestFirst } from '../objects/list-page';
import { expandParam, inRange, param, validateParams } from '../params/param-spec';
import { paramErrors } from '../stripe-api-error';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const listEvents = {
  ...listParams,
  type: param.string(),
  types: param.list(param.string(), { maxItems: 20 }),
  created: param.range(),
} as const;

const retrieveEvent = { expand: expandParam } as const;

/** `charge.refunded`, or a `*` wildcard like `checkout.session.*`, as Stripe's filter allows. */
function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const regex = new RegExp(`^${escaped.join('.*')}$`);
  return (type) => regex.test(type);
}

export const eventRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/events',
    handle: ({ state, params }) => {
      const input = validateParams(listEvents, params);
      if (input.type && input.types) throw paramErrors.exclusive(['type', 'types']);
      const patterns = input.types ?? (input.type ? [input.type] : []);
      const matchers = patterns.map(typeMatcher);
      const page = listPage(
        newestFirst(state.events.values()),
        (event: StripeEvent) =>
          (matchers.length === 0 || matchers.some((matches) => matches(event.type))) &&
          (!input.created || inRange(event.created, input.created)),
        input,
        '/v1/events',
        'event',
      );
      return { body: present(state, page, input.expand) };
    },
  },
  {
    method: 'GET',
    path: '/v1/events/:id',
    handle: ({ state, params, pathParams }) => {
      const input = validateParams(retrieveEvent, params);
      return { body: present(state, state.event(pathParams.id), input.expand) };
    },
  },
];

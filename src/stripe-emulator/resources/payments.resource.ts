import { expandParam, validateParams } from '../params/param-spec';
import type { ApiRoute } from './api-route';
import { present } from './expand';

const retrieve = { expand: expandParam } as const;

/** Read-only objects that payments produce: Charges, Disputes. */
export const paymentRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/charges/:id',
    handle: ({ state, params, pathParams }) => ({
      body: present(state, state.charge(pathParams.id), validateParams(retrieve, params).expand),
    }),
  },
  {
    method: 'GET',
    path: '/v1/disputes/:id',
    handle: ({ state, params, pathParams }) => ({
      body: present(state, state.dispute(pathParams.id), validateParams(retrieve, params).expand),
    }),
  },
];

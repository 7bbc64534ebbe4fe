import type { ApiRoute } from '../resources/api-route';
import { checkoutSessionRoutes } from '../resources/checkout-sessions.resource';
import { customerRoutes } from '../resources/customers.resource';
import { eventRoutes } from '../resources/events.resource';
import { paymentIntentRoutes } from '../resources/payment-intents.resource';
import { paymentLinkRoutes } from '../resources/payment-links.resource';
import { paymentMethodRoutes } from '../resources/payment-methods.resource';
import { paymentRoutes } from '../resources/payments.resource';
import { priceRoutes } from '../resources/prices.resource';
import { productRoutes } from '../resources/products.resource';
import { refundRoutes } from '../resources/refunds.resource';

export interface RouteMatch {
  route: ApiRoute;
  pathParams: Record<string, string>;
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

const ROUTES: CompiledRoute[] = [
  ...productRoutes,
  ...priceRoutes,
  ...paymentLinkRoutes,
  ...checkoutSessionRoutes,
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...paymentIntentRoutes,
  ...paymentRoutes,
  ...refundRoutes,
  ...eventRoutes,
].map(compile);

function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const { route, pattern, names } of ROUTES) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    names.forEach((name, index) => {
      pathParams[name] = safeDecode(match[index + 1]);
    });
    return { route, pathParams };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

import helmet from 'helmet';

/**
 * Helmet's headers on every response (HTML pages, Swagger UI, JSON): no page of ours may be
 * framed (clickjacking of the pay and first-payment pages), nothing is content-sniffed, and a
 * page loads scripts only from Courtside itself.
 */
export const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'none'"],
        // The club's logo (https) in a statement preview.
        'img-src': ["'self'", 'data:', 'https:'],
        // Courtside is reached over plain HTTP on loopback; TLS, where there is any, ends at a proxy.
        'upgrade-insecure-requests': null,
      },
    },
    xFrameOptions: { action: 'deny' },
    // HSTS is the TLS-terminating proxy's decision, for its whole domain.
    strictTransportSecurity: false,
  });

/**
 * The seller console's Content-Security-Policy: CloudFront adds it in AWS (constructs/seller-console.ts)
 * and the local stack serves the same (scripts/local/console-files.ts). Only where the app may connect differs.
 */
export function consoleContentSecurityPolicy(connectSources: string[]): string {
  return `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src ${connectSources.join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'`;
}

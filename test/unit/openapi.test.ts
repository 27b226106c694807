import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openApiDocument } from '../../scripts/openapi';
import { routes } from '../../shared/http/routes';

describe('OpenAPI document', () => {
  it('documents every route of the route table, and the committed copy is current', () => {
    const document = openApiDocument();
    for (const route of routes) expect(document.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { CLIENT_TYPES_PATH, OPENAPI_PATH, openApiDocument } from '../../scripts/openapi';
import { routes } from '../../shared/http/routes';
import { assertDeclaredResponse, UndeclaredResponse } from '../helpers/openapi-contract';

describe('OpenAPI document', () => {
  it('documents every route of the route table, and the committed copy is current', () => {
    const document = openApiDocument();
    for (const route of routes) expect(document.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    expect(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('every operation has a URL-safe camelCase operationId, a summary and a tag, unique', () => {
    const operations = Object.values(openApiDocument().paths).flatMap((methods) => Object.values(methods) as { operationId: string; summary: string; tags: string[] }[]);
    for (const op of operations) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(op.summary.length).toBeGreaterThan(0);
      expect(op.tags).toHaveLength(1);
    }
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
  });

  it('the committed client types are generated from the committed document (npm run openapi)', async () => {
    const generated = astToString(await openapiTS(new URL(`../../${OPENAPI_PATH}`, import.meta.url)));
    const committed = readFileSync(CLIENT_TYPES_PATH, 'utf8');
    // The CLI adds a header comment; the declarations must be identical.
    expect(committed.slice(committed.indexOf('export interface paths'))).toBe(generated.slice(generated.indexOf('export interface paths')));
  });
});

describe('provider callbacks as providers send them', () => {
  const document = openApiDocument() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[]; requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }>> };
  it('SNS: the text/plain body real SNS posts is declared as text holding the JSON envelope, so a validating proxy accepts it', () => {
    const content = document.paths['/callbacks/sns']!.post!.requestBody.content;
    expect(content['text/plain']!.schema).toMatchObject({ type: 'string', contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/SnsEnvelope' } });
    expect(content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/SnsEnvelope' });
  });

  it('Twilio: X-Twilio-Signature is a required header of both webhooks', () => {
    for (const path of ['/callbacks/twilio/inbound', '/callbacks/twilio/status']) {
      expect(document.paths[path]!.post!.parameters, path).toContainEqual(expect.objectContaining({ name: 'X-Twilio-Signature', in: 'header', required: true }));
    }
  });
});

describe('every response is held to the document', () => {
  const conversation = { id: 'c', record: { type: 'lead', id: 'l' }, recordName: 'Lead L', assigneeName: 'Seller S', customerNumber: '+14255550100', businessNumber: '+14255550101', assignedTo: { type: 'seller', id: 's' }, lastMessageAt: 't', unreadCount: 0, optedOut: false, replyable: true };

  it('a declared status and shape passes', () => {
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 200, 'application/json', conversation)).not.toThrow();
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 404, 'application/json', { error: { code: 'NotFound', message: 'x' } })).not.toThrow();
  });

  it('an undeclared status fails the test that saw it', () => {
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 418, 'application/json', {})).toThrow(UndeclaredResponse);
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 409, 'application/json', { error: { code: 'Conflict', message: 'x' } })).toThrow(/does not declare/);
  });

  it('an undeclared route or method fails too', () => {
    expect(() => assertDeclaredResponse('PATCH', '/conversations/{id}', 200, 'application/json', conversation)).toThrow(UndeclaredResponse);
  });

  it('a body that does not match the schema fails: a missing field, an unknown error code, a wrong media type', () => {
    const { customerNumber: _missing, ...partial } = conversation;
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 200, 'application/json', partial)).toThrow(/customerNumber/);
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 404, 'application/json', { error: { code: 'Nope', message: 'x' } })).toThrow(UndeclaredResponse);
    expect(() => assertDeclaredResponse('GET', '/conversations/{id}', 200, 'text/html', conversation)).toThrow(/text\/html/);
  });
});

import { describe, expect, it } from 'vitest';
import { matchRoute, routes } from '../../shared/http/routes';
import { parseGroups } from '../../shared/http/auth';

describe('route table', () => {
  it('matches literal segments before parameters', () => {
    expect(matchRoute('GET', '/records/contact/c1/related')?.route.path).toBe('/records/contact/{id}/related');
    expect(matchRoute('GET', '/records/account/a1/conversations')?.pathParameters).toEqual({ type: 'account', id: 'a1' });
    expect(matchRoute('GET', '/nowhere')).toBeUndefined();
  });

  it('has every seller route behind the authorizer and only callbacks public', () => {
    for (const route of routes) {
      expect(route.access === 'public', `${route.method} ${route.path}`).toBe(route.path.startsWith('/callbacks/'));
    }
  });
});

describe('JWT groups claim', () => {
  it('reads the API Gateway flattened form and a real array', () => {
    expect(parseGroups('[admin sellers]')).toEqual(['admin', 'sellers']);
    expect(parseGroups(['admin'])).toEqual(['admin']);
    expect(parseGroups('admin,ops')).toEqual(['admin,ops']);
    expect(parseGroups(undefined)).toEqual([]);
  });
});

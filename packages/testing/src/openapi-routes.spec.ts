import { documentedRoutes, undeclaredPathParameters } from './openapi-routes';

const DOC = `openapi: 3.1.0
info:
  title: x
paths:
  /api/x/v1/items:
    get:
      summary: list
    post:
      summary: create
  /api/x/v1/items/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    delete:
      summary: remove
  /api/x/v1/items/{id}/parts/{part}:
    get:
      summary: a part
components:
  schemas:
    Item:
      get:
        not: a route
`;

describe('OpenAPI route lists', () => {
  it('lists every documented operation, and nothing outside paths', () => {
    expect(documentedRoutes(DOC)).toEqual(['DELETE /api/x/v1/items/{id}', 'GET /api/x/v1/items', 'GET /api/x/v1/items/{id}/parts/{part}', 'POST /api/x/v1/items']);
  });

  it('names the path parameters used but not declared', () => {
    expect(undeclaredPathParameters(DOC)).toEqual(['part']);
    expect(undeclaredPathParameters(`${DOC}    - name: part\n      in: path\n`)).toEqual([]);
  });
});

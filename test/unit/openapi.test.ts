// The OpenAPI document: generated from the route declarations, valid against the OpenAPI 3.1
// schema, describing every route with its parameters, headers and answers, and committed
// exactly as generated (CI's gen:check fails on drift).
import fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import { openApiJson } from '../../api/gen-schemas.ts';
import { openApiPath } from '../../api/http/mount.ts';
import { apiRoutes } from '../../api/routes/index.ts';

const document = JSON.parse(openApiJson());

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1, every $ref resolving', async () => {
    await SwaggerParser.validate(structuredClone(document));
    expect(document.openapi).to.equal('3.1.0');
    // The validator does refuse a broken document.
    const broken = structuredClone(document);
    delete broken.paths['/api/health'].get.responses['200'].description;
    const error = await SwaggerParser.validate(broken).then(() => null, (e: unknown) => e as Error);
    expect(error?.message).to.contain("must have required property 'description'");
  });

  it('describes every declared route once, under its operation id', () => {
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    const declared = apiRoutes.map((r) => `${r.method.toUpperCase()} /api${openApiPath(r.path)} ${r.operationId}`);
    expect(operations.sort()).to.deep.equal(declared.sort());
    expect(new Set(apiRoutes.map((r) => r.operationId)).size).to.equal(apiRoutes.length);
  });

  it('documents the concurrency and reason headers, the errors and the security of a change', () => {
    const patch = document.paths['/api/studies/{code}/participants/{participantCode}/sessions/{number}'].patch;
    const headers = patch.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string; required: boolean }) => [p.name, p.required]);
    expect(headers).to.deep.equal([
      ['If-Match', true],
      ['X-Change-Reason', true],
    ]);
    expect(patch.parameters.filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name)).to.deep.equal([
      'code',
      'participantCode',
      'number',
    ]);
    expect(Object.keys(patch.requestBody.content)).to.deep.equal(['application/merge-patch+json']);
    expect(Object.keys(patch.responses).sort()).to.deep.equal(['200', '400', '401', '403', '404', '405', '412', '413', '415', '428']);
    expect(patch.responses['412'].content['application/problem+json'].schema.$ref).to.equal('#/components/schemas/ProblemDetails');
    expect(patch.security).to.deep.equal([{ apiToken: [] }, { signInSession: [] }]);
    expect(document.paths['/api/health'].get.security).to.deep.equal([]);
  });

  it('documents a body as a merge patch exactly where its route declares one, as every PATCH with a body does', () => {
    const withBody = apiRoutes.filter((r) => r.body);
    const documented = withBody.map((r) => [r.operationId, Object.keys(document.paths[`/api${openApiPath(r.path)}`][r.method].requestBody.content)]);
    expect(documented).to.deep.equal(withBody.map((r) => [r.operationId, [r.mergePatch ? 'application/merge-patch+json' : 'application/json']]));
    expect(withBody.filter((r) => r.mergePatch).map((r) => r.operationId)).to.deep.equal([
      'patchStudy',
      'patchSite',
      'patchPractitioner',
      'patchParticipant',
      'patchSession',
      'patchAdverseEvent',
      'patchFadingAssessment',
      'patchSurvey',
      'patchUser',
    ]);
    expect(apiRoutes.filter((r) => r.method === 'patch' && r.body && !r.mergePatch)).to.deep.equal([]);
  });

  it('names the record shapes as components, derived from the bundle schemas', () => {
    const schemas = document.components.schemas;
    for (const name of ['StudyBundle', 'Participant', 'ParticipantRecord', 'SessionRecord', 'AdverseEventRecord', 'AuditEntry', 'ProblemDetails']) {
      expect(schemas, name).to.have.property(name);
    }
    expect(schemas.AdverseEventRecord.properties.category.enum).to.deep.equal(schemas.AdverseEvent.properties.category.enum);
    expect(schemas.AdverseEventRecord.required).to.include.members(['no', 'version', 'category', 'onsetDate']);
  });

  it('is committed exactly as generated', () => {
    expect(fs.readFileSync(new URL('../../api/schemas/openapi.json', import.meta.url), 'utf8')).to.equal(openApiJson());
  });
});

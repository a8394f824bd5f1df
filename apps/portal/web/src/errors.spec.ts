import i18next from 'i18next';
import { ApiError, NETWORK_ERROR } from './api/client';
import { errorReference, errorText } from './errors';
import { RESOURCES } from './i18n';

async function translator(lng: 'ko' | 'en') {
  const instance = i18next.createInstance();
  await instance.init({ lng, fallbackLng: false, resources: { [lng]: { translation: RESOURCES[lng] } }, interpolation: { escapeValue: false } });
  return instance.t;
}

describe('a refusal in words', () => {
  it('says what a known code means, in the user language, never the bare code', async () => {
    const en = await translator('en');
    const ko = await translator('ko');
    const refused = new ApiError(403, 'project_not_allowed', 'project payments is not one of yours');
    expect(errorText(en, refused)).toBe('You do not have access to this project. Ask your project administrator.');
    expect(errorText(ko, refused)).toBe('이 프로젝트에 대한 권한이 없습니다. 프로젝트 관리자에게 문의하세요.');
    for (const code of ['workspace_not_found', 'not_workspace_owner', 'csrf_rejected', 'forbidden', 'rate_limited', 'audit_export_too_large', NETWORK_ERROR]) {
      const text = errorText(en, new ApiError(403, code, ''));
      expect(text).not.toContain(code);
      expect(text.length).toBeGreaterThan(15);
    }
  });

  it("keeps the quota's own message, which names the limit", async () => {
    const en = await translator('en');
    const quota = new ApiError(409, 'quota_exceeded', 'quota user.cpu_millis exceeded: 6000 of 4000');
    expect(errorText(en, quota)).toBe('Your quota does not allow this: quota user.cpu_millis exceeded: 6000 of 4000');
    expect(errorText(await translator('ko'), quota)).toBe('할당량을 초과하여 처리할 수 없습니다: quota user.cpu_millis exceeded: 6000 of 4000');
  });

  it("shows the service's message for codes it does not know, and a generic sentence for unavailability", async () => {
    const en = await translator('en');
    expect(errorText(en, new ApiError(400, 'size_unknown', 'size huge is not offered'))).toBe('Something went wrong: size huge is not offered');
    expect(errorText(en, new ApiError(503, 'workspace_unavailable', 'db down'))).toBe('The service is temporarily unavailable. Try again in a moment.');
    expect(errorText(en, new Error('boom'))).toBe('Something went wrong: boom');
  });

  it('offers the correlation id as a reference when there is one', () => {
    expect(errorReference(new ApiError(500, 'internal', 'x', false, 'corr-1234'))).toBe('corr-1234');
    expect(errorReference(new Error('x'))).toBeNull();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { LocalAuth } from '../../scripts/local/local-auth';
import { LocalSessions, localTokenSeconds } from '../../scripts/local/local-sessions';
import { appClientSettings } from '../../scripts/local/synth/synth-stack';
import { TemplateModel, type CfnTemplate } from '../../scripts/local/synthesized-template';

/** The local stand-in of the user pool's sessions (issue: a session that lasts the working day). */
describe('local sessions: sign-in, renewal and revocation as Cognito\'s token endpoint answers them', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env.LOCAL_TOKEN_SECONDS = saved.LOCAL_TOKEN_SECONDS;
    process.env.LOCAL_SESSION_HOURS = saved.LOCAL_SESSION_HOURS;
    if (saved.LOCAL_TOKEN_SECONDS === undefined) delete process.env.LOCAL_TOKEN_SECONDS;
    if (saved.LOCAL_SESSION_HOURS === undefined) delete process.env.LOCAL_SESSION_HOURS;
  });

  it('a sign-in gives an access token of LOCAL_TOKEN_SECONDS and a refresh token; the refresh token renews it', async () => {
    process.env.LOCAL_TOKEN_SECONDS = '20';
    const auth = new LocalAuth('sessions');
    const sessions = new LocalSessions(auth);
    const signIn = await sessions.route('POST', '/local/token', JSON.stringify({ sub: 'alice', groups: ['admin'] }));
    expect(signIn?.status).toBe(200);
    const { token, refreshToken, expiresIn } = signIn!.body as { token: string; refreshToken: string; expiresIn: number };
    expect(expiresIn).toBe(20);
    const claims = await auth.verify(token);
    expect(claims?.sub).toBe('alice');
    expect(claims!.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(20);
    const renewed = await sessions.route('POST', '/local/oauth2/token', new URLSearchParams({ grant_type: 'refresh_token', client_id: 'console', refresh_token: refreshToken }).toString());
    expect(renewed).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 20 } });
    const fresh = (renewed!.body as { access_token: string }).access_token;
    expect(await auth.claims(`Bearer ${fresh}`)).toEqual({ sub: 'alice', 'cognito:groups': '[admin]' });
  });

  it('a revoked or expired session renews nothing (invalid_grant); other grants and bad bodies are refused', async () => {
    process.env.LOCAL_SESSION_HOURS = '1';
    let now = Date.now();
    const sessions = new LocalSessions(new LocalAuth('sessions'), () => now);
    const renew = (refreshToken: string) => sessions.route('POST', '/local/oauth2/token', new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString());
    const a = await sessions.signIn('alice', []);
    expect((await sessions.route('POST', '/local/oauth2/revoke', new URLSearchParams({ token: a.refresh_token }).toString()))?.status).toBe(200);
    expect(await renew(a.refresh_token)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    const b = await sessions.signIn('bob', []);
    now += 3601 * 1000;
    expect(await renew(b.refresh_token)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    expect((await sessions.route('POST', '/local/oauth2/token', 'grant_type=password&username=x'))?.body).toEqual({ error: 'unsupported_grant_type' });
    expect((await sessions.route('POST', '/local/token', '{"sub":7}'))?.status).toBe(400);
    expect(await sessions.route('GET', '/local/oauth2/token', '')).toBeUndefined();
  });

  it('LOCAL_TOKEN_SECONDS is checked', () => {
    expect(localTokenSeconds({})).toBe(3600);
    expect(() => localTokenSeconds({ LOCAL_TOKEN_SECONDS: 'soon' })).toThrow(/LOCAL_TOKEN_SECONDS/);
  });

  it('--synth plays the template\'s app client: its lifetimes, its client id on every token request, revocation as set', async () => {
    const template = (props: Record<string, unknown>): TemplateModel => new TemplateModel({ Resources: { Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: props } } } as unknown as CfnTemplate);
    const settings = appClientSettings(template({ GenerateSecret: false, AllowedOAuthFlows: ['code'], AccessTokenValidity: 60, RefreshTokenValidity: 12, EnableTokenRevocation: true, TokenValidityUnits: { AccessToken: 'minutes', RefreshToken: 'hours' } }), 'client-1');
    expect(settings).toEqual({ clientId: 'client-1', tokenSeconds: 3600, sessionSeconds: 12 * 3600, revocation: true });
    expect(() => appClientSettings(template({ GenerateSecret: true }), 'c')).toThrow(/secret/);
    expect(() => appClientSettings(template({ AllowedOAuthFlows: ['code', 'implicit'] }), 'c')).toThrow(/PKCE/);
    // Cognito's defaults where the template sets nothing: one hour, thirty days.
    expect(appClientSettings(template({}), undefined)).toEqual({ tokenSeconds: 3600, sessionSeconds: 30 * 86_400, revocation: true });

    delete process.env.LOCAL_TOKEN_SECONDS;
    let now = Date.now();
    const sessions = new LocalSessions(new LocalAuth('sessions'), () => now, { ...settings, tokenSeconds: 120 });
    const a = await sessions.signIn('alice', []);
    expect(a.expires_in).toBe(120);
    const renew = (client: string) => sessions.route('POST', '/local/oauth2/token', new URLSearchParams({ grant_type: 'refresh_token', client_id: client, refresh_token: a.refresh_token }).toString());
    expect(await renew('another-client')).toEqual({ status: 400, body: { error: 'invalid_client' } });
    expect((await renew('client-1'))?.status).toBe(200);
    // LOCAL_TOKEN_SECONDS wins over the template (a day compressed into minutes).
    process.env.LOCAL_TOKEN_SECONDS = '20';
    expect((await renew('client-1'))?.body).toMatchObject({ expires_in: 20 });
    now += 12 * 3600 * 1000 + 1;
    expect(await renew('client-1')).toEqual({ status: 400, body: { error: 'invalid_grant' } });

    const unrevocable = new LocalSessions(new LocalAuth('sessions'), Date.now, { clientId: 'c2', revocation: false });
    const b = await unrevocable.signIn('bob', []);
    expect(await unrevocable.route('POST', '/local/oauth2/revoke', new URLSearchParams({ token: b.refresh_token, client_id: 'c2' }).toString())).toEqual({ status: 400, body: { error: 'unsupported_token_type' } });
  });
});

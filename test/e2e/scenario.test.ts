import { describe, expect, it } from 'vitest';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeUser } from '../helpers/factories.js';
import { makeImage, serveFiles } from '../helpers/images.js';
import { cookieNamed, csrfOf, FORM, form, signInForm, submitConsent } from '../helpers/oauth.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const SCOPES = 'boards:read,boards:write,pins:read,pins:write,user_accounts:read';

describe('a Pinterest API client, end to end over HTTP', () => {
  it('signs a user in through OAuth, then manages boards, sections and pins', async () => {
    const photo = await makeImage({ width: 800, height: 600, color: '#228844', format: 'jpeg' });
    const base = await serveFiles({ '/photo.jpg': { body: photo, type: 'image/jpeg' } });
    const app = await startTestApp({ env: { FETCH_ALLOW_HOSTS: new URL(base).host } });
    const client = await app.product.oauth.createApp('Scenario client', [REDIRECT]);
    const basic = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
    const authorize = `/oauth/?${new URLSearchParams({ client_id: client.id, redirect_uri: REDIRECT, response_type: 'code', scope: SCOPES, state: 's1' })}`;

    // 1. Sign up on the consent page, approve, get a code.
    const signupForm = await signInForm(app, authorize);
    const signup = await app.http.inject({
      method: 'POST',
      url: '/oauth/signup',
      headers: { 'content-type': FORM, cookie: signupForm.cookie },
      payload: form({
        username: 'scenario_user',
        email: 'scenario@example.org',
        password: 'long password',
        next: authorize,
        csrf: signupForm.csrf,
      }),
    });
    expect(signup.statusCode).toBe(303);
    const cookie = cookieNamed(signup, 'cb_session')!;
    const consent = await app.http.inject({
      method: 'GET',
      url: signup.headers.location as string,
      headers: { cookie },
    });
    const csrf = csrfOf(consent.body);
    const approved = await submitConsent(app, cookie, {
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: SCOPES,
      state: 's1',
      csrf,
      decision: 'approve',
    });
    const code = new URL(approved.headers.location as string).searchParams.get('code')!;

    // 2. Tokens, refresh.
    const grant = (
      await app.http.inject({
        method: 'POST',
        url: '/v5/oauth/token',
        headers: { 'content-type': FORM, authorization: basic },
        payload: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
      })
    ).json();
    const refreshed = await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token',
      headers: { 'content-type': FORM, authorization: basic },
      payload: form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token }),
    });
    expect(refreshed.statusCode).toBe(200);
    const headers = { authorization: `Bearer ${refreshed.json().access_token}` };
    const api = (method: string, url: string, payload?: unknown) =>
      app.http.inject({ method: method as 'GET', url, headers, payload: payload as object });

    // 3. Boards and sections.
    const board = (await api('POST', '/v5/boards', { name: 'Garden', description: 'Green things' })).json();
    const section = (await api('POST', `/v5/boards/${board.id}/sections`, { name: 'Herbs' })).json();
    expectResponseMatchesSpec('POST', '/boards/{board_id}/sections', 201, section);

    // 4. Pins from a URL and from base64; enough to page.
    const fromUrl = await api('POST', '/v5/pins', {
      board_id: board.id,
      board_section_id: section.id,
      title: 'Basil',
      media_source: { source_type: 'image_url', url: `${base}/photo.jpg` },
    });
    expect(fromUrl.statusCode).toBe(201);
    const ids = [fromUrl.json().id as string];
    for (let i = 0; i < 6; i++) {
      const res = await api('POST', '/v5/pins', {
        board_id: board.id,
        title: `Leaf ${i}`,
        media_source: {
          source_type: 'image_base64',
          content_type: 'image/jpeg',
          data: photo.toString('base64'),
        },
      });
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
    }
    const seen: string[] = [];
    let bookmark: string | null = null;
    do {
      const url = `/v5/boards/${board.id}/pins?page_size=3${bookmark ? `&bookmark=${bookmark}` : ''}`;
      const page: { items: { id: string }[]; bookmark: string | null } = (await api('GET', url)).json();
      seen.push(...page.items.map((p: { id: string }) => p.id));
      bookmark = page.bookmark;
    } while (bookmark);
    expect(seen).toEqual([...ids].reverse());
    const basil = await eventually(async () => {
      const res = (await api('GET', `/v5/pins/${ids[0]}`)).json();
      return res.media.images?.['1200x'] ? res : undefined;
    });
    expect(basil.media.images['1200x']).toMatchObject({ width: 800, height: 600 });

    // 5. Save another user's pin into the section; update; delete.
    const other = await makeUser(app);
    const otherBoard = (
      await app.http.inject({
        method: 'POST',
        url: '/v5/boards',
        headers: await other.auth(),
        payload: { name: 'Theirs' },
      })
    ).json();
    const theirs = (
      await app.http.inject({
        method: 'POST',
        url: '/v5/pins',
        headers: await other.auth(),
        payload: {
          board_id: otherBoard.id,
          title: 'Mint',
          media_source: {
            source_type: 'image_base64',
            content_type: 'image/jpeg',
            data: photo.toString('base64'),
          },
        },
      })
    ).json();
    const saved = await api('POST', `/v5/pins/${theirs.id}/save`, {
      board_id: board.id,
      board_section_id: section.id,
    });
    expect(saved.statusCode).toBe(201);
    expect(saved.json()).toMatchObject({ parent_pin_id: theirs.id, board_section_id: section.id });
    const inSection = (await api('GET', `/v5/boards/${board.id}/sections/${section.id}/pins`)).json();
    expect(inSection.items.map((p: { id: string }) => p.id)).toEqual([saved.json().id, ids[0]]);
    expect(
      (await api('PATCH', `/v5/pins/${ids[1]}`, { title: 'Renamed', board_section_id: section.id })).json(),
    ).toMatchObject({
      title: 'Renamed',
      board_section_id: section.id,
    });
    expect((await api('DELETE', `/v5/pins/${ids[2]}`)).statusCode).toBe(204);
    expect((await api('GET', `/v5/boards/${board.id}`)).json().pin_count).toBe(7);
    const me = (await api('GET', '/v5/user_account')).json();
    expect(me).toMatchObject({ username: 'scenario_user', board_count: 1, pin_count: 7 });

    // 6. Revoke: the token stops working.
    await app.http.inject({
      method: 'POST',
      url: '/v5/oauth/token/revoke',
      headers: { 'content-type': FORM, authorization: basic },
      payload: form({ token: grant.refresh_token }),
    });
    expect((await api('GET', '/v5/user_account')).statusCode).toBe(401);
  });
});

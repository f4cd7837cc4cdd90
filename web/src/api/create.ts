import { currentToken } from '../auth/session.js';
import { ApiError, api, query, reportUnauthorized } from './client.js';
import type { Board, Page, Pin } from './types.js';

/** A board section, as GET /v5/boards/{board_id}/sections lists them. */
export interface Section {
  id: string;
  name: string;
}

/** A pin as just created: `media.status` (extension) is `pending` until its picture is processed. */
export interface NewPin extends Pin {
  media?: (NonNullable<Pin['media']> & { status?: 'pending' | 'failed' }) | null;
}

/** Picture types the API takes as `image_base64` (its `content_type`). */
export const UPLOAD_TYPES = ['image/jpeg', 'image/png'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];
/** The API's default limit for one picture (IMAGE_MAX_BYTES); a server set lower says so itself. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** The person's boards (the first 100, which is what a picker can show). */
export async function myBoards(): Promise<Board[]> {
  return (await api<Page<Board>>(`/v5/boards${query({ page_size: 100 })}`)).items;
}

export async function sectionsOf(boardId: string): Promise<Section[]> {
  return (await api<Page<Section>>(`/v5/boards/${boardId}/sections${query({ page_size: 100 })}`)).items;
}

export function createBoard(name: string): Promise<Board> {
  return api<Board>('/v5/boards', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
}

export interface PinFields {
  board_id: string;
  board_section_id?: string;
  title?: string;
  description?: string;
  link?: string;
  alt_text?: string;
}

export type MediaSource =
  | { source_type: 'image_base64'; content_type: UploadType; data: string }
  | { source_type: 'image_url'; url: string };

/**
 * POST /v5/pins through XMLHttpRequest, whose upload events tell how much of the body has gone
 * (`onProgress(sent, total)`; fetch cannot say). Resolves with the new pin, or rejects with an ApiError.
 */
export function createPin(
  fields: PinFields,
  media: MediaSource,
  onProgress: (sent: number, total: number) => void,
): Promise<NewPin> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v5/pins');
    xhr.setRequestHeader('content-type', 'application/json');
    const token = currentToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 0, 'Corkboard could not be reached. Check your connection and try again.'));
    xhr.onload = () => {
      let body: { code?: unknown; message?: unknown } | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) return resolve(body as unknown as NewPin);
      if (xhr.status === 401) reportUnauthorized();
      const message =
        typeof body?.message === 'string' && body.message
          ? body.message
          : `The server answered ${xhr.status} ${xhr.statusText}.`;
      reject(new ApiError(xhr.status, typeof body?.code === 'number' ? body.code : 0, message));
    };
    xhr.send(JSON.stringify({ ...fields, media_source: media }));
  });
}

export function getPin(id: string): Promise<NewPin> {
  return api<NewPin>(`/v5/pins/${id}`);
}

import { Type } from 'typebox';
import { ID_PATTERN } from '../../http/id.js';
import { Page } from '../../http/pagination.js';

const MediaType = Type.Literal('video');
const MediaStatus = Type.Union([
  Type.Literal('registered'),
  Type.Literal('processing'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);

export const MediaParams = Type.Object({
  media_id: Type.String({ pattern: ID_PATTERN, description: 'Media upload ID.' }),
});

/** The spec's MediaUploadCreate. */
export const MediaCreate = Type.Object({ media_type: MediaType });

/** The spec's MediaUpload, with our upload token (an extension) among the upload parameters. */
export const MediaUpload = Type.Object({
  media_id: Type.String(),
  media_type: MediaType,
  upload_url: Type.String({
    description: 'Where to POST the file as multipart/form-data (a Corkboard URL).',
  }),
  upload_parameters: Type.Object({
    'Content-Type': Type.String(),
    upload_token: Type.String({
      description: 'Single-use token authorising the upload: send it as a form field before the file.',
    }),
  }),
});

/** The spec's Media. */
export const Media = Type.Object({ media_id: Type.String(), media_type: MediaType, status: MediaStatus });
export const MediaPage = Page(Media);

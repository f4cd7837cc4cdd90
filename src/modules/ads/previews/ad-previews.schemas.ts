import { Type } from 'typebox';

/** The spec's three kinds of preview request, as one object: a pin, an image and title, or a catalog. */
export const AdPreviewRequest = Type.Object({
  pin_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  image_url: Type.Optional(Type.String({ maxLength: 2048 })),
  title: Type.Optional(Type.String({ maxLength: 500 })),
  catalog_product_group_id: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })),
  creative_type: Type.Optional(Type.String({ maxLength: 32 })),
});

export const AdPreviewUrl = Type.Object({ url: Type.String() });
export const PreviewQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) });

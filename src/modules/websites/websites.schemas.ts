import { Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';

const AdAccountId = Type.Optional(
  Type.String({
    pattern: '^\\d+$',
    maxLength: 18,
    description: 'Business access is not offered: any value is a 403.',
  }),
);

/** A website as the spec writes it: a domain, optionally a port and a path, no scheme. */
const WebsiteText = Type.String({
  minLength: 1,
  maxLength: 300,
  description:
    'Website with path or domain only, e.g. mysite.test or mysite.test/shop (a scheme is ignored).',
});

export const VerificationQuery = Type.Object({ ad_account_id: AdAccountId });

export const VerificationCode = Type.Object({
  verification_code: Type.String(),
  dns_txt_record: Type.String(),
  metatag: Type.String(),
  filename: Type.String(),
  file_content: Type.String(),
});

export const WebsiteVerify = Type.Object({
  website: WebsiteText,
  verification_method: Type.Optional(
    Type.Union([Type.Literal('METATAG'), Type.Literal('FILENAME'), Type.Literal('DNSTXT')], {
      default: 'METATAG',
    }),
  ),
});

export const WebsiteSummary = Type.Object({
  website: Type.String(),
  status: Type.String({ description: '"success" for a claimed website.' }),
  verified_at: Type.String(),
});

export const WebsitePage = Page(WebsiteSummary);
export const WebsitesQuery = PageQuery;
export const WebsiteDeleteQuery = Type.Object({ website: WebsiteText });

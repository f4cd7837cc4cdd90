import { Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';
import { Pin } from '../pins/index.js';

export const FeedReason = Type.Union(
  [
    Type.Literal('FOLLOWING'),
    Type.Literal('RELATED_TO_SAVE'),
    Type.Literal('POPULAR_IN_TOPIC'),
    Type.Literal('POPULAR'),
    Type.Literal('PROMOTED'),
  ],
  {
    description:
      'Why the Pin is in your feed: FOLLOWING (a person or board you follow saved it), RELATED_TO_SAVE (near Pins you saved or opened lately), POPULAR_IN_TOPIC (popular in your topics), POPULAR (popular on Corkboard), PROMOTED (a promoted Pin, with `is_promoted`, `ad_id` and `advertiser_name`).',
  },
);

/** A feed item: the Pin as GET /v5/pins/{pin_id} serves it, with its impression token and reason. */
export const FeedPin = Type.Object({ ...Pin.properties, reason: FeedReason });

export const FeedPage = Page(FeedPin);
export const FeedQuery = PageQuery;

import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-core.js';
import * as m0003 from './0003-events.js';
import * as m0004 from './0004-analytics.js';
import * as m0005 from './0005-discovery-search.js';
import * as m0006 from './0006-related.js';
import * as m0007 from './0007-feed.js';
import * as m0008 from './0008-search-covering-indexes.js';
import * as m0009 from './0009-search-searchers.js';
import * as m0010 from './0010-media-upload-expiry.js';
import * as m0011 from './0011-auth-hardening.js';
import * as m0012 from './0012-term-visibility.js';
import * as m0013 from './0013-outbox-topic-backlog.js';
import * as m0014 from './0014-user-websites.js';
import * as m0015 from './0015-ads.js';
import * as m0016 from './0016-ads-stats.js';
import * as m0017 from './0017-ads-audiences.js';
import * as m0018 from './0018-user-demographics.js';
import * as m0019 from './0019-ads-billing.js';
import * as m0020 from './0020-ads-attribution.js';
import * as m0021 from './0021-ad-charge-holds.js';
import * as m0022 from './0022-experiments.js';
import * as m0023 from './0023-ad-charge-settles.js';
import * as m0024 from './0024-experiment-metrics.js';
import * as m0025 from './0025-experiment-metric-config.js';
import * as m0026 from './0026-oauth-pkce.js';
import * as m0027 from './0027-board-positions.js';

/** Every migration in order. Names sort in the order they must run. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-core': m0002,
  '0003-events': m0003,
  '0004-analytics': m0004,
  '0005-discovery-search': m0005,
  '0006-related': m0006,
  '0007-feed': m0007,
  '0008-search-covering-indexes': m0008,
  '0009-search-searchers': m0009,
  '0010-media-upload-expiry': m0010,
  '0011-auth-hardening': m0011,
  '0012-term-visibility': m0012,
  '0013-outbox-topic-backlog': m0013,
  '0014-user-websites': m0014,
  '0015-ads': m0015,
  '0016-ads-stats': m0016,
  '0017-ads-audiences': m0017,
  '0018-user-demographics': m0018,
  '0019-ads-billing': m0019,
  '0020-ads-attribution': m0020,
  '0021-ad-charge-holds': m0021,
  '0022-experiments': m0022,
  '0023-ad-charge-settles': m0023,
  '0024-experiment-metrics': m0024,
  '0025-experiment-metric-config': m0025,
  '0026-oauth-pkce': m0026,
  '0027-board-positions': m0027,
};

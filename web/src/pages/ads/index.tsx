import '../../styles/ads.css';
import { lazyPage } from '../../components/lazy.js';
import { NotFoundPage } from '../not-found.js';
import { AccountPage } from './account.js';
import { AccountsPage } from './accounts.js';
import { AdForm } from './ad-form.js';
import { AdGroupForm } from './ad-group-form.js';
import { CampaignForm } from './campaign-form.js';

// The charts (uPlot) are fetched only when an analytics page is opened.
const AnalyticsPage = lazyPage(() => import('./analytics.js').then((m) => m.AnalyticsPage));

const ID = '([0-9]{1,20})';

/** The ads manager's own routes under /ads (the server lists the same paths: APP_PATHS). */
export function AdsManager(props: { path: string; search: string }) {
  const path = props.path.replace(/\/+$/, '') || '/ads';
  const params = new URLSearchParams(props.search);
  if (path === '/ads') return <AccountsPage />;
  let m = new RegExp(`^/ads/${ID}$`).exec(path);
  if (m) return <AccountPage key={m[1]} accountId={m[1]!} />;
  m = new RegExp(`^/ads/${ID}/analytics$`).exec(path);
  if (m) return <AnalyticsPage key={path} accountId={m[1]!} />;
  m = new RegExp(`^/ads/${ID}/campaigns/(new|${ID})$`).exec(path);
  if (m) return <CampaignForm key={path} accountId={m[1]!} campaignId={m[2] === 'new' ? undefined : m[2]} />;
  m = new RegExp(`^/ads/${ID}/campaigns/${ID}/analytics$`).exec(path);
  if (m) return <AnalyticsPage key={path} accountId={m[1]!} campaignId={m[2]!} />;
  m = new RegExp(`^/ads/${ID}/ad_groups/(new|${ID})$`).exec(path);
  if (m)
    return (
      <AdGroupForm
        key={path}
        accountId={m[1]!}
        adGroupId={m[2] === 'new' ? undefined : m[2]}
        campaignId={params.get('campaign_id') ?? undefined}
      />
    );
  m = new RegExp(`^/ads/${ID}/ads/(new|${ID})$`).exec(path);
  if (m)
    return (
      <AdForm
        key={path}
        accountId={m[1]!}
        adId={m[2] === 'new' ? undefined : m[2]}
        adGroupId={params.get('ad_group_id') ?? undefined}
      />
    );
  return <NotFoundPage />;
}

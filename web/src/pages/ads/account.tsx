import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  type Ad,
  type AdAccount,
  type AdGroup,
  ads,
  type Campaign,
  type EntityStatus,
} from '../../api/ads.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import {
  AdsPage,
  LoadFailed,
  Loading,
  SpendBar,
  StatusBadge,
  useAccount,
  useLoad,
  useVisibleInterval,
  utcDay,
} from './common.js';
import { formatMoney } from './money.js';

/** How often the spend bars are read again while the page is visible. */
const SPEND_REFRESH_MS = 10_000;
/** Lifetime spend is read over the longest range synchronous analytics answer. */
const LIFETIME_DAYS = 89;

interface Tree {
  campaigns: Campaign[];
  groups: AdGroup[];
  ads: Ad[];
}

/** Spend per entity id, today and over the last 90 days, in micro-units. */
interface Spend {
  today: Map<string, number>;
  recent: Map<string, number>;
  at: Date;
}

async function loadTree(accountId: string): Promise<Tree> {
  const [campaigns, groups, list] = await Promise.all([
    ads.campaigns(accountId),
    ads.adGroups(accountId),
    ads.ads(accountId),
  ]);
  return { campaigns, groups, ads: list };
}

const SPEND = 'SPEND_IN_MICRO_DOLLAR';
const PLACEMENTS: Record<string, string> = {
  ALL: 'everywhere',
  BROWSE: 'browsing',
  SEARCH: 'search',
  OTHER: 'other',
};

async function loadSpend(accountId: string, tree: Tree): Promise<Spend> {
  const today = utcDay();
  const from = utcDay(-LIFETIME_DAYS);
  const campaignIds = tree.campaigns.map((c) => c.id);
  const groupIds = tree.groups.map((g) => g.id);
  const read = async (level: 'campaigns' | 'ad_groups', ids: string[], start: string, key: string) => {
    const out = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 250) {
      const rows = await ads.analytics(accountId, level, {
        start,
        end: today,
        columns: [SPEND],
        granularity: 'TOTAL',
        ids: ids.slice(i, i + 250),
      });
      for (const r of rows) out.set(String(r[key]), Number(r[SPEND] ?? 0));
    }
    return out;
  };
  const [ct, cr, gt, gr] = await Promise.all([
    read('campaigns', campaignIds, today, 'CAMPAIGN_ID'),
    read('campaigns', campaignIds, from, 'CAMPAIGN_ID'),
    read('ad_groups', groupIds, today, 'AD_GROUP_ID'),
    read('ad_groups', groupIds, from, 'AD_GROUP_ID'),
  ]);
  return { today: new Map([...ct, ...gt]), recent: new Map([...cr, ...gr]), at: new Date() };
}

/** /ads/:id — the account's campaigns, ad groups and ads, with status, budgets and live spend. */
export function AccountPage(props: { accountId: string }) {
  const { accountId } = props;
  const account = useAccount(accountId);
  const tree = useLoad(`tree:${accountId}`, () => loadTree(accountId));
  const [spend, setSpend] = useState<Spend | undefined>();
  const [spendError, setSpendError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const refreshSpend = useCallback(() => {
    if (!tree.data) return;
    loadSpend(accountId, tree.data).then(
      (s) => {
        setSpend(s);
        setSpendError(null);
      },
      (e: unknown) => setSpendError(e),
    );
  }, [accountId, tree.data]);
  useEffect(refreshSpend, [refreshSpend]);
  useVisibleInterval(refreshSpend, SPEND_REFRESH_MS);

  if (account.error) return <LoadFailed title="Ad account" error={account.error} onRetry={account.reload} />;
  if (!account.data) return <Loading title="Ad account" />;
  const acct = account.data;

  /** Changes one entity's status through the API, then reads the tree again. */
  const setStatus = async (
    kind: 'campaign' | 'ad group' | 'ad',
    id: string,
    status: EntityStatus,
    name: string,
  ) => {
    if (
      status === 'ARCHIVED' &&
      !confirm(`Archive the ${kind} "${name}"? An archived ${kind} cannot be turned on again.`)
    )
      return;
    setActionError(null);
    try {
      if (kind === 'campaign') await ads.updateCampaign(accountId, { id, status });
      else if (kind === 'ad group') await ads.updateAdGroup(accountId, { id, status });
      else await ads.updateAd(accountId, { id, status });
      tree.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const base = `/ads/${accountId}`;
  return (
    <AdsPage title={acct.name} crumbs={[{ href: '/ads', label: 'Ad accounts' }]} wide>
      <div class="ads-head">
        <div>
          <h1>{acct.name}</h1>
          <p class="muted">
            {acct.country} · amounts in {acct.currency} · account {acct.id}
          </p>
        </div>
        <div class="ads-actions">
          <Link class="btn" href={`${base}/analytics`}>
            Account analytics
          </Link>
          <Link class="btn btn-primary" href={`${base}/campaigns/new`}>
            New campaign
          </Link>
        </div>
      </div>
      <p class="muted ads-refresh" aria-live="off">
        {spend ? `Spend as of ${spend.at.toLocaleTimeString()}, read again every 10 seconds.` : ''}
      </p>
      {spendError ? <ErrorMessage error={spendError} onRetry={refreshSpend} /> : null}
      {actionError ? <ErrorMessage error={actionError} /> : null}
      {tree.error ? (
        <ErrorMessage error={tree.error} onRetry={tree.reload} />
      ) : !tree.data ? (
        <p role="status">Loading campaigns…</p>
      ) : tree.data.campaigns.length === 0 ? (
        <div class="card ads-card">
          <h2>No campaigns yet</h2>
          <p>A campaign holds ad groups (budget, bid, targeting), which hold ads promoting your Pins.</p>
          <Link class="btn btn-primary" href={`${base}/campaigns/new`}>
            Create your first campaign
          </Link>
        </div>
      ) : (
        <ul class="ads-tree" aria-label="Campaigns">
          {tree.data.campaigns.map((c) => (
            <CampaignNode
              key={c.id}
              account={acct}
              campaign={c}
              tree={tree.data!}
              spend={spend}
              setStatus={setStatus}
            />
          ))}
        </ul>
      )}
    </AdsPage>
  );
}

type SetStatus = (
  kind: 'campaign' | 'ad group' | 'ad',
  id: string,
  status: EntityStatus,
  name: string,
) => void;

/** Pause or activate, and archive: the buttons an entity's status allows. */
function StatusButtons(props: {
  kind: 'campaign' | 'ad group' | 'ad';
  id: string;
  name: string;
  status: string;
  setStatus: SetStatus;
}) {
  const { kind, id, name, status, setStatus } = props;
  if (status === 'ARCHIVED' || status === 'DELETED_DRAFT') return null;
  return (
    <>
      {status === 'ACTIVE' ? (
        <button type="button" class="btn btn-small" onClick={() => setStatus(kind, id, 'PAUSED', name)}>
          Pause
          <span class="visually-hidden">
            {' '}
            {kind} {name}
          </span>
        </button>
      ) : (
        <button type="button" class="btn btn-small" onClick={() => setStatus(kind, id, 'ACTIVE', name)}>
          Activate
          <span class="visually-hidden">
            {' '}
            {kind} {name}
          </span>
        </button>
      )}
      <button type="button" class="btn btn-small" onClick={() => setStatus(kind, id, 'ARCHIVED', name)}>
        Archive
        <span class="visually-hidden">
          {' '}
          {kind} {name}
        </span>
      </button>
    </>
  );
}

/** An expandable node: a heading with a disclosure button, and its children in a list. */
function useExpanded(initial = true) {
  return useState(initial);
}

function CampaignNode(props: {
  account: AdAccount;
  campaign: Campaign;
  tree: Tree;
  spend: Spend | undefined;
  setStatus: SetStatus;
}) {
  const { account, campaign: c, tree, spend } = props;
  const [open, setOpen] = useExpanded();
  const groups = tree.groups.filter((g) => g.campaign_id === c.id);
  const base = `/ads/${account.id}`;
  const lifetime = c.lifetime_spend_cap !== null && c.daily_spend_cap === null;
  const cap = c.daily_spend_cap ?? c.lifetime_spend_cap;
  const spent = spend ? ((lifetime ? spend.recent : spend.today).get(c.id) ?? 0) : undefined;
  const childrenId = `campaign-${c.id}-groups`;
  return (
    <li class={`ads-node ads-campaign${c.status === 'ARCHIVED' ? ' ads-archived' : ''}`}>
      <div class="ads-node-row card">
        <h2 class="ads-node-title">
          <button
            type="button"
            class="ads-toggle"
            aria-expanded={open}
            aria-controls={childrenId}
            onClick={() => setOpen(!open)}
          >
            <span class="ads-caret" aria-hidden="true" />
            <span class="ads-kind">Campaign</span> {c.name}
          </button>
        </h2>
        <div class="ads-node-meta">
          <StatusBadge status={c.status} />
          <span class="muted">Objective: {c.objective_type.toLowerCase().replace('_', ' ')}</span>
          <span>
            {c.daily_spend_cap !== null
              ? `Daily cap ${formatMoney(c.daily_spend_cap, account.currency)}`
              : c.lifetime_spend_cap !== null
                ? `Lifetime cap ${formatMoney(c.lifetime_spend_cap, account.currency)}`
                : 'No spend cap'}
          </span>
        </div>
        <SpendBar
          spent={spent}
          budget={cap}
          currency={account.currency}
          period={lifetime ? 'in the last 90 days' : 'today'}
          label={`Campaign ${c.name}`}
        />
        <div class="ads-node-actions">
          <Link class="btn btn-small" href={`${base}/campaigns/${c.id}`}>
            Edit<span class="visually-hidden"> campaign {c.name}</span>
          </Link>
          <Link class="btn btn-small" href={`${base}/campaigns/${c.id}/analytics`}>
            Analytics<span class="visually-hidden"> of campaign {c.name}</span>
          </Link>
          <StatusButtons
            kind="campaign"
            id={c.id}
            name={c.name}
            status={c.status}
            setStatus={props.setStatus}
          />
          {c.status !== 'ARCHIVED' && (
            <Link class="btn btn-small" href={`${base}/ad_groups/new?campaign_id=${c.id}`}>
              Add ad group<span class="visually-hidden"> to {c.name}</span>
            </Link>
          )}
        </div>
      </div>
      <div id={childrenId} hidden={!open}>
        {groups.length === 0 ? (
          <p class="muted ads-empty">No ad groups in this campaign yet.</p>
        ) : (
          <ul class="ads-tree ads-level" aria-label={`Ad groups of ${c.name}`}>
            {groups.map((g) => (
              <AdGroupNode
                key={g.id}
                account={account}
                group={g}
                tree={tree}
                spend={spend}
                setStatus={props.setStatus}
              />
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}

function AdGroupNode(props: {
  account: AdAccount;
  group: AdGroup;
  tree: Tree;
  spend: Spend | undefined;
  setStatus: SetStatus;
}) {
  const { account, group: g, tree, spend } = props;
  const [open, setOpen] = useExpanded();
  const list = tree.ads.filter((a) => a.ad_group_id === g.id);
  const base = `/ads/${account.id}`;
  const lifetime = g.budget_type === 'LIFETIME';
  const spent = spend ? ((lifetime ? spend.recent : spend.today).get(g.id) ?? 0) : undefined;
  const childrenId = `group-${g.id}-ads`;
  const money = (m: number | null) => (m === null ? '—' : formatMoney(m, account.currency));
  return (
    <li class={`ads-node ads-group${g.status === 'ARCHIVED' ? ' ads-archived' : ''}`}>
      <div class="ads-node-row card">
        <h3 class="ads-node-title">
          <button
            type="button"
            class="ads-toggle"
            aria-expanded={open}
            aria-controls={childrenId}
            onClick={() => setOpen(!open)}
          >
            <span class="ads-caret" aria-hidden="true" />
            <span class="ads-kind">Ad group</span> {g.name}
          </button>
        </h3>
        <div class="ads-node-meta">
          <StatusBadge status={g.status} />
          <span>
            {g.budget_type === 'CBO_ADGROUP'
              ? 'Budget from the campaign'
              : `${lifetime ? 'Lifetime' : 'Daily'} budget ${money(g.budget_in_micro_currency)}`}
          </span>
          <span>
            {g.bid_strategy_type === 'AUTOMATIC_BID' || g.bid_in_micro_currency === null
              ? 'Automatic bid'
              : `Bid ${money(g.bid_in_micro_currency)} ${g.billable_event === 'IMPRESSION' ? 'per 1,000 impressions' : 'per click'}`}
          </span>
          <span class="muted">
            Placement: {PLACEMENTS[g.placement_group] ?? g.placement_group.toLowerCase()}
          </span>
        </div>
        <SpendBar
          spent={spent}
          budget={g.budget_type === 'CBO_ADGROUP' ? null : g.budget_in_micro_currency}
          currency={account.currency}
          period={lifetime ? 'in the last 90 days' : 'today'}
          label={`Ad group ${g.name}`}
        />
        <div class="ads-node-actions">
          <Link class="btn btn-small" href={`${base}/ad_groups/${g.id}`}>
            Edit<span class="visually-hidden"> ad group {g.name}</span>
          </Link>
          <StatusButtons
            kind="ad group"
            id={g.id}
            name={g.name}
            status={g.status}
            setStatus={props.setStatus}
          />
          {g.status !== 'ARCHIVED' && (
            <Link class="btn btn-small" href={`${base}/ads/new?ad_group_id=${g.id}`}>
              Add ad<span class="visually-hidden"> to {g.name}</span>
            </Link>
          )}
        </div>
      </div>
      <div id={childrenId} hidden={!open}>
        {list.length === 0 ? (
          <p class="muted ads-empty">No ads in this ad group yet.</p>
        ) : (
          <ul class="ads-tree ads-level" aria-label={`Ads of ${g.name}`}>
            {list.map((a) => (
              <AdNode key={a.id} account={account} ad={a} setStatus={props.setStatus} />
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}

function AdNode(props: { account: AdAccount; ad: Ad; setStatus: SetStatus }) {
  const { account, ad } = props;
  const name = ad.name || `Ad for Pin ${ad.pin_id}`;
  return (
    <li class={`ads-node ads-ad${ad.status === 'ARCHIVED' ? ' ads-archived' : ''}`}>
      <div class="ads-node-row card">
        <h4 class="ads-node-title ads-leaf">
          <span class="ads-kind">Ad</span> {name}
        </h4>
        <div class="ads-node-meta">
          <StatusBadge status={ad.status} />
          {ad.review_status && <span class="muted">Review: {ad.review_status.toLowerCase()}</span>}
          <Link href={`/pin/${ad.pin_id}`}>Pin {ad.pin_id}</Link>
          {ad.is_pin_deleted && <span class="error">The Pin was deleted</span>}
        </div>
        <div class="ads-node-actions">
          <Link class="btn btn-small" href={`/ads/${account.id}/ads/${ad.id}`}>
            Edit<span class="visually-hidden"> ad {name}</span>
          </Link>
          <StatusButtons kind="ad" id={ad.id} name={name} status={ad.status} setStatus={props.setStatus} />
        </div>
      </div>
    </li>
  );
}

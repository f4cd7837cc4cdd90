import { Invalid, NotFound } from '../../../platform/errors.js';
import { INTERESTS } from '../../interests/index.js';
import { AD_ACCOUNT_COUNTRIES } from './ad-account-countries.js';
import { DELIVERY_METRICS, type DeliveryMetric } from './delivery-metrics.js';
import { countryName, type TargetingType, targetingValues } from './targeting.catalogue.js';

/** What the targeting resources need: only a clock (metrics readiness depends on today's date). */
export interface TargetingServiceDeps {
  readonly now: () => Date;
}

/** The /v5/resources operations: targeting values, interests, advertiser countries, metric definitions. */
export class TargetingService {
  constructor(private readonly deps: TargetingServiceDeps) {}

  /** The values of a targeting type, one `{value: label}` object each, in catalogue order. */
  options(type: TargetingType): Record<string, string>[] {
    return targetingValues(type).map(({ value, label }) => ({ [value]: label }));
  }

  /** One interest of the taxonomy; the taxonomy is flat, so every interest is level 1 without children. */
  interest(id: string): { id: string; name: string; level: number; child_interests: string[] } {
    const found = INTERESTS.find((i) => i.id === id);
    if (!found) throw new NotFound('Interest not found.');
    return { id: found.id, name: found.name, level: 1, child_interests: [] };
  }

  /** The advertiser countries and their currencies. */
  adAccountCountries(): { items: { code: string; currency: string; index: number; name: string }[] } {
    return {
      items: AD_ACCOUNT_COUNTRIES.map(([code, currency], i) => ({
        code,
        currency,
        index: i + 1,
        name: countryName(code),
      })),
    };
  }

  /** The metric definitions ads reports answer (the same whatever the report type). */
  deliveryMetrics(): { items: DeliveryMetric[] } {
    return { items: [...DELIVERY_METRICS] };
  }

  /**
   * Whether metrics of a day may be queried. Corkboard's reports are computed from the events recorded so
   * far, with no later closing of the books, so every day up to today (UTC) is ready and a later day is not.
   */
  metricsReadyState(date: string): {
    conversion_metrics_ready: boolean;
    non_conversion_metrics_ready: boolean;
  } {
    const day = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date) {
      throw new Invalid(`date: "${date}" is not a calendar date (YYYY-MM-DD).`);
    }
    const ready = date <= this.deps.now().toISOString().slice(0, 10);
    return { conversion_metrics_ready: ready, non_conversion_metrics_ready: ready };
  }
}

import type { PinStanding } from './ads.repository.js';

/** Creative types Corkboard serves: image pins. The others need what it does not have. */
export const SERVED_CREATIVE_TYPES = new Set(['REGULAR', 'MAX_WIDTH_REGULAR_COLLECTION']);

/** An ad's review: approved unless its pin is gone or not public (then never served). */
export function review(pin: Pick<PinStanding, 'pin_live' | 'pin_public'>): {
  review_status: 'APPROVED' | 'REJECTED';
  rejected_reasons: string[];
  rejection_labels: string[];
} {
  if (!pin.pin_live)
    return {
      review_status: 'REJECTED',
      rejected_reasons: ['OTHER'],
      rejection_labels: ['The pin was deleted.'],
    };
  if (!pin.pin_public)
    return {
      review_status: 'REJECTED',
      rejected_reasons: ['OTHER'],
      rejection_labels: ['The pin is not on a public board.'],
    };
  return { review_status: 'APPROVED', rejected_reasons: [], rejection_labels: [] };
}

/** The spec's summary status of an ad (PinPromotionSummaryStatus). */
export function adSummaryStatus(status: string, reviewStatus: string): string {
  if (status === 'ARCHIVED' || status === 'DRAFT' || status === 'DELETED_DRAFT') return status;
  if (status === 'PAUSED') return 'PAUSED';
  if (reviewStatus === 'REJECTED') return 'REJECTED';
  if (reviewStatus === 'PENDING') return 'PENDING';
  return 'APPROVED';
}

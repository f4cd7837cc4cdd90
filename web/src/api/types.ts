/** The parts of the v5 API's answers the app reads. */

export interface ImageVariant {
  url: string;
  width: number;
  height: number;
}

export interface Pin {
  id: string;
  created_at: string;
  link: string | null;
  title: string | null;
  description: string | null;
  alt_text: string | null;
  dominant_color: string | null;
  board_id: string;
  media?: { media_type?: string; images?: Record<string, ImageVariant> } | null;
  board_owner?: { username: string } | null;
  impression_token?: string;
  is_promoted?: boolean;
  advertiser_name?: string | null;
}

export type FeedReason = 'FOLLOWING' | 'RELATED_TO_SAVE' | 'POPULAR_IN_TOPIC' | 'POPULAR' | 'PROMOTED';

export interface FeedPin extends Pin {
  reason?: FeedReason;
}

export interface Page<T> {
  items: T[];
  bookmark: string | null;
}

export interface Board {
  id: string;
  name: string;
  description: string | null;
  privacy: string;
  owner: { username: string };
  pin_count?: number;
}

export interface UserAccount {
  username: string;
  profile_image?: string;
}

/** The v5 error body. */
export interface ApiErrorBody {
  code: number;
  message: string;
}

/** Why an image was refused; stable strings callers can switch on. */
export type ImageRejectedReason = 'not-an-image' | 'too-large' | 'too-many-pixels' | 'unsupported';

const MESSAGES: Record<ImageRejectedReason, string> = {
  'not-an-image': 'The file is not an image that can be read.',
  'too-large': 'The image file is too large.',
  'too-many-pixels': 'The image has too many pixels.',
  unsupported: 'The image format is not supported; use JPEG, PNG, WebP, GIF, AVIF or TIFF.',
};

/**
 * An upload or fetched file the image pipeline will not process. The message is safe to show to the
 * user (a 400 or 413); `cause` keeps the decoder's error for logs only.
 */
export class ImageRejected extends Error {
  constructor(
    readonly reason: ImageRejectedReason,
    options: { cause?: unknown } = {},
  ) {
    super(MESSAGES[reason], { cause: options.cause });
    this.name = 'ImageRejected';
  }
}

import type { default as Sharp } from 'sharp';

// sharp and libvips (about 0.1 s and 10 MB) are loaded with the first picture, not at start.
let loadedSharp: Promise<typeof Sharp> | null = null;
function loadSharp(): Promise<typeof Sharp> {
  loadedSharp ??= import('sharp').then((module) => module.default);
  return loadedSharp;
}

export const maximumAvatarBytes = 2 * 1024 * 1024;
export const avatarSize = 256;
const acceptedFormats = new Set(['png', 'jpeg', 'webp']);

export class AvatarImageError extends Error {
  readonly reason: 'notAnImage' | 'tooLarge';
  constructor(reason: 'notAnImage' | 'tooLarge') {
    super(`Avatar refused: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Re-encodes an uploaded picture into a 256 px square WebP. The format is read from the bytes,
 * not from the file name or the browser's word, and nothing of the original file is kept.
 */
export async function normaliseAvatar(upload: Buffer): Promise<Buffer> {
  if (upload.length > maximumAvatarBytes) throw new AvatarImageError('tooLarge');
  const sharp = await loadSharp();
  let format: string | undefined;
  try {
    format = (await sharp(upload, { limitInputPixels: 40_000_000 }).metadata()).format;
  } catch {
    throw new AvatarImageError('notAnImage');
  }
  if (!format || !acceptedFormats.has(format)) throw new AvatarImageError('notAnImage');
  try {
    return await sharp(upload, { limitInputPixels: 40_000_000, animated: false })
      .rotate()
      .resize(avatarSize, avatarSize, { fit: 'cover', position: 'attention' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw new AvatarImageError('notAnImage');
  }
}

import type { Metadata } from './api-objects';

/** On create, an empty value means "no such key". */
export function metadataOnCreate(metadata: Metadata | null | undefined): Metadata {
  return mergeMetadata({}, metadata);
}

/**
 * Stripe's update semantics: keys are merged in, a key sent empty is removed, and `metadata=`
 * (null here) clears everything.
 */
export function mergeMetadata(existing: Metadata, update: Metadata | null | undefined): Metadata {
  if (update === undefined) return existing;
  if (update === null) return {};
  const merged: Metadata = { ...existing };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

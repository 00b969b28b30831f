// Bubble radius for aggregated points: area grows with the count, so a bubble of 4 assessments has
// about four times the ink of a bubble of 1 (beyond a minimum size that keeps 1 visible). Crowded
// charts get smaller bubbles so that the cloud's shape stays visible.

export const MIN_BUBBLE_RADIUS = 4;
export const MAX_BUBBLE_RADIUS = 18;

/** Up to this many bubbles keep the full size range, and their counts are written on them. */
export const MAX_LABELLED_BUBBLES = 40;

/** Smallest and largest radius for a chart of `pointCount` bubbles. */
export function bubbleRadiusRange(pointCount: number): { min: number; max: number } {
  if (pointCount <= MAX_LABELLED_BUBBLES) return { min: MIN_BUBBLE_RADIUS, max: MAX_BUBBLE_RADIUS };
  const shrink = Math.sqrt(MAX_LABELLED_BUBBLES / pointCount);
  return { min: Math.max(2, MIN_BUBBLE_RADIUS * shrink), max: Math.max(7, MAX_BUBBLE_RADIUS * shrink) };
}

export function bubbleRadius(count: number, maxCount: number, pointCount = 0): number {
  const range = bubbleRadiusRange(pointCount);
  if (maxCount <= 0 || count <= 0) return round(range.min);
  return round(Math.max(range.min, range.max * Math.sqrt(count / maxCount)));
}

const round = (radius: number) => Math.round(radius * 10) / 10;

/** Fill opacity: lighter when bubbles are many and overlap. */
export const bubbleFillAlpha = (pointCount: number) => (pointCount <= MAX_LABELLED_BUBBLES ? 0.6 : 0.35);

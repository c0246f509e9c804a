export type FrameErrorKind = 'truncated' | 'corrupt';

/** An event stream that can't be decoded: it ended mid-frame, or a frame fails its checks. */
export class FrameError extends Error {
  constructor(readonly kind: FrameErrorKind, detail: string) {
    super(detail);
    this.name = 'FrameError';
  }
}

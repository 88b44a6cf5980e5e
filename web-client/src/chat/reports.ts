// Live reports (docs/safety.md): a `report` frame tells a program's coordinators that a report
// came into the moderation queue, and a reporter that theirs was reviewed. The lists that show
// them are refetched; a review also raises a short polite notice (ReportNotices), which names the
// person reported when My reports is loaded, and never what was done.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { reportKeys } from '../api/queryKeys';
import type { MyReport, Page } from '../api/types';
import { reportedName, reviewedNotice } from '../lib/reports';
import type { ReportFrame } from './protocol';

/** Refetches what a `report` frame changed: the program's queue, and My reports after a review. */
export function applyReportFrame(queryClient: QueryClient, frame: Pick<ReportFrame, 'program_id' | 'status'>): void {
  void queryClient.invalidateQueries({ queryKey: reportKeys.ofProgram(frame.program_id) });
  if (frame.status === 'reviewed') void queryClient.invalidateQueries({ queryKey: reportKeys.mine });
}

/** A notice on screen: one per report reviewed. */
export interface ReportNotice {
  readonly key: string;
  readonly text: string;
}

/** How many notices are kept; older ones go first. */
const MAX_NOTICES = 3;

/**
 * The notices being shown: a small external store (subscribe / getSnapshot for
 * useSyncExternalStore), one per chat connection.
 */
export class ReportNotices {
  private notices: readonly ReportNotice[] = [];
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): readonly ReportNotice[] => this.notices;

  /**
   * A `report` frame: a review of one of mine raises a notice (once per report), naming the
   * person from `mine`, the pages of My reports loaded, if it is there. New reports in a queue
   * raise none: the queue itself shows them.
   */
  onFrame(frame: Pick<ReportFrame, 'report_id' | 'status'>, mine: InfiniteData<Page<MyReport>> | undefined): void {
    if (frame.status !== 'reviewed') return;
    if (this.notices.some((n) => n.key === frame.report_id)) return;
    const notice = { key: frame.report_id, text: reviewedNotice(reportedName(mine?.pages, frame.report_id)) };
    this.set([...this.notices, notice].slice(-MAX_NOTICES));
  }

  dismiss(key: string): void {
    this.set(this.notices.filter((n) => n.key !== key));
  }

  private set(next: readonly ReportNotice[]): void {
    if (next === this.notices) return;
    this.notices = next;
    for (const listener of [...this.listeners]) listener();
  }
}

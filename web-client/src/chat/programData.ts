// Live program-data frames (docs/program-data.md): a `survey` frame means a new invitation
// waits for me, an `alert` frame that a pair of a program I coordinate is at risk. Both refetch
// the lists that show them, if they are on screen (or cached).
import type { QueryClient } from '@tanstack/react-query';
import type { Alert } from '../api/programData';

export const MY_SURVEYS_KEY = ['my-surveys'] as const;

export function applySurveyFrame(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: MY_SURVEYS_KEY });
}

export function applyAlertFrame(queryClient: QueryClient, alert: Pick<Alert, 'program_id'>): void {
  for (const view of ['alerts', 'engagement', 'dashboard']) {
    void queryClient.invalidateQueries({ queryKey: [view, alert.program_id] });
  }
}

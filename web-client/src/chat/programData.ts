// Live program-data frames (docs/program-data.md): a `survey` frame means a new invitation
// waits for me, an `alert` frame that a pair of a program I coordinate is at risk. Both refetch
// the lists that show them, if they are on screen (or cached).
import type { QueryClient } from '@tanstack/react-query';
import type { Alert } from '../api/programData';
import { dashboardKeys, pairKeys, surveyKeys } from '../api/queryKeys';

/** The list a `survey` frame refetches. */
export const MY_SURVEYS_KEY = surveyKeys.mine;

export function applySurveyFrame(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: MY_SURVEYS_KEY });
}

export function applyAlertFrame(queryClient: QueryClient, alert: Pick<Alert, 'program_id'>): void {
  const id = alert.program_id;
  for (const queryKey of [pairKeys.alerts(id), pairKeys.engagement(id), dashboardKeys.ofProgram(id)]) {
    void queryClient.invalidateQueries({ queryKey });
  }
}

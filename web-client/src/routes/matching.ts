// Matching: the questionnaire, the coordinators' console and my matches: one lazily loaded
// chunk (App.tsx).
export { QuestionnairePage } from '../pages/QuestionnairePage';
export { MatchingPage } from '../pages/MatchingPage';
export { MatchesPage } from '../pages/MatchesPage';

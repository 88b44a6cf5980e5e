// Program data: a program's data page (dashboard, engagement, alerts, surveys, exports) and the
// surveys waiting for my answers: one lazily loaded chunk (App.tsx).
export { ProgramDataPage } from '../pages/ProgramDataPage';
export { SurveysPage } from '../pages/SurveysPage';

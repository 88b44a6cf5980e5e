// Programs and a program's own page (members, invitations, channels, events, check-ins): one
// lazily loaded chunk (App.tsx).
export { ProgramsPage } from '../pages/ProgramsPage';
export { ProgramPage } from '../pages/ProgramPage';

// My profile, API tokens, settings and "get help now": one lazily loaded chunk (App.tsx).
export { ProfilePage } from '../pages/ProfilePage';
export { SettingsPage } from '../pages/SettingsPage';
export { HelpPage } from '../pages/HelpPage';

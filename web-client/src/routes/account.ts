// My profile, API tokens and settings: one lazily loaded chunk (App.tsx).
export { ProfilePage } from '../pages/ProfilePage';
export { SettingsPage } from '../pages/SettingsPage';

// The pages of people who are not signed in yet (or are following a link from an email): one
// lazily loaded chunk (App.tsx).
export { LoginPage } from '../pages/LoginPage';
export { ForgotPasswordPage } from '../pages/ForgotPasswordPage';
export { ResetPasswordPage } from '../pages/ResetPasswordPage';
export { InvitePage } from '../pages/InvitePage';
export { UnsubscribePage } from '../pages/UnsubscribePage';

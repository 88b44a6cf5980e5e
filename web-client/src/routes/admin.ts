// Instance administration: the mail outbox and the audit log: one lazily loaded chunk (App.tsx).
export { OutboxPage } from '../pages/OutboxPage';
export { AuditPage } from '../pages/AuditPage';

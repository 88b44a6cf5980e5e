// Where people talk: messages, scheduled meetings, group events and their live rooms (which
// share the conversation view with messages): one lazily loaded chunk (App.tsx).
export { MessagesPage } from '../pages/MessagesPage';
export { MeetingsPage } from '../pages/MeetingsPage';
export { EventsPage } from '../pages/EventsPage';
export { EventPage } from '../pages/EventPage';

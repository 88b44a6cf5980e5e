// Coordinators' moderation tools, in pure terms (docs/safety.md, "Moderating group channels",
// "Suspending someone"): who may moderate which channel and whom, the durations of a mute and their
// words, what each action does in plain words, the tombstone of a removed message, and the
// problems of a reason or a number of minutes before anything is sent.
import type { Membership, Role } from '../api/types';
import { MAX_REASON, textLength } from './reports';

/** The shortest and longest mute, in minutes (the server's limits: 1 minute to 30 days). */
export const MIN_MUTE_MINUTES = 1;
export const MAX_MUTE_MINUTES = 43_200;

/** What a deleted message shows: deleted by its author, or removed by a coordinator. */
export function tombstoneText(removedByCoordinator: boolean | null | undefined): string {
  return removedByCoordinator ? 'Removed by a coordinator' : 'Message deleted';
}

/** My role in a program, from the session's memberships; null when I am not in it. */
export function roleIn(memberships: readonly Pick<Membership, 'program_id' | 'role'>[] | undefined, programId: string): Role | null {
  return memberships?.find((m) => m.program_id === programId)?.role ?? null;
}

/** The channel facts moderation depends on. */
export interface ModeratedChannel {
  readonly kind: string;
  readonly memberCount: number;
}

/**
 * May a coordinator moderate this channel (remove anyone's message, lock it, mute or take someone
 * out from it)? Group and announcement channels of more than two people; never a conversation of
 * two, which stays its people's.
 */
export function channelIsModerated(channel: ModeratedChannel): boolean {
  return channel.kind !== 'pair' && channel.memberCount > 2;
}

/** May I (with `myRole` in the channel's program) moderate the channel? */
export function mayModerate(channel: ModeratedChannel, myRole: Role | null): boolean {
  return myRole === 'coordinator' && channelIsModerated(channel);
}

/** Only group channels are locked (announcements are the coordinators' already). */
export function mayLock(channel: ModeratedChannel, myRole: Role | null): boolean {
  return mayModerate(channel, myRole) && channel.kind === 'group';
}

/**
 * May I mute `userId` or take them out, from this channel? Not myself, not Kindred, and not a
 * coordinator (`theirRole`; unknown roles are not offered, as the server would refuse).
 */
export function mayActOn(me: string | null, userId: string, theirRole: Role | null | undefined): boolean {
  return me !== null && userId !== me && theirRole !== undefined && theirRole !== null && theirRole !== 'coordinator';
}

/** A mute's length, as offered. */
export type DurationChoice = '60' | '1440' | '10080' | 'custom';

export const DURATION_CHOICES: readonly { value: DurationChoice; label: string }[] = [
  { value: '60', label: '1 hour' },
  { value: '1440', label: '1 day' },
  { value: '10080', label: '1 week' },
  { value: 'custom', label: 'Another length, in minutes' },
];

/** The minutes of a choice (the custom text for `custom`); null when they are not a whole number. */
export function chosenMinutes(choice: DurationChoice | '', custom: string): number | null {
  if (choice === '') return null;
  const text = choice === 'custom' ? custom.trim() : choice;
  if (!/^\d+$/.test(text)) return null;
  return Number(text);
}

/** "45 minutes", "1 hour", "2 days", "1 week", "1 day and 3 hours". */
export function durationLabel(minutes: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes % 10_080 === 0) return plural(minutes / 10_080, 'week');
  if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0 && minutes < 1440) return plural(minutes / 60, 'hour');
  if (minutes < 60) return plural(minutes, 'minute');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? plural(days, 'day') : '', hours ? plural(hours, 'hour') : '', mins ? plural(mins, 'minute') : ''];
  const shown = parts.filter(Boolean);
  return shown.length === 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Why a choice of duration cannot be sent, or null. */
export function minutesProblem(choice: DurationChoice | '', custom: string): string | null {
  if (choice === '') return 'Choose for how long.';
  const minutes = chosenMinutes(choice, custom);
  if (minutes === null) return 'Give a whole number of minutes.';
  if (minutes < MIN_MUTE_MINUTES || minutes > MAX_MUTE_MINUTES) {
    return `Give between ${MIN_MUTE_MINUTES} and ${MAX_MUTE_MINUTES.toLocaleString('en')} minutes (30 days).`;
  }
  return null;
}

/** Why a reason cannot be sent, or null: one is required, and goes in the audit log. */
export function reasonProblem(reason: string): string | null {
  const why = reason.trim();
  if (why === '') return 'Say why: it goes in the audit log, for the other coordinators.';
  if (textLength(why) > MAX_REASON) return `Keep it to ${MAX_REASON} characters; this has ${textLength(why)}.`;
  return null;
}

/** What a moderation action does. */
export type ModerationAction = 'mute' | 'unmute' | 'remove' | 'suspend' | 'reinstate' | 'event-remove';

/** What each action does, in plain words (docs/safety.md), for its confirmation. */
export function actionConsequences(action: ModerationAction, name: string, program: string, channel?: string): string[] {
  switch (action) {
    case 'mute':
      return [
        `${name} keeps reading the group channels of ${program} (an event’s chat is one), but what they send there is refused, saying until when.`,
        'Their conversations of two people are not affected.',
        'You can lift the mute early. It is in the audit log with your name and reason.',
      ];
    case 'unmute':
      return [`${name} can post in the group channels of ${program} again at once.`, 'It is in the audit log with your name and reason.'];
    case 'remove':
      return [
        `${channel ?? 'The channel'} disappears from ${name}’s screens at once, and they no longer read it.`,
        'Nothing else changes for them. It is in the audit log with your name and reason.',
      ];
    case 'suspend':
      return [
        `Until reinstated, ${name} is no member of ${program}: its pages and channels disappear from their screens at once, on every device.`,
        'Nobody can call them through it, they are invited to none of its events, and matching leaves them out.',
        'Nothing of theirs is deleted: reinstating restores everything. It is in the audit log with your name and reason.',
      ];
    case 'reinstate':
      return [
        `${name} is a member of ${program} again at once: its pages, channels, matches and messages come back as they were.`,
        'It is in the audit log with your name and reason.',
      ];
    case 'event-remove':
      return [
        `${name} is no longer invited to ${channel ?? 'this event'}: they no longer see it, their answer goes, and they cannot say they are going or enter its room.`,
        'They leave its chat at once. If they are in the live room now, use the room’s own Remove too.',
        'It is in the audit log with your name and reason.',
      ];
  }
}

/** The dialog's title for an action. */
export function actionTitle(action: ModerationAction, name: string, channel?: string): string {
  switch (action) {
    case 'mute':
      return `Mute ${name} in this program`;
    case 'unmute':
      return `Lift ${name}’s mute`;
    case 'remove':
      return `Take ${name} out of ${channel ?? 'this channel'}`;
    case 'suspend':
      return `Suspend ${name} from this program`;
    case 'reinstate':
      return `Reinstate ${name}`;
    case 'event-remove':
      return `Take ${name} out of ${channel ?? 'this event'}`;
  }
}

/** The button that confirms an action. */
export function actionSubmit(action: ModerationAction, name: string, minutes?: number | null): string {
  switch (action) {
    case 'mute':
      return minutes ? `Mute ${name} for ${durationLabel(minutes)}` : `Mute ${name}`;
    case 'unmute':
      return `Lift the mute`;
    case 'remove':
      return `Take ${name} out`;
    case 'suspend':
      return `Suspend ${name}`;
    case 'reinstate':
      return `Reinstate ${name}`;
    case 'event-remove':
      return `Take ${name} out`;
  }
}

/** Said once an action went through (`until`: a mute's end, as the server says). */
export function actionDone(action: ModerationAction, name: string, untilText?: string): string {
  switch (action) {
    case 'mute':
      return untilText ? `${name} is muted until ${untilText}.` : `${name} is muted.`;
    case 'unmute':
      return `${name}’s mute is lifted.`;
    case 'remove':
      return `${name} is no longer in this channel.`;
    case 'suspend':
      return `${name} is suspended from this program.`;
    case 'reinstate':
      return `${name} is reinstated.`;
    case 'event-remove':
      return `${name} is no longer in this event.`;
  }
}

/** Whether a mute is still running at `now` (ms). */
export function isMuted(mutedUntil: string | null | undefined, now: number): boolean {
  if (!mutedUntil) return false;
  const t = Date.parse(mutedUntil);
  return !Number.isNaN(t) && t > now;
}

/** The channel's lock, in words for its coordinators' button and its explanation. */
export function lockWords(locked: boolean): { button: string; explains: string; done: string } {
  return locked
    ? {
        button: 'Unlock the channel',
        explains: 'Locked: only coordinators post here; members read. Unlocking lets everyone post again.',
        done: 'The channel is unlocked: everyone can post again.',
      }
    : {
        button: 'Lock the channel',
        explains: 'Locking lets only coordinators post here until it is unlocked; members keep reading.',
        done: 'The channel is locked: only coordinators post here now.',
      };
}

/** What a member reads instead of the composer in a locked channel. */
export const LOCKED_TEXT = 'A coordinator locked this channel; you can read it.';

/** What someone taken out of the open channel reads. */
export const REMOVED_FROM_CHANNEL_TEXT = 'You are no longer in this channel.';

/** The confirmation before a coordinator removes someone else's message. */
export function removeMessageQuestion(sender: string): string {
  return `Remove ${sender}’s message? Everyone in the channel will see “Removed by a coordinator” in its place.`;
}

/** Slow mode's lengths, as offered to coordinators (seconds; 0 is off). */
export const SLOW_MODE_CHOICES: readonly { value: number; label: string }[] = [
  { value: 0, label: 'Off' },
  { value: 10, label: '10 s' },
  { value: 30, label: '30 s' },
  { value: 60, label: '1 min' },
  { value: 300, label: '5 min' },
  { value: 3600, label: '1 hour' },
];

/** "10 s", "1 min", "90 s", "5 min", "1 hour". */
export function slowModeLabel(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The line above a member's composer while slow mode is on; null when it is off. */
export function slowModeLine(seconds: number): string | null {
  return seconds > 0 ? `Slow mode: one message every ${slowModeLabel(seconds)}` : null;
}

/** Said once a coordinator set slow mode. */
export function slowModeDone(seconds: number): string {
  return seconds > 0
    ? `Slow mode is on: members post at most one message every ${slowModeLabel(seconds)}.`
    : 'Slow mode is off: members post freely again.';
}

/** Who a coordinator may take out of an event: not the host, not a coordinator (nor themselves). */
export function mayTakeOutOfEvent(
  me: string | null,
  person: { readonly id: string; readonly role: Role | null | undefined },
  hostId: string,
): boolean {
  return me !== null && person.id !== me && person.id !== hostId && person.role !== 'coordinator' && person.role != null;
}

// Types of the Kindred HTTP API (see /api/openapi.json on a running server).
// Timestamps are RFC 3339 strings; dates are "YYYY-MM-DD".

export type Role = 'coordinator' | 'mentor' | 'mentee';
export const ROLES: readonly Role[] = ['mentee', 'mentor', 'coordinator'];

export type CareerStage =
  | 'undergraduate'
  | 'medical_student'
  | 'resident'
  | 'fellow'
  | 'attending'
  | 'faculty'
  | 'other';

export const CAREER_STAGES: readonly { value: CareerStage; label: string }[] = [
  { value: 'undergraduate', label: 'Undergraduate' },
  { value: 'medical_student', label: 'Medical student' },
  { value: 'resident', label: 'Resident' },
  { value: 'fellow', label: 'Fellow' },
  { value: 'attending', label: 'Attending' },
  { value: 'faculty', label: 'Faculty' },
  { value: 'other', label: 'Other' },
];

export interface User {
  id: string;
  email: string;
  name: string;
  pronouns: string | null;
  institution: string | null;
  career_stage: CareerStage | null;
  time_zone: string | null;
  is_admin: boolean;
  can_create_programs: boolean;
  created_at: string;
}

export interface Membership {
  program_id: string;
  program_name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrf_token: string;
  memberships: Membership[];
}

export interface Program {
  id: string;
  name: string;
  description: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
  my_role: Role | null;
}

export interface Member {
  user_id: string;
  name: string;
  email: string;
  role: Role;
  pronouns: string | null;
  institution: string | null;
  career_stage: CareerStage | null;
  joined_at: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface Invitation {
  id: string;
  program_id: string;
  email: string;
  name: string;
  role: Role;
  status: InvitationStatus;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  /** Only in create and resend responses. */
  link?: string | null;
}

export interface InvitationPreview {
  program: { id: string; name: string };
  email: string;
  name: string;
  role: Role;
  expires_at: string;
  account_exists: boolean;
}

export interface ImportResult {
  created: Invitation[];
  errors: { line: number; reason: string }[];
}

export interface Mail {
  id: string;
  to: string;
  subject: string;
  body: string;
  created_at: string;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

-- Who may use Baton and what they did: local users with a role, browser sessions, API tokens,
-- and the audit log of every write made through the API. Secrets are stored only as hashes:
-- passwords with scrypt (slow, salted), session and token secrets with SHA-256 (they are 256
-- random bits, so a fast hash is enough and keeps every request's check cheap).

create table users (
  workspace text not null default 'default',
  -- the sign-in name: lower-case letters, digits, '.', '_' or '-'
  id text not null,
  name text not null,
  email text null,
  role text not null check (role in ('admin', 'marketing', 'sales_manager', 'rep', 'viewer')),
  -- the agreement's person this user is (a rep's queue, an approver's signature); null for
  -- users who are not named in the agreement
  person text null,
  -- 'scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>'; null: cannot sign in with a password
  password_hash text null,
  disabled_at timestamptz null,
  created_at timestamptz not null default now(),
  primary key (workspace, id)
);

create unique index users_person on users (workspace, person) where person is not null;

create table sessions (
  -- SHA-256 of the cookie's secret, hex
  id_hash text primary key,
  workspace text not null,
  user_id text not null,
  -- the synchronizer token unsafe requests must echo in X-CSRF-Token
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  foreign key (workspace, user_id) references users (workspace, id) on delete cascade
);

create index sessions_user on sessions (workspace, user_id);

create table api_tokens (
  workspace text not null default 'default',
  -- public part of the token ('tok_…'), shown in lists
  id text not null,
  name text not null,
  user_id text not null,
  scopes text[] not null,
  -- SHA-256 of the secret part, hex
  secret_hash text not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz null,
  last_used_at timestamptz null,
  revoked_at timestamptz null,
  primary key (workspace, id),
  foreign key (workspace, user_id) references users (workspace, id) on delete cascade
);

-- Every write made through the API (and the CLI's user and token commands), with its actor.
-- Domain changes are also events in the ledger; this log adds who called what, from where,
-- and with which outcome, including refusals.
create table audit_log (
  id bigint generated always as identity primary key,
  workspace text not null,
  at timestamptz not null default now(),
  actor text not null,
  role text null,
  -- 'session', 'token:<id>', 'webhook:<kind>', 'cli'
  via text not null,
  action text not null,
  target text null,
  status integer not null,
  request_id text null,
  detail jsonb null
);

create index audit_log_at on audit_log (workspace, at desc);

-- The audit log is append-only, like the ledger.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op;
end;
$$;

create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();

-- The append-only ledger and the agreement versions with their approvals.

create table events (
  id bigint generated always as identity primary key,
  workspace text not null,
  stream_type text not null,
  stream_id text not null,
  type text not null,
  actor text not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  agreement_version integer null,
  explanation jsonb null,
  data jsonb not null default '{}'::jsonb,
  idempotency_key text null unique
);

create index events_stream on events (workspace, stream_type, stream_id, id);

-- Events are facts: a correction is a new event, never an edit. The trigger refuses UPDATE and
-- DELETE row by row, the statement trigger refuses TRUNCATE.
create function events_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'events are append-only: % is not allowed', tg_op
    using errcode = 'restrict_violation',
          hint = 'record a new event that corrects the earlier one';
end;
$$;

create trigger events_append_only
  before update or delete on events
  for each row execute function events_refuse_change();

create trigger events_no_truncate
  before truncate on events
  for each statement execute function events_refuse_change();

create table agreement_versions (
  number integer primary key check (number > 0),
  yaml text not null,
  parsed jsonb not null,
  proposed_by text not null,
  proposed_at timestamptz not null,
  activated_at timestamptz null,
  activation_mode text null check (activation_mode in ('new_cycles_only', 'new_and_open_cycles')),
  check ((activated_at is null) = (activation_mode is null))
);

create table agreement_approvals (
  version integer not null references agreement_versions (number),
  side text not null check (side in ('marketing', 'sales')),
  approver text not null,
  approved_at timestamptz not null default now(),
  unique (version, side, approver)
);

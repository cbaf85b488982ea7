-- Durable timers: SLA warnings, breaches and escalation rungs fire from this table, on time,
-- exactly once with any number of workers (src/worker/scheduler.ts). A timer is pending while
-- fired_at, cancelled_at and failed_at are all null; it ends in exactly one of them.

create table timers (
  id bigint generated always as identity primary key,
  -- The timer's identity (e.g. 'lead-42/sdr-first-effort:7:breach'): scheduling a key again
  -- moves the pending timer instead of adding a second one.
  key text not null unique,
  kind text not null,
  -- The clock (event stream) the timer belongs to: a stopped cycle cancels its timers by it.
  stream_id text not null,
  due_at timestamptz not null,
  payload jsonb not null default '{}'::jsonb,
  fired_at timestamptz null,
  cancelled_at timestamptz null,
  -- Failed handler runs so far; after the worker's limit the timer is dead (failed_at).
  attempts integer not null default 0,
  last_error text null,
  failed_at timestamptz null,
  created_at timestamptz not null default now()
);

-- The claim and wake-up queries read only pending timers in due order; fired ones pile up and
-- stay out of this index.
create index timers_pending_due on timers (due_at)
  where fired_at is null and cancelled_at is null and failed_at is null;

create index timers_stream on timers (stream_id);

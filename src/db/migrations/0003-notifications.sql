-- The notification outbox: one row per (notification, channel), written in the same transaction
-- as the business change that causes it, so a rolled-back change never notifies anyone and a
-- committed one always does. `id` is the event id receivers de-duplicate by; it never changes,
-- not even when the notification is replayed.

create table notifications (
  id uuid primary key default gen_random_uuid(),
  -- `<producer key>:<channel>`: a producer transaction that runs twice writes the row once.
  dedupe_key text not null unique,
  kind text not null,
  channel text not null check (channel in ('webhook', 'slack', 'email')),
  recipient text null,
  subject text not null,
  body text not null,
  payload jsonb not null default '{}'::jsonb,
  -- pending: committed, not yet handed to the job queue; queued: a delivery job exists;
  -- delivered: a receiver accepted it; dead: every attempt failed (replay puts it back to pending).
  status text not null default 'pending'
    check (status in ('pending', 'queued', 'delivered', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  replays integer not null default 0 check (replays >= 0),
  last_error text null,
  created_at timestamptz not null default now(),
  queued_at timestamptz null,
  delivered_at timestamptz null,
  dead_at timestamptz null,
  check ((status = 'delivered') = (delivered_at is not null)),
  check ((status = 'dead') = (dead_at is not null))
);

-- The relay's scan: only the few committed rows not yet handed over.
create index notifications_pending on notifications (created_at, id) where status = 'pending';
create index notifications_dead on notifications (dead_at) where status = 'dead';

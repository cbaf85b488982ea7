-- The joint review: generated review packs (figures frozen at generation), the action items that
-- follow from them (or from any figure) and the decisions logged with the pack they came from.

create table review_packs (
  workspace text not null,
  -- 'rp_' and 16 hex digits
  id text not null,
  -- the agreement's review (reviews[].id) the pack is for; null for a pack of an ad-hoc period
  review text null,
  title text not null,
  -- the half-open period [period_from, period_to) the figures cover
  period_from timestamptz not null,
  period_to timestamptz not null,
  -- schedule: made by a worker at the review's cadence; demand: asked for (CLI, API, web page)
  trigger text not null check (trigger in ('schedule', 'demand')),
  -- 'schedule', or the user who asked for it
  generated_by text not null,
  agreement_version integer not null,
  -- the ReviewPack JSON (version 1), as built by src/core/review/review-pack.ts
  pack jsonb not null,
  created_at timestamptz not null,
  primary key (workspace, id),
  check (period_from < period_to)
);

-- Once per period per review, whatever the number of workers: the scheduled pack is inserted
-- with `on conflict do nothing` in the transaction that writes its notifications, so only the
-- worker whose insert took the slot delivers it. Packs made on demand are not limited.
create unique index review_packs_scheduled on review_packs (workspace, review, period_from)
  where trigger = 'schedule';
create index review_packs_recent on review_packs (workspace, created_at desc, id desc);

create table action_items (
  workspace text not null,
  -- 'ai_' and 16 hex digits
  id text not null,
  title text not null check (length(title) between 1 and 300),
  -- a person id of the agreement or a user's e-mail
  owner text not null,
  -- YYYY-MM-DD in the workspace time zone
  due_on text not null check (due_on ~ '^\d{4}-\d{2}-\d{2}$'),
  type text not null check (type in
    ('targeting', 'messaging', 'content', 'enablement', 'process', 'definition_change')),
  status text not null check (status in ('open', 'in_progress', 'done', 'dropped')),
  metric text null,
  lead_ids text[] not null default '{}',
  notes text not null default '',
  review_pack_id text null,
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz null,
  -- [{ tool, key, url?, at }]: the copies pushed to project tools
  pushed_to jsonb not null default '[]'::jsonb,
  -- the workspace-zone date of the last overdue reminder: one reminder per item per day
  reminded_on text null,
  primary key (workspace, id),
  foreign key (workspace, review_pack_id) references review_packs (workspace, id),
  check ((status in ('done', 'dropped')) = (closed_at is not null))
);

-- The reminder scan and the next pack's carried-over items read only items still to do.
create index action_items_open on action_items (workspace, due_on)
  where status in ('open', 'in_progress');
create index action_items_pack on action_items (workspace, review_pack_id);

create table review_decisions (
  workspace text not null,
  -- 'rd_' and 16 hex digits
  id text not null,
  review_pack_id text not null,
  text text not null check (length(text) between 1 and 2000),
  decided_by text not null,
  at timestamptz not null,
  primary key (workspace, id),
  foreign key (workspace, review_pack_id) references review_packs (workspace, id)
);

create index review_decisions_pack on review_decisions (workspace, review_pack_id, at);
